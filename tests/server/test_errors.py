"""Error answers: their shape, messages, params, and x-request-id on every answer."""

from __future__ import annotations

import re

import openai
import pytest
import requests
from server_helpers import Raw, assert_error

REQUEST_ID = re.compile(r"req_[0-9a-f]{32}")


def test_not_found_through_the_sdk(openaifs_sdk):
    with pytest.raises(openai.NotFoundError) as info:
        openaifs_sdk.files.retrieve("file-abc123")
    assert info.value.status_code == 404
    assert info.value.body == {
        "message": "No such File object: file-abc123",
        "type": "invalid_request_error",
        "param": "id",
        "code": None,
    }
    assert REQUEST_ID.fullmatch(info.value.request_id)


def test_missing_key_is_401(openaifs_server):
    answer = Raw(openaifs_server, api_key="")("GET", "/files")
    error = assert_error(answer, 401)
    assert error["code"] == "invalid_api_key" and error["type"] == "invalid_request_error"


def test_bad_request_through_the_sdk(openaifs_sdk):
    with pytest.raises(openai.BadRequestError) as info:
        openaifs_sdk.files.create(file=("a.txt", b"x"), purpose="batch_output")
    assert info.value.body["param"] == "purpose"
    assert info.value.body["type"] == "invalid_request_error"


def test_unknown_route_and_method_answer_json(raw, openaifs_server):
    error = assert_error(raw("GET", "/nothing/here"), 404)
    assert error["message"] == "Invalid URL (GET /v1/nothing/here)."
    error = assert_error(raw("PUT", "/files"), 405)
    assert "PUT /v1/files" in error["message"]
    assert_error(requests.get(openaifs_server.url + "/", timeout=10), 404)


def test_request_id_on_every_answer(openaifs_sdk, openaifs_server, raw):
    created = openaifs_sdk.files.create(file=("a.txt", b"abc"), purpose="user_data")
    answers = [
        raw("GET", "/files"),
        raw("GET", f"/files/{created.id}/content"),
        raw("GET", "/files/file-missing"),
        raw("GET", "/files", params={"limit": 0}),
        Raw(openaifs_server, api_key="")("GET", "/files"),
        raw("GET", "/unknown"),
        requests.get(openaifs_server.url + "/_openaifs/stats", timeout=10),
    ]
    openaifs_server.add_fault("files.list", status=503)
    answers.append(raw("GET", "/files"))
    assert [a.status_code for a in answers] == [200, 200, 404, 400, 401, 404, 200, 503]
    ids = [a.headers["x-request-id"] for a in answers]
    assert all(REQUEST_ID.fullmatch(i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_malformed_multipart_is_400(raw):
    headers = {"Content-Type": "multipart/form-data; boundary=abc"}
    answer = raw("POST", "/files", data=b"--abc\r\nno headers end", headers=headers)
    assert_error(answer, 400)
    assert raw("GET", "/files").status_code == 200
