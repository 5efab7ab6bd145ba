"""Scripted faults: status, drop, drop_after, stall, truncate, with hit counters."""

from __future__ import annotations

import http.client
import time

import openai
import pytest
import requests
from server_helpers import assert_error


def test_status_fault_with_retry_headers(openaifs_server, raw):
    fault = openaifs_server.add_fault("files.list", status=429, retry_after=2, retry_after_ms=150)
    assert fault["remaining"] == 1 and fault["hits"] == 0 and fault["id"]
    answer = raw("GET", "/files")
    error = assert_error(answer, 429)
    assert error["code"] == "rate_limit_exceeded"
    assert answer.headers["retry-after"] == "2" and answer.headers["retry-after-ms"] == "150"
    assert raw("GET", "/files").status_code == 200  # fired once only
    [listed] = openaifs_server.faults()
    assert (listed["hits"], listed["remaining"]) == (1, 0)


def test_status_fault_does_not_perform_the_operation(openaifs_server, raw):
    openaifs_server.add_fault("files.create", status=500, times=2)
    assert_error(raw.upload_file(b"x"), 500)
    assert_error(raw.upload_file(b"x"), 500)
    assert raw("GET", "/files").json()["data"] == []
    assert raw.upload_file(b"x").status_code == 200


def test_sdk_retries_through_a_503(openaifs_server):
    openaifs_server.add_fault("files.list", status=503, retry_after_ms=10)
    client = openaifs_server.sdk(max_retries=1)
    assert list(client.files.list()) == []
    assert openaifs_server.stats()["requests"]["files.list"] == 2
    client.close()


def test_faults_fire_in_creation_order(openaifs_server, raw):
    openaifs_server.add_fault("files.retrieve", status=500)
    openaifs_server.add_fault("files.retrieve", status=502, times=2)
    openaifs_server.add_fault("files.list", status=503)
    codes = [raw("GET", "/files/file-x").status_code for _ in range(4)]
    assert codes == [500, 502, 502, 404]
    assert [f["hits"] for f in openaifs_server.faults()] == [1, 2, 0]
    openaifs_server.clear_faults()
    assert openaifs_server.faults() == []
    assert raw("GET", "/files").status_code == 200


def test_drop_performs_nothing(openaifs_server, raw):
    openaifs_server.add_fault("files.create", "drop")
    with pytest.raises(requests.ConnectionError):
        raw.upload_file(b"lost")
    assert raw("GET", "/files").json()["data"] == []
    assert openaifs_server.faults()[0]["hits"] == 1


def test_drop_after_performs_the_operation(openaifs_server, openaifs_sdk):
    openaifs_server.add_fault("files.create", "drop_after")
    with pytest.raises(openai.APIConnectionError):
        openaifs_sdk.files.create(file=("a.txt", b"kept"), purpose="user_data")
    [created] = openaifs_sdk.files.list()
    assert openaifs_sdk.files.content(created.id).content == b"kept"


def test_drop_after_complete_completes_the_upload(openaifs_server, openaifs_sdk):
    upload = openaifs_sdk.uploads.create(
        bytes=1, filename="a", mime_type="text/plain", purpose="user_data"
    )
    part = openaifs_sdk.uploads.parts.create(upload.id, data=b"z")
    openaifs_server.add_fault("uploads.complete", "drop_after")
    with pytest.raises(openai.APIConnectionError):
        openaifs_sdk.uploads.complete(upload.id, part_ids=[part.id])
    [created] = openaifs_sdk.files.list()
    assert created.bytes == 1


def test_stall_delays_then_performs(openaifs_server, raw):
    openaifs_server.add_fault("files.create", "stall", seconds=0.5)
    started = time.monotonic()
    assert raw.upload_file(b"slow").status_code == 200
    assert time.monotonic() - started >= 0.5 * 0.8
    assert len(raw("GET", "/files").json()["data"]) == 1


def test_truncate_content(openaifs_server, openaifs_sdk):
    data = bytes(range(256)) * 64
    created = openaifs_sdk.files.create(file=("a.bin", data), purpose="user_data")
    openaifs_server.add_fault("files.content", "truncate", after_bytes=1000)
    connection = http.client.HTTPConnection("127.0.0.1", int(openaifs_server.url.rsplit(":", 1)[1]))
    connection.request(
        "GET",
        f"/v1/files/{created.id}/content",
        headers={"Authorization": f"Bearer {openaifs_server.api_key}"},
    )
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Length") == str(len(data))
    with pytest.raises(http.client.IncompleteRead) as info:
        response.read()
    assert info.value.partial == data[:1000]
    connection.close()
    assert openaifs_sdk.files.content(created.id).content == data  # next call is whole


def test_truncate_json_answer(openaifs_server, raw):
    openaifs_server.add_fault("files.list", "truncate", after_bytes=5)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        raw("GET", "/files")


def test_drop_on_part_upload_keeps_no_part(openaifs_server, openaifs_sdk):
    upload = openaifs_sdk.uploads.create(
        bytes=2, filename="a", mime_type="text/plain", purpose="user_data"
    )
    openaifs_server.add_fault("uploads.parts.create", "drop")
    with pytest.raises(openai.APIConnectionError):
        openaifs_sdk.uploads.parts.create(upload.id, data=b"x")
    part = openaifs_sdk.uploads.parts.create(upload.id, data=b"xy")
    assert openaifs_sdk.uploads.complete(upload.id, part_ids=[part.id]).status == "completed"


def test_bad_fault_specs(openaifs_server):
    for spec in ({"operation": "files.copy"}, {"operation": "files.list", "kind": "explode"}):
        with pytest.raises(RuntimeError, match="400"):
            openaifs_server._control("POST", "faults", spec)
    with pytest.raises(RuntimeError, match="400"):
        openaifs_server.add_fault("files.list", times=-1)


def test_stats_count_requests_and_bytes(openaifs_server, openaifs_sdk):
    openaifs_server.clear_stats()
    created = openaifs_sdk.files.create(file=("a.txt", b"x" * 1000), purpose="user_data")
    openaifs_sdk.files.content(created.id)
    stats = openaifs_server.stats()
    assert stats["requests"] == {"files.create": 1, "files.content": 1}
    assert stats["bytes_in"] >= 1000 and stats["bytes_out"] >= 1000
    openaifs_server.clear_stats()
    assert openaifs_server.stats() == {
        "requests": {},
        "bytes_in": 0,
        "bytes_out": 0,
        "complete_hashed_bytes": 0,
    }


def test_controls_are_off_by_default():
    from openaifs.testing import ServerProcess

    with ServerProcess(enable_controls=False) as server:
        answer = requests.post(server.url + "/_openaifs/reset", timeout=10)
        assert_error(answer, 404)
