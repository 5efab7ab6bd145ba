"""``fs.merge``: local and ``openai://`` sources into one file, as the parts of one Upload."""

from __future__ import annotations

import json

import pytest
from fsspec.callbacks import Callback
from write_helpers import PART, payload, posts

DEST = "openai://user_data/merged.bin"


@pytest.fixture
def sources(fs, tmp_path):
    """Two local files (one over a part, one under) and two remote ones, with their bytes."""
    local_big = tmp_path / "a.bin"
    local_big.write_bytes(payload(2 * PART + 7, seed=1))
    local_small = tmp_path / "b.bin"
    local_small.write_bytes(payload(100, seed=2))
    fs.pipe_file("openai://user_data/remote-big.bin", payload(3 * PART + 1, seed=3))
    fs.pipe_file("openai://user_data/remote-small.bin", payload(10, seed=4))
    paths = [
        str(local_big),
        "openai://user_data/remote-big.bin",
        str(local_small),
        "openai://user_data/remote-small.bin",
    ]
    expected = b"".join(
        [payload(2 * PART + 7, 1), payload(3 * PART + 1, 3), payload(100, 2), payload(10, 4)]
    )
    return paths, expected


def test_merge_writes_the_sources_in_order_byte_for_byte(fs, server, sources):
    paths, expected = sources
    server.clear_stats()
    info = fs.merge(DEST, paths)
    # a.bin: 3 parts, remote-big: 4, b.bin: 1, remote-small: 1
    assert posts(server) == {"uploads.create": 1, "uploads.parts.create": 9, "uploads.complete": 1}
    assert info["size"] == len(expected)
    assert info["name"] == "user_data/merged.bin"
    assert fs.cat_file(DEST) == expected
    assert server.stats()["bytes_in"] < len(expected) + 20_000  # sent once, no detours


def test_merge_by_id_with_progress_and_options(fs, sources):
    paths, expected = sources
    paths[1] = "openai://" + fs.info(paths[1])["id"]

    class Count(Callback):
        pass

    progress = Count()
    fs.merge(DEST, paths, callback=progress, expires_after=7200, overwrite="keep")
    assert progress.size == progress.value == len(expected)
    assert fs.info(DEST)["expires_at"] is not None
    assert fs.cat_file(DEST) == expected


def test_merge_of_empty_sources_makes_an_empty_file(fs, tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    fs.merge(DEST, [str(empty), str(empty)])
    assert fs.cat_file(DEST) == b""


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [
        ("missing.bin", FileNotFoundError, "missing.bin"),
        ("openai://user_data/nope.bin", FileNotFoundError, "nope.bin"),
        (".", IsADirectoryError, "is a folder"),
    ],
)
def test_a_bad_source_is_refused_before_anything_is_sent(fs, server, sources, bad, error, match):
    paths, _ = sources
    server.clear_stats()
    with pytest.raises(error, match=match):
        fs.merge(DEST, [paths[0], bad])
    assert "uploads.create" not in server.stats()["requests"]
    assert not fs.exists(DEST)


@pytest.mark.parametrize("sources_arg", [[], "a.bin"])
def test_sources_must_be_a_non_empty_list(fs, sources_arg):
    with pytest.raises(ValueError, match="non-empty list"):
        fs.merge(DEST, sources_arg)


def test_a_failed_part_leaves_no_file_and_cancels(fs, server, sources):
    paths, _ = sources
    server.add_fault("uploads.parts.create", status=500, times=1000)
    with pytest.raises(OSError, match="HTTP 500"):
        fs.merge(DEST, paths)
    server.clear_faults()
    assert server.stats()["requests"]["uploads.cancel"] == 1
    assert not fs.exists(DEST)


def test_merge_refuses_a_transaction(fs, sources):
    paths, _ = sources
    with pytest.raises(NotImplementedError, match="transaction"), fs.transaction:
        fs.merge(DEST, paths)


def test_cli_merge(fs, sources, cli_run):
    paths, expected = sources
    code, out, err = cli_run("merge", DEST, *paths, "--json")
    assert code == 0, err
    assert json.loads(out)["size"] == len(expected)
    assert fs.cat_file(DEST) == expected


def test_cli_merge_needs_a_remote_destination(sources, cli_run, tmp_path):
    code, _, err = cli_run("merge", str(tmp_path / "out.bin"), *sources[0])
    assert code == 2
    assert "must be an openai:// file" in err
