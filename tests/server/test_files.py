"""The Files API through the official SDK: create, list, retrieve, delete, content."""

from __future__ import annotations

import hashlib
import io
import logging

import openai
import pytest
from server_helpers import assert_error

FILE_FIELDS = {
    "id",
    "object",
    "bytes",
    "created_at",
    "expires_at",
    "filename",
    "purpose",
    "status",
    "status_details",
}


def test_create_returns_a_complete_file_object(openaifs_sdk, raw):
    created = openaifs_sdk.files.create(file=("notes.txt", b"hello world"), purpose="assistants")
    assert created.id.startswith("file-") and len(created.id) == len("file-") + 24
    assert created.id[5:].isalnum()
    assert (created.object, created.bytes, created.filename) == ("file", 11, "notes.txt")
    assert (created.purpose, created.status) == ("assistants", "processed")
    assert created.expires_at is None and created.status_details is None
    body = raw("GET", f"/files/{created.id}").json()
    assert set(body) == FILE_FIELDS
    assert openaifs_sdk.files.retrieve(created.id) == created


def test_content_roundtrip_from_path_and_file_object(openaifs_sdk, tmp_path):
    data = bytes(range(256)) * 1000
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    from_path = openaifs_sdk.files.create(file=path, purpose="user_data")
    from_object = openaifs_sdk.files.create(file=io.BytesIO(data), purpose="vision")
    for created in (from_path, from_object):
        assert created.bytes == len(data)
        assert openaifs_sdk.files.content(created.id).content == data
    assert from_path.filename == "blob.bin"


def test_content_headers(openaifs_sdk, raw):
    created = openaifs_sdk.files.create(file=("a.bin", b"\x00\x01\x02"), purpose="user_data")
    response = raw("GET", f"/files/{created.id}/content", headers={"Range": "bytes=1-"})
    assert response.status_code == 200  # Range is ignored unless --honour-range
    assert response.content == b"\x00\x01\x02"
    assert response.headers["Content-Length"] == "3"
    assert response.headers["Content-Type"] == "application/octet-stream"


def test_duplicate_filenames_are_separate_files(openaifs_sdk):
    first = openaifs_sdk.files.create(file=("same.txt", b"one"), purpose="user_data")
    second = openaifs_sdk.files.create(file=("same.txt", b"two"), purpose="user_data")
    assert first.id != second.id
    assert openaifs_sdk.files.content(first.id).content == b"one"
    assert openaifs_sdk.files.content(second.id).content == b"two"
    assert {f.id for f in openaifs_sdk.files.list()} == {first.id, second.id}


def test_empty_file_is_accepted(openaifs_sdk):
    created = openaifs_sdk.files.create(file=("empty.txt", b""), purpose="user_data")
    assert created.bytes == 0
    assert openaifs_sdk.files.content(created.id).content == b""


def test_download_of_empty_file_logs_no_traceback(openaifs_sdk, raw, caplog):
    # loop.sendfile refuses a count of 0; the server used to log that as an error on every
    # download of a 0-byte file (the client still got its empty 200).
    created = openaifs_sdk.files.create(file=("empty.bin", b""), purpose="user_data")
    with caplog.at_level(logging.DEBUG):
        for _ in range(2):  # keep-alive: the connection must stay usable after the empty body
            response = raw("GET", f"/files/{created.id}/content")
            assert (response.status_code, response.content) == (200, b"")
            assert response.headers["Content-Length"] == "0"
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert errors == []


def test_delete(openaifs_sdk):
    created = openaifs_sdk.files.create(file=("gone.txt", b"x"), purpose="user_data")
    deleted = openaifs_sdk.files.delete(created.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (created.id, "file", True)
    for call in (
        openaifs_sdk.files.retrieve,
        openaifs_sdk.files.content,
        openaifs_sdk.files.delete,
    ):
        with pytest.raises(openai.NotFoundError):
            call(created.id)
    assert list(openaifs_sdk.files.list()) == []


def test_list_filters_by_purpose(openaifs_sdk):
    batch = openaifs_sdk.files.create(file=("in.jsonl", b"{}\n"), purpose="batch")
    openaifs_sdk.files.create(file=("doc.txt", b"x"), purpose="assistants")
    assert [f.id for f in openaifs_sdk.files.list(purpose="batch")] == [batch.id]
    # An unknown purpose is a filter that matches nothing, not an error.
    assert list(openaifs_sdk.files.list(purpose="no-such-purpose")) == []


@pytest.mark.parametrize("purpose", ["batch_output", "assistants_output", "fine-tune-results", "x"])
def test_refused_purposes_name_the_allowed_ones(raw, purpose):
    error = assert_error(raw.upload_file(b"x", purpose=purpose), 400, "purpose")
    for allowed in ("assistants", "batch", "fine-tune", "vision", "user_data", "evals"):
        assert f"'{allowed}'" in error["message"]


@pytest.mark.parametrize("purpose", ["batch", "fine-tune"])
def test_jsonl_purposes_need_jsonl_files(openaifs_sdk, purpose):
    with pytest.raises(openai.BadRequestError) as info:
        openaifs_sdk.files.create(file=("data.csv", b"a,b\n"), purpose=purpose)
    assert info.value.body["param"] == "file"
    assert ".jsonl" in info.value.body["message"]
    ok = openaifs_sdk.files.create(file=("data.JSONL", b"{}\n"), purpose=purpose)
    assert ok.purpose == purpose


def test_missing_fields(raw):
    assert_error(raw("POST", "/files", files={"purpose": (None, "batch")}), 400, "file", "'file'")
    assert_error(raw("POST", "/files", files={"file": ("a.txt", b"x")}), 400, "purpose")
    assert_error(raw("POST", "/files", json={"purpose": "batch"}), 400, None, "multipart")


def test_large_file_streams_through(openaifs_sdk):
    data = hashlib.sha256(b"seed").digest() * (3 * 1024 * 1024 // 32 + 7)
    created = openaifs_sdk.files.create(file=("big.bin", data), purpose="user_data")
    with openaifs_sdk.files.with_streaming_response.content(created.id) as response:
        received = b"".join(response.iter_bytes())
    assert received == data
