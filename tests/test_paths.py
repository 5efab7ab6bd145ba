"""The ``openai://`` path grammar (openaifs/paths.py): pure functions, no server."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openaifs.paths import (
    KNOWN_PURPOSES,
    OUTPUT_PURPOSES,
    WRITABLE_PURPOSES,
    ResolvedPath,
    folders_of,
    has_magic,
    is_file_id,
    is_valid_filename,
    parse_path,
    strip_protocol,
)

purposes = st.one_of(
    st.sampled_from(KNOWN_PURPOSES),
    st.from_regex(r"[a-z][a-z0-9_\-]{0,20}", fullmatch=True).filter(
        lambda p: not p.startswith("file-")
    ),
)
filenames = st.text(min_size=1, max_size=40).filter(is_valid_filename)
file_ids = st.from_regex(r"file-[A-Za-z0-9_\-]{1,40}", fullmatch=True)
resolved_paths = st.one_of(
    st.just(ResolvedPath()),
    st.builds(ResolvedPath, purpose=purposes),
    st.builds(ResolvedPath, purpose=purposes, filename=filenames),
    st.builds(ResolvedPath, file_id=file_ids),
)


@given(resolved_paths)
def test_unresolve_round_trips(p):
    assert parse_path(p.unresolve()) == p


@given(resolved_paths, st.sampled_from(["openai://", "openai:", "openai:///", "/", ""]))
def test_protocol_and_outer_slashes_are_ignored(p, prefix):
    assert parse_path(prefix + p.unresolve()) == p
    assert parse_path(prefix + p.unresolve() + "/") == p


@given(st.text(max_size=60))
def test_any_text_parses_or_raises_value_error(text):
    try:
        p = parse_path(text)
    except ValueError:
        return
    assert parse_path(p.unresolve()) == p
    assert sum([p.is_root, p.is_purpose, p.is_named_file, p.is_file_id]) == 1


@given(purposes, filenames, filenames)
def test_a_path_below_a_folder_names_the_nested_filename(purpose, folder, name):
    p = parse_path(f"openai://{purpose}/{folder}/{name}")
    assert p == ResolvedPath(purpose=purpose, filename=f"{folder}/{name}")
    assert p.is_named_file and parse_path(p.unresolve()) == p


@pytest.mark.parametrize("rest", ["a//b", "a/./b", "a/../b", "../b", "a/..", "./a"])
def test_a_path_with_an_empty_or_dot_segment_is_refused_with_its_reason(rest):
    with pytest.raises(ValueError) as info:
        parse_path(f"openai://batch/{rest}")
    assert f"'openai://batch/{rest}'" in str(info.value)
    assert "'.' or '..'" in str(info.value) and "openai://file-" in str(info.value)


def test_folders_of_a_name_outermost_first():
    assert folders_of("a/b/n.txt") == ["a", "a/b"]
    assert folders_of("n.txt") == []


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("openai://batch/in.jsonl", "batch/in.jsonl"),
        ("openai:batch/in.jsonl", "batch/in.jsonl"),
        ("openai:///batch/", "batch"),
        ("/batch/in.jsonl/", "batch/in.jsonl"),
        ("openai://", ""),
        ("", ""),
        ("s3://batch", "s3://batch"),
        ("OPENAI://batch", "OPENAI://batch"),
    ],
)
def test_strip_protocol(path, expected):
    assert strip_protocol(path) == expected


@pytest.mark.parametrize(
    "text",
    ["file-abc123", "file-ABC_def-9", "file-x", "file-" + "a" * 200, "file--", "file-_"],
)
def test_id_shapes_accepted(text):
    assert is_file_id(text)
    assert parse_path(text) == ResolvedPath(file_id=text)
    assert parse_path("openai://" + text) == ResolvedPath(file_id=text)


@pytest.mark.parametrize(
    "text", ["file-", "file-a.b", "file-a b", "file-é", "File-abc", "file_abc", "xfile-abc"]
)
def test_not_id_shapes(text):
    assert not is_file_id(text)


@pytest.mark.parametrize("path", ["file-", "file-a.b", "file-abc/x.txt", "file-a#b"])
def test_malformed_id_paths_are_refused(path):
    with pytest.raises(ValueError, match="a file id path is 'openai://file-…' alone"):
        parse_path(path)


@pytest.mark.parametrize(
    "filename",
    [
        "with space.txt",
        " leading and trailing ",
        "hash#tag.jsonl",
        "question?.txt",
        "percent%20encoded.txt",
        "emoji-🙂-🚀.txt",
        ".hidden",
        "...",
        ".. ",
        "-dash",
        "tab\tand\nnewline",
        "back\\slash",
        "ünïcödé 名前.txt",
        "a:b",
        "openai:",
    ],
)
def test_odd_filenames_are_one_segment(filename):
    p = parse_path(f"openai://user_data/{filename}")
    assert p == ResolvedPath(purpose="user_data", filename=filename)
    assert p.unresolve() == f"user_data/{filename}"


@pytest.mark.parametrize("name", [".", ".."])
def test_dot_and_dotdot_are_not_filenames(name):
    with pytest.raises(ValueError, match="is not a path below a purpose"):
        parse_path(f"openai://batch/{name}")
    assert not is_valid_filename(name)


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("", False),
        ("a", True),
        ("a/b", True),
        ("a/b/c.txt", True),
        ("/a", False),
        ("a/", False),
        ("a//b", False),
        ("a/./b", False),
        ("../a", False),
        ("a/..", False),
        ("...", True),
        ("a/.hidden", True),
    ],
)
def test_is_valid_filename(name, valid):
    assert is_valid_filename(name) is valid


@pytest.mark.parametrize("purpose", ["my-purpose", "custom_purpose2", "x", "batch-v2"])
def test_unknown_but_well_formed_purpose_parses(purpose):
    assert purpose not in KNOWN_PURPOSES
    assert parse_path(purpose) == ResolvedPath(purpose=purpose)
    assert parse_path(f"{purpose}/f.txt") == ResolvedPath(purpose=purpose, filename="f.txt")


@pytest.mark.parametrize("head", ["Batch", "1batch", "_batch", "bat ch", "bätch", ".", "..", "*"])
def test_malformed_purpose_is_refused(head):
    with pytest.raises(ValueError, match="is not a purpose"):
        parse_path(f"{head}/x.txt")


def test_known_purposes():
    assert WRITABLE_PURPOSES == ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
    assert OUTPUT_PURPOSES == ("assistants_output", "batch_output", "fine-tune-results")
    assert KNOWN_PURPOSES == WRITABLE_PURPOSES + OUTPUT_PURPOSES


def test_shapes():
    assert parse_path("").is_root
    assert parse_path("batch").is_purpose and not parse_path("batch").is_root
    named = parse_path("batch/a.jsonl")
    assert named.is_named_file and not named.is_purpose and not named.is_file_id
    by_id = parse_path("file-abc")
    assert by_id.is_file_id and not by_id.is_root and not by_id.is_named_file


@pytest.mark.parametrize("value", [None, b"batch", 3])
def test_non_string_is_a_type_error(value):
    with pytest.raises(TypeError, match="path must be a str"):
        parse_path(value)


@pytest.mark.parametrize(
    ("text", "magic"),
    [("*.jsonl", True), ("a?.txt", True), ("[ab].txt", True), ("plain.txt", False), ("#%", False)],
)
def test_has_magic(text, magic):
    assert has_magic(text) is magic
