"""Every size limit, lowered at runtime through the config control or at startup."""

from __future__ import annotations

import openai
import pytest
from server_helpers import Raw, assert_error

from openaifs.testing import LocalServer


def test_defaults(openaifs_server):
    config = openaifs_server.configure()
    assert config == {
        "latency_ms": 0,
        "per_connection_bps": 0,
        "max_file_size": 512_000_000,
        "max_upload_size": 8_000_000_000,
        "max_part_size": 67_108_864,
        "max_batch_size": 200_000_000,
        "upload_expiry_seconds": 3600,
        "processing_seconds": 0,
        "honour_range": False,
    }


def test_max_file_size(openaifs_server, openaifs_sdk, raw):
    openaifs_server.configure(max_file_size=100)
    assert openaifs_sdk.files.create(file=("ok.txt", b"x" * 100), purpose="user_data").bytes == 100
    error = assert_error(raw.upload_file(b"x" * 101), 400, "file")
    assert "100" in error["message"]
    assert len(list(openaifs_sdk.files.list())) == 1


def test_max_batch_size(openaifs_server, openaifs_sdk, raw):
    openaifs_server.configure(max_batch_size=10)
    assert_error(raw.upload_file(b"x" * 11, "b.jsonl", purpose="batch"), 400, "file")
    assert raw.upload_file(b"x" * 11, "b.jsonl", purpose="fine-tune").status_code == 200
    body = {"bytes": 11, "filename": "b.jsonl", "mime_type": "text/jsonl", "purpose": "batch"}
    assert_error(raw("POST", "/uploads", json=body), 400, "bytes")


def test_max_part_size_and_upload_size(openaifs_server, openaifs_sdk):
    openaifs_server.configure(max_part_size=10, max_upload_size=25)
    with pytest.raises(openai.BadRequestError):
        openaifs_sdk.uploads.create(
            bytes=26, filename="a", mime_type="text/plain", purpose="user_data"
        )
    upload = openaifs_sdk.uploads.create(
        bytes=20, filename="a", mime_type="text/plain", purpose="user_data"
    )
    with pytest.raises(openai.BadRequestError) as info:
        openaifs_sdk.uploads.parts.create(upload.id, data=b"x" * 11)
    assert info.value.body["param"] == "data"
    parts = [openaifs_sdk.uploads.parts.create(upload.id, data=b"x" * 10) for _ in range(2)]
    done = openaifs_sdk.uploads.complete(upload.id, part_ids=[p.id for p in parts])
    assert done.file.bytes == 20


def test_upload_expiry_seconds(openaifs_server, openaifs_sdk):
    openaifs_server.configure(upload_expiry_seconds=60)
    upload = openaifs_sdk.uploads.create(
        bytes=1, filename="a", mime_type="text/plain", purpose="user_data"
    )
    assert upload.expires_at == upload.created_at + 60


def test_reset_restores_startup_settings(openaifs_server):
    openaifs_server.configure(max_file_size=5, latency_ms=1)
    openaifs_server.reset()
    assert openaifs_server.configure()["max_file_size"] == 512_000_000


def test_bad_config_is_refused(openaifs_server):
    for bad in ({"max_file_size": -1}, {"nope": 1}, {"honour_range": 1}, {"max_part_size": 1.5}):
        with pytest.raises(RuntimeError, match="400"):
            openaifs_server.configure(**bad)
    assert openaifs_server.configure()["max_file_size"] == 512_000_000


def test_limits_at_startup():
    with LocalServer(max_file_size=3, max_part_size=2) as server:
        assert server.configure()["max_part_size"] == 2
        raw = Raw(server)
        assert_error(raw.upload_file(b"abcd"), 400, "file")
        assert raw.upload_file(b"abc").status_code == 200
        raw.session.close()
