"""``info``: the detail dict of a file, an id, a purpose or the root."""

from __future__ import annotations

import pytest
from conftest import make_fs
from filehelpers import sdk_create


@pytest.fixture
def stored(fs, openaifs_sdk):
    return sdk_create(openaifs_sdk, "batch/in.jsonl", b'{"a": 1}\n')


def test_info_of_a_named_file_carries_the_file_object(fs, stored):
    assert fs.info("openai://batch/in.jsonl") == {
        "name": "batch/in.jsonl",
        "type": "file",
        "size": 9,
        "id": stored["id"],
        "purpose": "batch",
        "filename": "in.jsonl",
        "created_at": stored["created_at"],
        "status": stored["status"],
        "expires_at": None,
    }


def test_info_of_an_id_is_named_by_the_id(fs, stored):
    info = fs.info(stored["id"])
    assert info["name"] == stored["id"]
    assert info == {**fs.info("batch/in.jsonl"), "name": stored["id"]}


def test_info_is_the_same_dict_every_time(server, fs, stored):
    first = fs.info("batch/in.jsonl")
    assert fs.info("batch/in.jsonl", refresh=True) == first
    assert make_fs(server).info("openai://batch/in.jsonl") == first
    assert fs.info(stored["id"]) == fs.info(stored["id"], refresh=True)


def test_info_carries_expires_at(fs):
    fs.pipe("user_data/short.txt", b"x", expires_after=3600)
    info = fs.info("user_data/short.txt")
    assert info["expires_at"] == info["created_at"] + 3600


@pytest.mark.parametrize("path", ["", "openai://", "/"])
def test_info_of_the_root(fs, path):
    assert fs.info(path) == {"name": "", "type": "directory", "size": 0}


@pytest.mark.parametrize("purpose", ["batch", "batch_output", "fine-tune-results"])
def test_info_of_a_purpose(fs, purpose):
    assert fs.info(f"openai://{purpose}/") == {"name": purpose, "type": "directory", "size": 0}


def test_info_of_a_missing_name(fs, stored):
    with pytest.raises(FileNotFoundError, match=r"^openai://batch/other\.jsonl: no such file$"):
        fs.info("batch/other.jsonl")


def test_info_of_a_missing_id(fs):
    with pytest.raises(FileNotFoundError, match="HTTP 404"):
        fs.info("file-missing")


def test_info_of_an_unknown_purpose(fs):
    with pytest.raises(ValueError, match="'made-up' is not a purpose"):
        fs.info("made-up/x.txt")


def test_expired_file_disappears_after_refresh(server, fs):
    fs.pipe("user_data/short.txt", b"x", expires_after=3600)
    server.advance_clock(3601)
    with pytest.raises(FileNotFoundError):
        fs.info("user_data/short.txt", refresh=True)
