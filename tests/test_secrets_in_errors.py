"""No failure carries the API key or a base_url's credentials anywhere in its exception chain.

``requests``' exceptions hold the request they were raised for, and its headers hold
``Authorization: Bearer <key>``; chained as ``__cause__`` or ``__context__`` they would hand
the key to every traceback printer, error reporter and pickled dask result. Each test makes
one kind of failure happen for real, then walks everything reachable from the exception.
"""

from __future__ import annotations

import errno
import logging
import pickle
import socket
from typing import Any

import pytest
from foreign_server import foreign_server, fs_at
from fs_support import make_fs

from openaifs import errors
from openaifs.client import mask_userinfo
from openaifs.testing import LocalServer

SECRET = "sk-proj-secret-0123456789-ABCDEFGHIJKLMNOP"
PASSWORD = "hunter2-very-secret-password"


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def leaks(obj: Any, secret: str, where: str = "exc", seen: set[int] | None = None) -> list[str]:
    """Where ``secret`` is reachable from ``obj``: strings, containers, attributes, chains.

    Parameters
    ----------
    obj : object
        An exception, at first; then whatever it holds.
    secret : str
        The text that must not appear.
    where : str
        How ``obj`` was reached, for the report.
    seen : set of int, optional
        Ids already walked (object graphs have cycles).
    """
    seen = set() if seen is None else seen
    if isinstance(obj, (str, bytes)):
        text = obj if isinstance(obj, str) else obj.decode("latin-1")
        return [where] if secret in text else []
    if id(obj) in seen or isinstance(obj, (int, float, type(None))) or where.count(".") > 12:
        return []
    seen.add(id(obj))
    found: list[str] = []
    if isinstance(obj, BaseException):
        found += leaks(str(obj), secret, f"{where}.str", seen)
        found += leaks(repr(obj), secret, f"{where}.repr", seen)
        for name in ("args", "__cause__", "__context__"):
            found += leaks(getattr(obj, name), secret, f"{where}.{name}", seen)
    if isinstance(obj, dict):
        for key, value in obj.items():
            found += leaks(key, secret, f"{where}.key", seen)
            found += leaks(value, secret, f"{where}[{key!r}]", seen)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for i, item in enumerate(obj):
            found += leaks(item, secret, f"{where}[{i}]", seen)
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        found += leaks(vars(obj), secret, f"{where}.vars", seen)
    return found


def assert_no_secret(exc: BaseException, *secrets: str) -> None:
    """Neither secret (nor its tail) is reachable from ``exc`` or from its pickle."""
    for secret in secrets:
        for text in (secret, secret[-8:]):
            assert leaks(exc, text) == []
            assert text.encode() not in pickle.dumps(exc)


def failure_of(action) -> BaseException:
    """The exception ``action()`` raises."""
    with pytest.raises(Exception) as info:
        action()
    return info.value


@pytest.fixture
def secret_fs(server):
    """A filesystem on ``server`` whose key is :data:`SECRET`."""
    return make_fs(server, api_key=SECRET, max_retries=1)


def test_the_walk_finds_a_key_held_by_a_requests_exception(server):
    # Guard of the guard: what the client once chained (requests' exception, whose
    # request's headers hold the key) is found by the walk.
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {SECRET}"
    with pytest.raises(requests.ConnectionError) as info:
        session.get(f"http://127.0.0.1:{closed_port()}/v1/files")
    wrapped = ConnectionError("no answer")
    wrapped.__cause__ = info.value
    assert leaks(wrapped, SECRET)


def test_refused_connection_error_chain_holds_no_key(caplog):
    caplog.set_level(logging.DEBUG)
    fs = make_fs_at(f"http://127.0.0.1:{closed_port()}/v1")
    exc = failure_of(lambda: fs.ls("openai://user_data"))
    assert isinstance(exc, errors.ConnectionFailed) and isinstance(exc, ConnectionError)
    assert exc.errno == errno.ECONNREFUSED
    assert exc.__cause__ is None
    assert_no_secret(exc, SECRET)
    assert SECRET not in caplog.text


def make_fs_at(base_url: str):
    """A filesystem with key :data:`SECRET` at ``base_url``."""
    return fs_at(base_url, api_key=SECRET)


def test_timeout_error_chain_holds_no_key(server, caplog):
    caplog.set_level(logging.DEBUG)
    fs = make_fs(server, api_key=SECRET, max_retries=1, read_timeout=0.2)
    # The stall outlasts the read timeout many times over, so the client always gives up first.
    server.add_fault("files.retrieve", "stall", seconds=1, times=2)
    exc = failure_of(lambda: fs.info("openai://file-abc"))
    assert isinstance(exc, errors.RequestTimeout) and isinstance(exc, TimeoutError)
    assert exc.errno == errno.ETIMEDOUT
    assert_no_secret(exc, SECRET)
    assert SECRET not in caplog.text


