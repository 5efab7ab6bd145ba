"""Server defects found by the OpenAPI fuzz run (test_fuzz_openapi.py), one test each.

Each runs its own server and stops it before looking at the logs, so a traceback logged after
the answer was sent is still seen.
"""

from __future__ import annotations

import json
import logging
import socket
import time

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


# -- found by a bad-input probe beside the fuzz run (bodies schemathesis does not send) -----------


def post(server, path, data: bytes, content_type: str, **headers) -> requests.Response:
    headers = {"Authorization": f"Bearer {server.api_key}", "Content-Type": content_type, **headers}
    return requests.post(server.base_url + path, data=data, headers=headers, timeout=10)


def multipart_body(*parts: tuple[bytes, bytes]) -> bytes:
    """A multipart/form-data body (boundary ``b0``) of (headers, content) parts."""
    chunks = [b"--b0\r\n" + head + b"\r\n\r\n" + content + b"\r\n" for head, content in parts]
    return b"".join(chunks) + b"--b0--\r\n"


MULTIPART = "multipart/form-data; boundary=b0"
PURPOSE = (b'Content-Disposition: form-data; name="purpose"', b"user_data")


def pending_upload(server) -> str:
    spec = {"bytes": 1, "filename": "a.txt", "mime_type": "text/plain", "purpose": "user_data"}
    return server.sdk().uploads.create(**spec).id


def assert_refused(answer: requests.Response, server: LocalServer, param=None) -> dict:
    """A 400 in the service's shape, and nothing stored."""
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param, error
    assert list(server.sdk().files.list()) == []
    return error


@pytest.mark.parametrize(
    "path, content_type",
    [("/uploads", "application/json"), ("/files", MULTIPART)],
)
@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_body_whose_content_encoding_does_not_decode_is_a_400_not_a_500(
    logged_errors, path, content_type, encoding
):
    # aiohttp raised RequestPayloadError, which the server answered 500 with a traceback.
    with LocalServer() as server:
        encoded = {"Content-Encoding": encoding}
        answer = post(server, path, b"not compressed", content_type, **encoded)
        error = assert_refused(answer, server)
        assert f"Can not decode content-encoding: {encoding}" in error["message"]
    assert logged_errors() == []


def test_json_nested_too_deep_is_a_400_not_a_500(logged_errors):
    # json.loads raised RecursionError (not a ValueError): 500 with a traceback.
    deep = b"[" * 100_000 + b"]" * 100_000
    with LocalServer() as server:
        assert_refused(post(server, "/uploads", deep, "application/json"), server)
        upload = pending_upload(server)
        answer = post(server, f"/uploads/{upload}/complete", deep, "application/json")
        assert answer.status_code == 400
    assert logged_errors() == []


def test_a_part_that_is_itself_multipart_is_stored_as_its_bytes_not_a_500(logged_errors):
    # aiohttp's reader handed back a MultipartReader for such a part and the handlers failed
    # on it (500). The server's own form reader takes a part's bytes as they are, whatever
    # its Content-Type says, as the file's content.
    nested = (
        b'Content-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        b"Content-Type: multipart/mixed; boundary=inner",
        b"--inner\r\n\r\nx\r\n--inner--",
    )
    body = multipart_body(nested, PURPOSE)
    with LocalServer() as server:
        answer = post(server, "/files", body, MULTIPART)
        assert answer.status_code == 200
        assert server.sdk().files.content(answer.json()["id"]).content == nested[1]
        upload = pending_upload(server)
        as_data = (nested[0].replace(b'name="file"', b'name="data"'), nested[1])
        answer = post(server, f"/uploads/{upload}/parts", multipart_body(as_data), MULTIPART)
        assert answer.status_code == 200
    assert logged_errors() == []


def test_a_filename_that_is_not_utf8_is_a_400_and_keeps_nothing(logged_errors):
    # It reached SQLite as surrogates: a 400 that blamed "the request body", after the content
    # had been stored (an orphan on disk until restart).
    head = b'Content-Disposition: form-data; name="file"; filename="caf\xe9.txt"'
    body = multipart_body((head, b"content"), PURPOSE)
    with LocalServer() as server:
        error = assert_refused(post(server, "/files", body, MULTIPART), server, "file")
        assert error["message"] == "Invalid filename of 'file': it is not valid UTF-8 text."
        spec = {"bytes": 1, "filename": "a.txt", "mime_type": "text/plain", "purpose": "user_data"}
        for field in ("filename", "mime_type"):
            # A lone surrogate escape: valid JSON syntax, not valid text.
            text = json.dumps({**spec, field: "a@"}).replace("@", "\\udc80")
            answer = post(server, "/uploads", text.encode(), "application/json")
            assert answer.status_code == 400 and answer.json()["error"]["param"] == field
    assert logged_errors() == []


@pytest.mark.parametrize("value", [2**63, "Infinity", "NaN", "-Infinity"])
def test_a_setting_beyond_64_bits_or_not_finite_is_refused(openaifs_server, value):
    # max_upload_size=2**64 let an Upload of 2**63 bytes through to SQLite: OverflowError, 500;
    # Infinity as a whole-number setting raised OverflowError in the check itself.
    for name in ("max_upload_size", "latency_ms"):
        answer = requests.post(
            openaifs_server.url + "/_openaifs/config",
            data=f'{{"{name}": {value}}}',
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert answer.status_code == 400, answer.text
        assert "must be a number between 0 and 9223372036854775807" in answer.text
    assert openaifs_server.configure()["max_upload_size"] == 8_000_000_000


def test_the_largest_upload_size_setting_is_storable(openaifs_server, openaifs_sdk):
    openaifs_server.configure(max_upload_size=2**63 - 1)
    spec = {"filename": "a.txt", "mime_type": "text/plain", "purpose": "user_data"}
    assert openaifs_sdk.uploads.create(bytes=2**63 - 1, **spec).bytes == 2**63 - 1


def test_malformed_http_is_logged_as_one_line_not_a_traceback(caplog):
    # aiohttp logged every malformed request at ERROR with a traceback, as if the server failed.
    caplog.set_level(logging.WARNING)
    with LocalServer() as server:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(b"GET /v1/files HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.0 400")
        sock.close()
    records = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert [(r.levelname, r.exc_info) for r in records] == [("WARNING", None)]
    assert "Invalid character in Content-Length" in records[0].getMessage()


def test_a_client_gone_mid_body_is_logged_as_one_line_not_a_traceback(caplog):
    # A cancelled upload drops its part requests mid-body: aiohttp logged each at ERROR
    # with a traceback ("Error handling request ... ConnectionResetError: Connection lost").
    caplog.set_level(logging.WARNING)
    with LocalServer() as server:
        upload = server.sdk().uploads.create(
            bytes=100_000, filename="x", mime_type="text/plain", purpose="user_data"
        )
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(
            b"POST /v1/uploads/" + upload.id.encode() + b"/parts HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer " + server.api_key.encode() + b"\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
            b'--b\r\nContent-Disposition: form-data; name="data"; filename="x"\r\n\r\nabc'
        )
        time.sleep(0.2)  # the handler is reading the body
        sock.close()
        deadline = time.monotonic() + 10
        while not [r for r in caplog.records if r.name == "aiohttp.server"]:
            assert time.monotonic() < deadline, "nothing was logged"
            time.sleep(0.02)
    records = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert [(r.levelname, r.exc_info) for r in records] == [("WARNING", None)]
    assert "went away" in records[0].getMessage()
