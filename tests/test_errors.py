"""Service errors as built-in exceptions, their messages, and keeping the API key secret."""

from __future__ import annotations

import errno
import json
import logging
import pickle
import re

import pytest
from fs_support import make_fs

from openaifs import OpenAIFileSystem, errors
from openaifs.errors import STATUS_EXCEPTIONS, exception_for_status, http_error
from openaifs.testing import LocalServer

GOOD_KEY = "sk-good-0123456789abcdef"
BAD_KEY = "sk-wrong-9876543210fedcba"
REQUEST_ID = re.compile(r"req_[0-9a-f]+")


OPENAI_404 = b'{"error": {"message": "No such File object: file-abc", "param": "id"}}'


@pytest.mark.parametrize(
    ("status", "kind", "builtin", "number"),
    [
        (400, errors.BadRequest, ValueError, errno.EINVAL),
        (401, errors.AuthenticationFailed, PermissionError, errno.EACCES),
        (403, errors.PermissionDenied, PermissionError, errno.EACCES),
        (404, errors.FileNotFound, FileNotFoundError, errno.ENOENT),
        (408, errors.RequestTimeout, TimeoutError, errno.ETIMEDOUT),
        (409, errors.Conflict, OSError, errno.EBUSY),
        (413, errors.BadRequest, ValueError, errno.EINVAL),
        (418, errors.BadRequest, ValueError, errno.EINVAL),
        (422, errors.BadRequest, ValueError, errno.EINVAL),
        (429, errors.RateLimited, OSError, errno.EAGAIN),
        (500, errors.ServerError, OSError, errno.EIO),
        (502, errors.ServerError, OSError, errno.EIO),
        (503, errors.ServerError, OSError, errno.EIO),
        (504, errors.ServerError, OSError, errno.EIO),
    ],
)
def test_status_table_gives_typed_errors_that_are_the_builtins(status, kind, builtin, number):
    assert exception_for_status(status) is kind
    exc = http_error(status, OPENAI_404, None, operation="GET /files/file-abc")
    assert type(exc) is kind
    assert isinstance(exc, builtin) and isinstance(exc, errors.OpenAIFSError)
    assert exc.errno == number
    assert exc.status == status


def test_table_holds_only_the_listed_statuses():
    assert sorted(STATUS_EXCEPTIONS) == [400, 401, 403, 404, 408, 409, 413, 422, 429]


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (429, "insufficient_quota", errors.QuotaExceeded),
        (429, "rate_limit_exceeded", errors.RateLimited),
        (401, "invalid_api_key", errors.AuthenticationFailed),
        (400, None, errors.BadRequest),
    ],
)
def test_service_code_refines_the_status(status, code, kind):
    body = json.dumps({"error": {"message": "m", "code": code}}).encode()
    exc = http_error(status, body, None)
    assert type(exc) is kind
    assert exc.code == code


def test_quota_exceeded_has_errno_edquot():
    body = (
        b'{"error": {"message": "You exceeded your current quota", "code": "insufficient_quota"}}'
    )
    assert http_error(429, body, None).errno == errno.EDQUOT


def test_every_class_is_exported_and_derives_from_a_builtin():
    classes = [getattr(errors, name) for name in errors.__all__ if name[0].isupper()]
    classes = [c for c in classes if isinstance(c, type)]
    assert len(classes) == 14
    for kind in classes:
        assert issubclass(kind, errors.OpenAIFSError)
        if kind is not errors.OpenAIFSError:
            assert issubclass(kind, (OSError, ValueError)), kind


def test_message_and_attributes_from_an_openai_error_body():
    body = (
        b'{"error": {"message": "No such File object: file-abc", "type": '
        b'"invalid_request_error", "param": "id", "code": null}}'
    )
    exc = http_error(404, body, "req_123", path="openai://file-abc", operation="GET /files/x")
    assert str(exc) == (
        "openai://file-abc: HTTP 404: No such File object: file-abc (request id req_123)"
    )
    assert (exc.status, exc.request_id, exc.param, exc.code) == (404, "req_123", "id", None)
    assert exc.service_message == "No such File object: file-abc"
    assert exc.path == exc.filename == "openai://file-abc"


def test_message_from_a_body_that_is_not_json_names_the_operation():
    exc = http_error(502, b"<html>Bad Gateway</html>", None, operation="GET /files")
    assert type(exc) is errors.ServerError
    assert str(exc) == "GET /files: HTTP 502: <html>Bad Gateway</html>"


@pytest.mark.parametrize("kind", [errors.FileNotFound, errors.BadRequest, errors.ConnectionFailed])
def test_errors_pickle_whole(kind):
    exc = kind("p: HTTP 4xx: m", status=404, code="c", param="id", request_id="req_1", path="p")
    clone = pickle.loads(pickle.dumps(exc))
    assert type(clone) is kind
    assert str(clone) == str(exc)
    assert vars(clone) == vars(exc)
    assert clone.errno == exc.errno