def test_dropped_connection_error_chain_holds_no_key(server, secret_fs):
    server.add_fault("files.retrieve", "drop", times=2)
    exc = failure_of(lambda: secret_fs.info("openai://file-abc"))
    assert isinstance(exc, errors.ConnectionFailed)
    assert exc.errno == errno.ECONNRESET
    assert_no_secret(exc, SECRET)


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_4xx_error_chain_holds_no_key(server, secret_fs, status):
    server.add_fault("files.retrieve", status=status)
    exc = failure_of(lambda: secret_fs.info("openai://file-abc"))
    assert exc.status == status
    assert_no_secret(exc, SECRET)


def test_rejected_key_error_chain_holds_no_key():
    with LocalServer(api_keys=["sk-the-only-good-key-000000"]) as keyed:
        exc = failure_of(lambda: make_fs(keyed, api_key=SECRET).ls("openai://batch"))
    assert isinstance(exc, errors.AuthenticationFailed) and isinstance(exc, PermissionError)
    assert_no_secret(exc, SECRET)


def test_5xx_after_retries_error_chain_holds_no_key(server, secret_fs):
    server.add_fault("files.retrieve", status=503, times=2)
    exc = failure_of(lambda: secret_fs.info("openai://file-abc"))
    assert isinstance(exc, errors.ServerError)
    assert_no_secret(exc, SECRET)


def test_failed_write_error_chain_holds_no_key(server, secret_fs):
    server.add_fault("files.create", status=500, times=2)
    exc = failure_of(lambda: secret_fs.pipe_file("openai://user_data/a.txt", b"abc"))
    assert isinstance(exc, OSError)
    assert_no_secret(exc, SECRET)


def test_cut_short_body_error_chain_holds_no_key(server, secret_fs):
    secret_fs.pipe_file("openai://user_data/a.txt", b"0123456789" * 100)
    server.add_fault("files.content", "truncate", after_bytes=10, times=100)
    exc = failure_of(lambda: secret_fs.cat_file("openai://user_data/a.txt"))
    assert isinstance(exc, OSError)
    assert_no_secret(exc, SECRET)


def test_a_key_echoed_in_an_error_body_is_masked(caplog):
    # A proxy may send the request's headers back; the client never repeats the key.
    caplog.set_level(logging.DEBUG)
    body = '{"error": {"message": "bad header: {authorization}"}}'
    with foreign_server(400, body, "application/json") as url:
        exc = failure_of(lambda: make_fs_at(url + "/v1").info("openai://file-abc"))
    assert isinstance(exc, errors.BadRequest)
    assert "bad header: Bearer ***" in str(exc)
    assert_no_secret(exc, SECRET)
    assert SECRET not in caplog.text


def test_base_url_credentials_are_masked_in_a_connection_error():
    port = closed_port()
    fs = make_fs_at(f"http://user:{PASSWORD}@127.0.0.1:{port}/v1")
    exc = failure_of(lambda: fs.ls("openai://user_data"))
    assert f"no answer from http://***@127.0.0.1:{port}/v1" in str(exc)
    assert_no_secret(exc, PASSWORD, SECRET)
    assert PASSWORD not in repr(fs.client)


def test_base_url_credentials_are_masked_in_a_404_hint(server, caplog):
    caplog.set_level(logging.DEBUG)
    host = server.url.removeprefix("http://")
    fs = make_fs_at(f"http://someone:{PASSWORD}@{host}")
    exc = failure_of(lambda: fs.ls("openai://user_data"))
    assert isinstance(exc, errors.EndpointNotFound)
    assert f"base_url 'http://***@{host}' answered HTTP 404" in str(exc)
    assert_no_secret(exc, PASSWORD, SECRET)
    assert PASSWORD not in caplog.text


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("http://user:pw@127.0.0.1:8000/v1", "http://***@127.0.0.1:8000/v1"),
        ("https://token@proxy.example/openai/v1", "https://***@proxy.example/openai/v1"),
        ("https://api.openai.com/v1", "https://api.openai.com/v1"),
        ("http://127.0.0.1:8000/v1?user=a@b", "http://127.0.0.1:8000/v1?user=a@b"),
    ],
)
def test_mask_userinfo_hides_only_the_credentials(address, shown):
    assert mask_userinfo(address) == shown
