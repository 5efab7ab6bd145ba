"""Server defects found by the OpenAPI fuzz run (test_fuzz_openapi.py), one test each.

Each runs its own server and stops it before looking at the logs, so a traceback logged after
the answer was sent is still seen.
"""

from __future__ import annotations

import logging

import pytest
import requests

from openaifs.testing import LocalServer


@pytest.fixture
def logged_errors(caplog):
    """The errors and tracebacks the server side logs during the test (read after it stops)."""
    caplog.set_level(logging.WARNING)

    def errors():
        return [
            f"{r.name}: {r.getMessage()}"
            for r in caplog.records
            if r.name.startswith(("openaifs.server", "aiohttp", "asyncio"))
            and (r.levelno >= logging.ERROR or r.exc_info)
        ]

    return errors


@pytest.mark.parametrize(
    "server_options, header, status",
    [
        ({}, {}, 200),
        ({"per_connection_bps": 10_000}, {}, 200),  # the shaped path
        ({"honour_range": True}, {"Range": "bytes=0-"}, 416),  # no byte of an empty file
    ],
)
def test_download_of_an_empty_file_logs_no_traceback(logged_errors, server_options, header, status):
    # sendfile refuses a count of 0: every download of a 0-byte file logged a ValueError.
    with LocalServer(**server_options) as server:
        client = server.sdk()
        empty = client.files.create(file=("empty.txt", b""), purpose="user_data")
        auth = {"Authorization": f"Bearer {server.api_key}"}
        answer = requests.get(
            f"{server.base_url}/files/{empty.id}/content", headers={**auth, **header}, timeout=10
        )
        assert client.files.content(empty.id).content == b""
        client.close()
    assert answer.status_code == status
    if status == 200:
        assert answer.content == b"" and answer.headers["Content-Length"] == "0"
    assert answer.headers["x-request-id"].startswith("req_")
    assert logged_errors() == []


@pytest.mark.parametrize("api_keys, status", [((), 200), (("sk-only",), 401)])
def test_a_key_that_is_not_utf8_is_an_unknown_key_not_a_body_error(api_keys, status):
    # Found probing by hand: such a key failed to hash and was answered "Could not parse the
    # request body" (400), which pointed at the wrong thing.
    with LocalServer(api_keys=api_keys) as server:
        answer = requests.get(
            server.base_url + "/files", headers={"Authorization": b"Bearer sk-\xff\xfe"}, timeout=10
        )
    assert answer.status_code == status, answer.text
    if status == 401:
        assert answer.json()["error"]["code"] == "invalid_api_key"
