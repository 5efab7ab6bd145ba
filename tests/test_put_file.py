"""``put_file``: a local file to one remote file, straight from disk."""

from __future__ import annotations

import hashlib

import pytest
from fs_support import make_fs
from write_helpers import PART, Wire, files_named, payload, posts


@pytest.fixture
def local(tmp_path):
    """Write ``data`` to a local file and return its path."""

    def make(data: bytes, name: str = "local.bin") -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return make


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, {"files.create": 1}),
        (PART, {"files.create": 1}),
        (PART + 1, {"uploads.create": 1, "uploads.parts.create": 2, "uploads.complete": 1}),
        (4 * PART, {"uploads.create": 1, "uploads.parts.create": 4, "uploads.complete": 1}),
    ],
)
def test_put_file_round_trips(fs, server, openaifs_sdk, local, size, expected):
    data = payload(size)
    fs.put_file(local(data), "openai://user_data/remote.bin")
    assert posts(server) == expected
    [file] = files_named(openaifs_sdk, "remote.bin")
    assert file.bytes == size
    assert openaifs_sdk.files.content(file.id).content == data


def test_put_file_sends_parts_of_the_declared_sizes_and_the_md5(fs, local):
    data = payload(3 * PART - 7)
    wire = Wire(fs)
    fs.put_file(local(data), "openai://user_data/remote.bin")
    [created] = wire.sent("POST", "/uploads")
    assert created["bytes"] == len(data)
    assert created["filename"] == "remote.bin"
    assert created["purpose"] == "user_data"
    [(_, _, completed, answer)] = wire.ending("/complete")
    assert completed["md5"] == hashlib.md5(data).hexdigest()
    assert len(completed["part_ids"]) == 3
    assert answer["status"] == "completed"
    assert answer["file"]["bytes"] == len(data)


def test_put_file_keeps_the_remote_name_not_the_local_one(fs, local):
    fs.put_file(local(b"abc", name="here.txt"), "openai://assistants/there.txt")
    assert fs.ls("openai://assistants", detail=False) == ["assistants/there.txt"]
    assert fs.cat_file("openai://assistants/there.txt") == b"abc"


def test_put_file_of_a_missing_local_file_sends_nothing(fs, server, tmp_path):
    with pytest.raises(FileNotFoundError):
        fs.put_file(str(tmp_path / "absent.bin"), "openai://user_data/remote.bin")
    assert posts(server) == {}


def test_put_file_of_a_directory_does_nothing(fs, server, tmp_path):
    fs.put_file(str(tmp_path), "openai://user_data/remote.bin")
    assert posts(server) == {}
    assert not fs.exists("openai://user_data/remote.bin")


def test_put_file_with_a_lower_threshold_uses_uploads_sooner(server, local):
    fs = make_fs(server, upload_threshold=1000)
    data = payload(5000)
    fs.put_file(local(data), "openai://user_data/remote.bin")
    assert posts(server) == {"uploads.create": 1, "uploads.parts.create": 1, "uploads.complete": 1}
    assert fs.cat_file("openai://user_data/remote.bin") == data