def test_not_found_names_path_status_service_message_and_request_id(fs):
    with pytest.raises(FileNotFoundError) as info:
        fs.info("openai://file-doesnotexist")
    message = str(info.value)
    assert message.startswith("openai://file-doesnotexist: HTTP 404: ")
    assert "No such File object: file-doesnotexist" in message
    assert info.value.request_id in message
    assert REQUEST_ID.fullmatch(info.value.request_id)
    assert info.value.status == 404


def test_server_error_beyond_retries_names_status_and_request_id(server, fs):
    server.add_fault("files.retrieve", status=500, times=3)
    with pytest.raises(OSError) as info:
        fs.info("openai://file-abc")
    assert type(info.value) is errors.ServerError
    assert str(info.value).startswith("openai://file-abc: HTTP 500: ")
    assert "The server had an error processing your request" in str(info.value)
    assert REQUEST_ID.search(str(info.value))


def test_missing_named_file_names_the_path(fs):
    with pytest.raises(FileNotFoundError, match=r"^openai://batch/nope\.jsonl: no such file$"):
        fs.info("batch/nope.jsonl")


def test_unknown_purpose_is_a_value_error(fs):
    with pytest.raises(ValueError, match="'no-such-purpose' is not a purpose"):
        fs.ls("openai://no-such-purpose")


@pytest.fixture(scope="module")
def keyed_server():
    """A server that accepts only ``GOOD_KEY``."""
    with LocalServer(api_keys=[GOOD_KEY]) as server:
        yield server


@pytest.fixture
def keyed(keyed_server):
    keyed_server.reset()
    return keyed_server


def test_bad_key_is_a_permission_error_naming_status_and_request_id(keyed):
    fs = make_fs(keyed, api_key=BAD_KEY)
    with pytest.raises(PermissionError) as info:
        fs.ls("openai://batch")
    assert "HTTP 401" in str(info.value)
    assert "Incorrect API key provided" in str(info.value)
    assert REQUEST_ID.search(str(info.value))
    assert info.value.code == "invalid_api_key"


@pytest.mark.parametrize("path", ["batch/a.jsonl", "file-abc123", "no-such-purpose"])
def test_exists_raises_on_a_bad_key(keyed, path):
    fs = make_fs(keyed, api_key=BAD_KEY)
    with pytest.raises(PermissionError, match="HTTP 401"):
        fs.exists(path)


def test_exists_without_any_key_raises(keyed, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    fs = make_fs(keyed, api_key=None)
    with pytest.raises(PermissionError, match="no API key"):
        fs.exists("batch/a.jsonl")


def test_good_key_works_on_the_keyed_server(keyed):
    fs = make_fs(keyed, api_key=GOOD_KEY)
    fs.pipe("user_data/a.txt", b"x")
    assert fs.exists("user_data/a.txt")


SECRET = "sk-env-secret-key-ABCDEFGHIJKLMNOP"


def env_fs(server, monkeypatch):
    """A filesystem whose key and base URL come from the environment only.

    Parameters
    ----------
    server : openaifs.testing.ServerControls
        The server that ``OPENAI_BASE_URL`` points at.
    monkeypatch : pytest.MonkeyPatch
        Sets ``OPENAI_API_KEY`` to :data:`SECRET` for the test.
    """
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    return OpenAIFileSystem(skip_instance_cache=True, backoff_initial=0.01, backoff_max=0.02)


def assert_secret_absent(*texts):
    """Neither the key nor its tail appears in any of ``texts``."""
    for text in texts:
        assert SECRET not in text
        assert SECRET[-8:] not in text


def test_env_key_is_not_in_a_rejected_request_error(keyed, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    fs = env_fs(keyed, monkeypatch)
    with pytest.raises(PermissionError) as info:
        fs.ls("openai://batch")
    assert "Incorrect API key provided: sk-***MNOP" in str(info.value)
    assert_secret_absent(repr(fs), str(fs), repr(fs.client), str(info.value), caplog.text)
    assert SECRET.encode() not in pickle.dumps(fs)


def test_env_key_is_not_in_logs_or_errors_after_retries(server, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    fs = env_fs(server, monkeypatch)
    server.add_fault("files.retrieve", status=503, times=1)
    server.add_fault("files.retrieve", "drop", times=1)
    with pytest.raises(FileNotFoundError) as info:
        fs.info("openai://file-gone")
    assert "answered 503" in caplog.text  # both retries were logged...
    assert "GET /files/file-gone failed" in caplog.text
    messages = [r.getMessage() for r in caplog.records]
    assert_secret_absent(str(info.value), repr(info.value), caplog.text, *messages)
    assert SECRET.encode() not in pickle.dumps(fs)


@pytest.mark.parametrize(
    ("exc", "name"),
    [
        (errors.FileNotFound("m"), "FileNotFoundError"),
        (errors.BadRequest("m"), "ValueError"),
        (errors.ServerError("m"), "OSError"),
        (errors.EndpointNotFound("m"), "ConnectionError"),
        (KeyError("k"), "KeyError"),
    ],
)
def test_reports_name_the_builtin_a_typed_error_is(exc, name):
    assert errors.builtin_name(exc) == name
