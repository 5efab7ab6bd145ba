"""Files the official SDK makes read back through openaifs byte for byte, and vice versa."""

from __future__ import annotations

import pytest
from filehelpers import payload, sdk_create


def test_files_create_reads_back_identical(fs, openaifs_sdk):
    data = payload(150_000, seed=5)
    file = sdk_create(openaifs_sdk, "assistants/notes.bin", data)
    info = fs.info("openai://assistants/notes.bin")
    assert (info["id"], info["size"], info["created_at"]) == (
        file["id"],
        len(data),
        file["created_at"],
    )
    assert fs.cat("assistants/notes.bin") == data
    assert fs.cat(file["id"]) == data


def test_upload_file_chunked_reads_back_identical(fs, openaifs_sdk, tmp_path):
    data = payload(300_000, seed=6)
    local = tmp_path / "chunked.jsonl"
    local.write_bytes(data)
    upload = openaifs_sdk.uploads.upload_file_chunked(
        file=local, mime_type="text/jsonl", purpose="fine-tune", part_size=64 * 1024
    )
    assert upload.status == "completed"
    assert fs.info("fine-tune/chunked.jsonl")["id"] == upload.file.id
    assert fs.cat("openai://fine-tune/chunked.jsonl") == data
    target = tmp_path / "back.jsonl"
    fs.get_file("fine-tune/chunked.jsonl", str(target))
    assert target.read_bytes() == data


def test_upload_file_chunked_from_bytes(fs, openaifs_sdk):
    data = payload(100_000, seed=7)
    upload = openaifs_sdk.uploads.upload_file_chunked(
        file=data,
        filename="from-bytes.bin",
        bytes=len(data),
        mime_type="application/octet-stream",
        purpose="user_data",
        part_size=40_000,
    )
    with fs.open(upload.file.id, "rb") as f:
        assert f.read() == data


def test_what_openaifs_writes_the_sdk_reads(fs, openaifs_sdk):
    data = payload(200_000, seed=8)  # above the fs fixture's part size: the Uploads API
    fs.pipe("user_data/ours.bin", data)
    file_id = fs.info("user_data/ours.bin")["id"]
    assert openaifs_sdk.files.content(file_id).read() == data
    sdk_file = openaifs_sdk.files.retrieve(file_id)
    assert (sdk_file.filename, sdk_file.purpose, sdk_file.bytes) == (
        "ours.bin",
        "user_data",
        200_000,
    )


@pytest.mark.parametrize("name", ["sp ace.txt", "emoji 🙂.txt", "hash#q?.txt", ".dot"])
def test_odd_names_from_the_sdk(fs, openaifs_sdk, name):
    sdk_create(openaifs_sdk, f"user_data/{name}", name.encode())
    assert fs.ls("user_data", detail=False) == [f"user_data/{name}"]
    assert fs.cat(f"user_data/{name}") == name.encode()


def test_a_file_deleted_by_openaifs_is_gone_for_the_sdk(fs, openaifs_sdk):
    file = sdk_create(openaifs_sdk, "user_data/x.txt", b"x")
    fs.rm("user_data/x.txt")
    assert [f.id for f in openaifs_sdk.files.list()] == []
    with pytest.raises(Exception, match="No such File object") as info:
        openaifs_sdk.files.retrieve(file["id"])
    assert type(info.value).__name__ == "NotFoundError"
