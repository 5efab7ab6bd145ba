"""The Uploads API through the official SDK."""

from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor

import openai
import pytest
import requests
from server_helpers import assert_error

from openaifs.testing import LocalServer

UPLOAD_FIELDS = {
    "id",
    "object",
    "bytes",
    "created_at",
    "expires_at",
    "filename",
    "purpose",
    "status",
    "file",
}


def new_upload(sdk, size, **kwargs):
    kwargs = {
        "filename": "data.bin",
        "mime_type": "application/octet-stream",
        "purpose": "user_data",
        **kwargs,
    }
    return sdk.uploads.create(bytes=size, **kwargs)


def test_create_returns_a_pending_upload(openaifs_sdk, raw):
    body = {"bytes": 10, "filename": "a.jsonl", "mime_type": "text/jsonl", "purpose": "fine-tune"}
    answer = raw("POST", "/uploads", json=body).json()
    assert set(answer) == UPLOAD_FIELDS
    assert answer["id"].startswith("upload_") and len(answer["id"]) == len("upload_") + 24
    assert answer["status"] == "pending" and answer["file"] is None
    assert answer["expires_at"] == answer["created_at"] + 3600


@pytest.mark.parametrize("field", ["bytes", "filename", "mime_type", "purpose"])
def test_create_requires_every_field(raw, field):
    body = {"bytes": 10, "filename": "a.txt", "mime_type": "text/plain", "purpose": "user_data"}
    del body[field]
    assert_error(raw("POST", "/uploads", json=body), 400, field, f"'{field}'")


def test_create_refuses_bad_values(raw):
    base = {"bytes": 10, "filename": "a.txt", "mime_type": "text/plain", "purpose": "user_data"}
    assert_error(raw("POST", "/uploads", json={**base, "bytes": -1}), 400, "bytes")
    assert_error(raw("POST", "/uploads", json={**base, "bytes": "10"}), 400, "bytes")
    assert_error(raw("POST", "/uploads", json={**base, "purpose": "batch_output"}), 400, "purpose")
    assert_error(raw("POST", "/uploads", json={**base, "purpose": "batch"}), 400, "file")
    too_big = {**base, "bytes": 8_000_000_001}
    assert_error(raw("POST", "/uploads", json=too_big), 400, "bytes", "8000000000")
    assert raw("POST", "/uploads", json={**base, "bytes": 8_000_000_000}).status_code == 200
    assert_error(raw("POST", "/uploads", data=b"not json"), 400, None, "JSON")


def test_parts_in_parallel_and_out_of_order(openaifs_sdk):
    chunks = [bytes([i]) * (1000 + i) for i in range(8)]
    upload = new_upload(openaifs_sdk, sum(map(len, chunks)))
    with ThreadPoolExecutor(4) as pool:
        parts = list(
            pool.map(
                lambda c: openaifs_sdk.uploads.parts.create(upload.id, data=c), reversed(chunks)
            )
        )[::-1]
    assert all(p.object == "upload.part" and p.upload_id == upload.id for p in parts)
    assert all(p.id.startswith("part_") for p in parts)
    whole = b"".join(chunks)
    done = openaifs_sdk.uploads.complete(
        upload.id, part_ids=[p.id for p in parts], md5=hashlib.md5(whole).hexdigest()
    )
    assert done.status == "completed"
    assert (done.file.bytes, done.file.filename, done.file.purpose) == (
        len(whole),
        "data.bin",
        "user_data",
    )
    assert openaifs_sdk.files.content(done.file.id).content == whole
    assert openaifs_sdk.files.retrieve(done.file.id) == done.file


def test_complete_follows_part_ids_order(openaifs_sdk):
    upload = new_upload(openaifs_sdk, 6)
    a = openaifs_sdk.uploads.parts.create(upload.id, data=b"aaa")
    b = openaifs_sdk.uploads.parts.create(upload.id, data=b"bbb")
    done = openaifs_sdk.uploads.complete(upload.id, part_ids=[b.id, a.id])
    assert openaifs_sdk.files.content(done.file.id).content == b"bbbaaa"


def test_unlisted_parts_are_ignored(openaifs_sdk):
    upload = new_upload(openaifs_sdk, 3)
    openaifs_sdk.uploads.parts.create(upload.id, data=b"spare")
    used = openaifs_sdk.uploads.parts.create(upload.id, data=b"abc")
    done = openaifs_sdk.uploads.complete(upload.id, part_ids=[used.id])
    assert openaifs_sdk.files.content(done.file.id).content == b"abc"


