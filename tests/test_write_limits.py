"""Limits and refusals: the service's size limits, read-only and unknown purposes, bad paths."""

from __future__ import annotations

import pytest
from write_helpers import PART, Wire, assert_cancelled, files_named, payload, posts


def test_over_max_file_size_is_a_value_error_with_the_service_message(fs, server, openaifs_sdk):
    server.configure(max_file_size=1000)
    with pytest.raises(ValueError, match="the maximum size is 1000 bytes") as caught:
        fs.pipe_file("openai://user_data/big.bin", payload(1001))
    assert caught.value.status == 400
    assert str(caught.value).startswith("openai://user_data/big.bin: HTTP 400: ")
    assert files_named(openaifs_sdk, "big.bin") == []
    fs.pipe_file("openai://user_data/big.bin", payload(1000))  # exactly the limit is fine
    assert fs.size("openai://user_data/big.bin") == 1000


def test_over_max_upload_size_is_refused_at_create(fs, server, openaifs_sdk):
    server.configure(max_upload_size=2 * PART)
    with pytest.raises(ValueError, match=f"An Upload may be at most {2 * PART} bytes"):
        fs.pipe_file("openai://user_data/big.bin", payload(2 * PART + 1))
    assert posts(server) == {"uploads.create": 1}
    assert files_named(openaifs_sdk, "big.bin") == []


def test_over_max_part_size_cancels_the_upload(fs, server, openaifs_sdk):
    server.configure(max_part_size=PART // 2)
    wire = Wire(fs)
    with pytest.raises(ValueError, match=f"the maximum size is {PART // 2} bytes"):
        fs.pipe_file("openai://user_data/big.bin", payload(2 * PART))
    assert files_named(openaifs_sdk, "big.bin") == []
    [upload_id] = wire.upload_ids
    assert_cancelled(openaifs_sdk, upload_id)


@pytest.mark.parametrize("size", [2000, 2 * PART + 1])
def test_over_max_batch_size_is_a_value_error(fs, server, openaifs_sdk, size):
    server.configure(max_batch_size=1000)
    with pytest.raises(ValueError, match="Batch input files may be at most 1000 bytes"):
        fs.pipe_file("openai://batch/in.jsonl", b"{}\n" * (size // 3))
    assert files_named(openaifs_sdk, "in.jsonl", purpose="batch") == []


@pytest.mark.parametrize("purpose", ["batch", "fine-tune"])
@pytest.mark.parametrize("size", [10, 2 * PART])
def test_jsonl_purposes_refuse_other_filenames_with_the_service_message(
    fs, openaifs_sdk, purpose, size
):
    with pytest.raises(ValueError, match=f"Invalid file format for purpose '{purpose}'"):
        fs.pipe_file(f"openai://{purpose}/data.csv", payload(size))
    assert files_named(openaifs_sdk, "data.csv", purpose=purpose) == []


@pytest.mark.parametrize("purpose", ["assistants_output", "batch_output", "fine-tune-results"])
def test_output_purposes_are_read_only_before_any_request(fs, server, purpose):
    path = f"openai://{purpose}/out.jsonl"
    with pytest.raises(PermissionError, match=f"{purpose!r} is read-only"):
        fs.pipe_file(path, b"x")
    with pytest.raises(PermissionError):
        fs.open(path, "wb")
    assert server.stats()["requests"] == {}


def test_unknown_purpose_is_a_value_error_before_any_request(fs, server):
    with pytest.raises(ValueError, match="cannot write to purpose 'nonsense'"):
        fs.pipe_file("openai://nonsense/a.txt", b"x")
    assert server.stats()["requests"] == {}


@pytest.mark.parametrize(
    "path", ["openai://user_data/sub//a.txt", "openai://user_data/a/../c.txt", "openai://Bad/a.txt"]
)
def test_bad_paths_are_value_errors_before_any_request(fs, server, path):
    with pytest.raises(ValueError):
        fs.pipe_file(path, b"x")
    with pytest.raises(ValueError):
        fs.open(path, "wb")
    assert server.stats()["requests"] == {}


@pytest.mark.parametrize("path", ["openai://user_data", "openai://", "openai://user_data/"])
def test_writing_to_a_directory_is_refused(fs, server, path):
    with pytest.raises(IsADirectoryError):
        fs.pipe_file(path, b"x")
    assert server.stats()["requests"] == {}


def test_the_8_gb_ceiling_is_refused_before_any_byte(fs, server):
    with pytest.raises(ValueError, match="8000000001 bytes is over the service's limit"):
        fs.open("openai://user_data/huge.bin", "wb", size=8_000_000_001)
    assert server.stats()["requests"] == {}
    f = fs.open("openai://user_data/ok.bin", "wb", size=8_000_000_000)  # at the ceiling: allowed
    f.discard()
