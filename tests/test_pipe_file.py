"""``pipe_file``: bytes in memory to one file, small in one request, large through Uploads."""

from __future__ import annotations

import pytest
from write_helpers import PART, files_named, payload, posts


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, {"files.create": 1}),
        (1000, {"files.create": 1}),
        (PART, {"files.create": 1}),
        (
            PART + 1,
            {"uploads.create": 1, "uploads.parts.create": 2, "uploads.complete": 1},
        ),
        (
            3 * PART + 5,
            {"uploads.create": 1, "uploads.parts.create": 4, "uploads.complete": 1},
        ),
    ],
)
def test_pipe_file_round_trips_and_picks_the_api_by_size(fs, server, openaifs_sdk, size, expected):
    data = payload(size)
    fs.pipe_file("openai://user_data/piped.bin", data)
    assert posts(server) == expected
    assert fs.cat_file("openai://user_data/piped.bin") == data
    [file] = files_named(openaifs_sdk, "piped.bin")
    assert file.bytes == size
    assert file.purpose == "user_data"
    assert openaifs_sdk.files.content(file.id).content == data


def test_pipe_file_is_visible_at_once_in_the_same_filesystem(fs):
    fs.ls("openai://user_data")  # fill the listing cache first
    fs.pipe_file("openai://user_data/new.txt", b"hello")
    assert fs.ls("openai://user_data", detail=False) == ["user_data/new.txt"]
    info = fs.info("openai://user_data/new.txt")
    assert info["size"] == 5
    assert info["filename"] == "new.txt"
    assert info["id"].startswith("file-")


def test_pipe_file_via_pipe_with_a_dict_of_paths(fs):
    fs.pipe({"openai://user_data/a.txt": b"a" * 10, "openai://user_data/b.txt": payload(PART * 2)})
    assert fs.cat_file("openai://user_data/a.txt") == b"a" * 10
    assert fs.cat_file("openai://user_data/b.txt") == payload(PART * 2)


def test_pipe_file_to_a_jsonl_purpose(fs, openaifs_sdk):
    lines = b'{"custom_id": "1"}\n{"custom_id": "2"}\n'
    fs.pipe_file("openai://batch/input.jsonl", lines)
    [file] = files_named(openaifs_sdk, "input.jsonl", purpose="batch")
    assert openaifs_sdk.files.content(file.id).content == lines