def test_bad_md5_and_bytes_mismatch_leave_the_upload_pending(openaifs_sdk):
    upload = new_upload(openaifs_sdk, 4)
    part = openaifs_sdk.uploads.parts.create(upload.id, data=b"abc")
    with pytest.raises(openai.BadRequestError) as info:
        openaifs_sdk.uploads.complete(upload.id, part_ids=[part.id])
    assert info.value.body["param"] == "bytes"
    last = openaifs_sdk.uploads.parts.create(upload.id, data=b"d")
    with pytest.raises(openai.BadRequestError) as info:
        openaifs_sdk.uploads.complete(upload.id, part_ids=[part.id, last.id], md5="0" * 32)
    assert info.value.body["param"] == "md5"
    with pytest.raises(openai.BadRequestError) as info:
        openaifs_sdk.uploads.complete(upload.id, part_ids=[part.id, last.id], md5="xyz")
    assert info.value.body["param"] == "md5"
    assert list(openaifs_sdk.files.list()) == []
    md5 = hashlib.md5(b"abcd").hexdigest().upper()  # upper case is accepted too
    done = openaifs_sdk.uploads.complete(upload.id, part_ids=[part.id, last.id], md5=md5)
    assert done.status == "completed"


def test_unknown_and_duplicate_part_ids(openaifs_sdk, raw):
    upload = new_upload(openaifs_sdk, 2)
    other = new_upload(openaifs_sdk, 1)
    part = openaifs_sdk.uploads.parts.create(upload.id, data=b"x")
    foreign = openaifs_sdk.uploads.parts.create(other.id, data=b"y")
    path = f"/uploads/{upload.id}/complete"
    assert_error(raw("POST", path, json={"part_ids": [part.id, foreign.id]}), 400, "part_ids")
    assert_error(raw("POST", path, json={"part_ids": [part.id, part.id]}), 400, "part_ids")
    assert_error(raw("POST", path, json={}), 400, "part_ids")
    assert_error(raw("POST", path, json={"part_ids": "part_x"}), 400, "part_ids")


def test_cancel(openaifs_sdk):
    upload = new_upload(openaifs_sdk, 1)
    part = openaifs_sdk.uploads.parts.create(upload.id, data=b"x")
    cancelled = openaifs_sdk.uploads.cancel(upload.id)
    assert cancelled.status == "cancelled" and cancelled.file is None
    assert openaifs_sdk.uploads.cancel(upload.id).status == "cancelled"  # idempotent
    with pytest.raises(openai.BadRequestError):
        openaifs_sdk.uploads.parts.create(upload.id, data=b"x")
    with pytest.raises(openai.BadRequestError):
        openaifs_sdk.uploads.complete(upload.id, part_ids=[part.id])
    assert list(openaifs_sdk.files.list()) == []


def test_completed_upload_refuses_parts_complete_and_cancel(openaifs_sdk):
    upload = new_upload(openaifs_sdk, 1)
    part = openaifs_sdk.uploads.parts.create(upload.id, data=b"x")
    openaifs_sdk.uploads.complete(upload.id, part_ids=[part.id])
    for call in (
        lambda: openaifs_sdk.uploads.parts.create(upload.id, data=b"x"),
        lambda: openaifs_sdk.uploads.complete(upload.id, part_ids=[part.id]),
        lambda: openaifs_sdk.uploads.cancel(upload.id),
    ):
        with pytest.raises(openai.BadRequestError) as info:
            call()
        assert "completed" in info.value.body["message"]
    assert len(list(openaifs_sdk.files.list())) == 1


def test_expiry_via_clock(openaifs_sdk, openaifs_server):
    openaifs_server.freeze_clock()  # a second ticking mid-test would cross the deadline
    upload = new_upload(openaifs_sdk, 2)
    part = openaifs_sdk.uploads.parts.create(upload.id, data=b"x")
    openaifs_server.advance_clock(3599)
    second = openaifs_sdk.uploads.parts.create(upload.id, data=b"y")
    openaifs_server.advance_clock(1)
    with pytest.raises(openai.BadRequestError) as info:
        openaifs_sdk.uploads.parts.create(upload.id, data=b"z")
    assert "expired" in info.value.body["message"]
    with pytest.raises(openai.BadRequestError):
        openaifs_sdk.uploads.complete(upload.id, part_ids=[part.id, second.id])


