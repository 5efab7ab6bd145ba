"""put/get of nested trees (fsspec's trailing-slash rules), and a recursive get that never
writes outside its target folder whatever names the service returns."""

from __future__ import annotations

import os
import warnings

import pytest
from write_helpers import PART, payload

from openaifs.transfer import UnsafeNameWarning

TREE = {
    "a.txt": b"alpha",
    "big.bin": payload(2 * PART + 5, seed=3),
    "sub/b.csv": b"x,y\n1,2\n",
    "sub/deeper/c.bin": payload(PART + 1, seed=4),
    "sub/deeper/empty.txt": b"",
}


@pytest.fixture
def src(tmp_path):
    root = tmp_path / "src"
    for name, data in TREE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    (root / "no-files-here").mkdir()  # an empty local folder: nothing to upload
    return root


def local_tree(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_nested_tree_put_and_got_back_byte_for_byte(fs, src, tmp_path):
    fs.put(str(src) + "/", "openai://user_data/run/", recursive=True)
    assert fs.find("openai://user_data/run") == sorted(f"user_data/run/{n}" for n in TREE)
    out = tmp_path / "back"
    fs.get("openai://user_data/run/", str(out) + "/", recursive=True)
    assert local_tree(out) == TREE


@pytest.mark.parametrize(
    ("source_slash", "dest", "prefix"),
    [
        (False, "openai://user_data/", "user_data/src/"),  # into an existing dir: keeps "src"
        (True, "openai://user_data/", "user_data/"),  # "src/": its contents
        (False, "openai://user_data/new", "user_data/new/"),  # a new folder takes the tree
        (True, "openai://user_data/new/", "user_data/new/"),
    ],
)
def test_put_follows_fsspecs_trailing_slash_rules(fs, src, source_slash, dest, prefix):
    fs.put(str(src) + ("/" if source_slash else ""), dest, recursive=True)
    assert fs.find("openai://user_data") == sorted(prefix + n for n in TREE)


def test_get_into_an_existing_folder_keeps_the_source_folder_name(fs, src, tmp_path):
    fs.put(str(src) + "/", "openai://user_data/run", recursive=True)
    out = tmp_path / "out"
    out.mkdir()
    fs.get("openai://user_data/run/sub", str(out), recursive=True)
    assert local_tree(out) == {f"sub/{n[4:]}": d for n, d in TREE.items() if n.startswith("sub/")}


def test_a_recursive_get_skips_names_that_cannot_be_paths_naming_each(fs, server, tmp_path):
    evil = server.add_service_file(b"evil", purpose="user_data", filename="../evil.txt")
    empty = server.add_service_file(b"e", purpose="user_data", filename="a//b.txt")
    fs.pipe("openai://user_data/ok/fine.txt", b"fine")
    out = tmp_path / "deep" / "out"
    with pytest.warns(UnsafeNameWarning) as caught:
        fs.get("openai://user_data", str(out), recursive=True)
    messages = "\n".join(str(w.message) for w in caught)
    assert evil["id"] in messages and "'../evil.txt'" in messages and "'..'" in messages
    assert empty["id"] in messages and "'a//b.txt'" in messages
    assert local_tree(out) == {"ok/fine.txt": b"fine"}  # a new folder takes the contents
    assert not (tmp_path / "deep" / "evil.txt").exists()
    assert sorted(os.listdir(tmp_path)) == ["deep"]
    # Each stays reachable by id.
    fs.get(evil["id"], str(tmp_path / "by-id.txt"))
    assert (tmp_path / "by-id.txt").read_bytes() == b"evil"


def test_a_name_that_is_also_a_folder_is_skipped_locally_with_a_warning(fs, tmp_path):
    fs.pipe("openai://user_data/d/a", b"file")
    fs.pipe("openai://user_data/d/a/b", b"inner")
    out = tmp_path / "out"
    with pytest.warns(UnsafeNameWarning, match="user_data/d/a: the name is also a folder"):
        fs.get("openai://user_data/d/", str(out) + "/", recursive=True)
    assert local_tree(out) == {"a/b": b"inner"}


def test_a_plain_get_warns_about_nothing(fs, src, tmp_path):
    fs.put(str(src) + "/", "openai://user_data/", recursive=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fs.get("openai://user_data/sub", str(tmp_path / "x"), recursive=True)
    assert local_tree(tmp_path / "x") == {n[4:]: d for n, d in TREE.items() if n.startswith("sub/")}


def test_put_into_a_folder_then_overwrite_one_file_only(fs, src, server):
    fs.put(str(src) + "/", "openai://user_data/run/", recursive=True)
    (src / "sub" / "b.csv").write_bytes(b"changed")
    fs.put(str(src / "sub" / "b.csv"), "openai://user_data/run/sub/b.csv")
    assert fs.cat("openai://user_data/run/sub/b.csv") == b"changed"
    assert len(fs.ls("openai://user_data/run", versions=True)) == len(TREE)