def test_unknown_upload_is_404(openaifs_sdk):
    with pytest.raises(openai.NotFoundError) as info:
        openaifs_sdk.uploads.cancel("upload_nope")
    assert info.value.body["message"] == "No such Upload object: upload_nope"
    assert info.value.body["param"] == "id"
    with pytest.raises(openai.NotFoundError):
        openaifs_sdk.uploads.parts.create("upload_nope", data=b"x")


def test_missing_data_field(openaifs_sdk, raw):
    upload = new_upload(openaifs_sdk, 1)
    answer = raw("POST", f"/uploads/{upload.id}/parts", files={"other": ("x", b"x")})
    assert_error(answer, 400, "data")


def test_sdk_upload_file_chunked(openaifs_sdk, openaifs_server, tmp_path):
    data = bytes(range(256)) * 40  # 10240 bytes -> 11 parts of 1000
    path = tmp_path / "train.jsonl"
    path.write_bytes(data)
    openaifs_server.clear_stats()
    done = openaifs_sdk.uploads.upload_file_chunked(
        file=path, mime_type="text/jsonl", purpose="fine-tune", part_size=1000
    )
    assert done.status == "completed" and done.file.filename == "train.jsonl"
    assert openaifs_server.stats()["requests"]["uploads.parts.create"] == 11
    assert openaifs_sdk.files.content(done.file.id).content == data


def three_part_file(sdk, sizes=(1000, 1, 2500)):
    """A file completed from parts of ``sizes`` (listed in order), and its bytes."""
    data = hashlib.sha256(b"parts").digest() * (sum(sizes) // 32 + 1)
    data = data[: sum(sizes)]
    upload = new_upload(sdk, len(data))
    part_ids, start = [], 0
    for size in sizes:
        part_ids.append(sdk.uploads.parts.create(upload.id, data=data[start : start + size]).id)
        start += size
    done = sdk.uploads.complete(upload.id, part_ids=part_ids, md5=hashlib.md5(data).hexdigest())
    return done.file.id, data


def test_ranges_across_the_parts_of_a_completed_upload(openaifs_sdk, openaifs_server, raw):
    # The completed file is served from its parts in place: ranges must cross their seams.
    file_id, data = three_part_file(openaifs_sdk)
    openaifs_server.configure(honour_range=True)
    for first, last in [
        (0, 3500),
        (990, 1010),
        (1000, 1000),
        (1000, 1001),
        (999, 3000),
        (3400, 3500),
    ]:
        answer = raw("GET", f"/files/{file_id}/content", headers={"Range": f"bytes={first}-{last}"})
        assert answer.status_code == 206
        assert answer.content == data[first : last + 1], (first, last)
    tail = raw("GET", f"/files/{file_id}/content", headers={"Range": "bytes=-2501"})
    assert tail.content == data[-2501:]


def test_shaped_and_truncated_downloads_of_a_completed_upload(openaifs_sdk, openaifs_server, raw):
    file_id, data = three_part_file(openaifs_sdk)
    openaifs_server.configure(per_connection_bps=10_000_000)  # the chunked path, not sendfile
    assert raw("GET", f"/files/{file_id}/content").content == data
    openaifs_server.configure(per_connection_bps=0)
    openaifs_server.add_fault("files.content", kind="truncate", after_bytes=1500)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        raw("GET", f"/files/{file_id}/content")


def test_deleting_a_completed_upload_frees_its_parts(tmp_path):
    with LocalServer(data_dir=tmp_path) as server:
        sdk = server.sdk()
        file_id, data = three_part_file(sdk)
        # Nothing was copied: the file's content is its three parts.
        assert len(os.listdir(tmp_path / "parts")) == 3
        assert os.listdir(tmp_path / "blobs") == []
        assert sdk.files.content(file_id).content == data
        sdk.files.delete(file_id)
        # The parts are unlinked just after the answer (unlinking can wait on the disk).
        deadline = time.monotonic() + 10
        while os.listdir(tmp_path / "parts") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert os.listdir(tmp_path / "parts") == []
    with LocalServer(data_dir=tmp_path) as server:  # and a restart keeps it that way
        assert server.sdk().files.list().data == []


def test_empty_upload_completed_without_parts_downloads_empty(openaifs_sdk, raw):
    # Its content is no parts at all, and no blob either: still a 200 with an empty body.
    upload = new_upload(openaifs_sdk, 0)
    done = openaifs_sdk.uploads.complete(upload.id, part_ids=[])
    answer = raw("GET", f"/files/{done.file.id}/content")
    assert (answer.status_code, answer.content) == (200, b"")
