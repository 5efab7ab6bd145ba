"""The API client's one request function: retries, backoff hints, timeouts, pagination."""

from __future__ import annotations

import socket
import time

import pytest
from filehelpers import requests_to, sdk_create

from openaifs.client import APIClient
from openaifs.errors import ServerError


def make_client(server, **options) -> APIClient:
    """An :class:`APIClient` for ``server`` with short backoffs.

    Parameters
    ----------
    server : openaifs.testing.ServerControls
        The server under test.
    **options
        Overrides of the client's keyword arguments.
    """
    settings = dict(backoff_initial=0.01, backoff_max=0.05)
    settings.update(options)
    return APIClient(server.api_key, server.base_url, **settings)


@pytest.fixture
def client(server):
    c = make_client(server)
    yield c
    c.close()


@pytest.fixture
def stored(server, openaifs_sdk):
    """One file, made with the SDK; the statistics start from zero after it."""
    file = sdk_create(openaifs_sdk, "user_data/a.txt", b"abc")
    server.clear_stats()
    return file


def test_429_with_retry_after_ms_is_waited_for_then_succeeds(server, client, stored):
    server.add_fault("files.retrieve", status=429, retry_after_ms=300)
    started = time.monotonic()
    assert client.retrieve_file(stored["id"])["id"] == stored["id"]
    assert time.monotonic() - started >= 0.3  # the hint, not the 0.01 s backoff
    assert requests_to(server, "files.retrieve") == 2
    assert server.faults()[0]["hits"] == 1


def test_500_twice_then_success(server, client, stored):
    server.add_fault("files.retrieve", status=500, times=2)
    assert client.retrieve_file(stored["id"])["bytes"] == 3
    assert requests_to(server, "files.retrieve") == 3


def test_503_beyond_max_retries_is_a_server_error_with_the_status(server, client, stored):
    server.add_fault("files.retrieve", status=503, times=5)
    with pytest.raises(OSError) as info:
        client.retrieve_file(stored["id"], path="openai://user_data/a.txt")
    assert type(info.value) is ServerError
    assert info.value.status == 503
    assert str(info.value).startswith("openai://user_data/a.txt: HTTP 503")
    assert requests_to(server, "files.retrieve") == 3  # max_retries=2: three attempts
    assert server.faults()[0]["remaining"] == 2


def test_max_retries_zero_makes_one_attempt(server, stored):
    server.add_fault("files.retrieve", status=500, times=1)
    with pytest.raises(OSError, match="HTTP 500"):
        make_client(server, max_retries=0).retrieve_file(stored["id"])
    assert requests_to(server, "files.retrieve") == 1


@pytest.mark.parametrize(("status", "kind"), [(400, ValueError), (404, FileNotFoundError)])
def test_client_errors_are_never_retried(server, client, stored, status, kind):
    server.add_fault("files.retrieve", status=status, times=3)
    with pytest.raises(kind) as info:
        client.retrieve_file(stored["id"])
    assert info.value.status == status
    assert requests_to(server, "files.retrieve") == 1


@pytest.mark.parametrize("status", [408, 409])
def test_408_and_409_are_retried(server, client, stored, status):
    server.add_fault("files.retrieve", status=status, times=1)
    assert client.retrieve_file(stored["id"])["id"] == stored["id"]
    assert requests_to(server, "files.retrieve") == 2


@pytest.mark.parametrize("kind", ["drop", "drop_after"])
def test_dropped_connection_then_success(server, client, stored, kind):
    server.add_fault("files.retrieve", kind, times=1)
    assert client.retrieve_file(stored["id"])["filename"] == "a.txt"
    assert requests_to(server, "files.retrieve") == 2


def test_dropped_connection_persistently_is_a_connection_error(server, client, stored):
    server.add_fault("files.retrieve", "drop", times=3)
    with pytest.raises(ConnectionError, match=f"no answer from {server.base_url}"):
        client.retrieve_file(stored["id"])
    assert requests_to(server, "files.retrieve") == 3


def test_stall_longer_than_read_timeout_is_retried(server, stored):
    client = make_client(server, read_timeout=0.2)
    server.add_fault("files.retrieve", "stall", seconds=0.6, times=1)
    assert client.retrieve_file(stored["id"])["id"] == stored["id"]
    assert requests_to(server, "files.retrieve") == 2


def test_persistent_stall_is_a_timeout_error(server, stored):
    client = make_client(server, read_timeout=0.2, max_retries=1)
    server.add_fault("files.retrieve", "stall", seconds=0.6, times=2)
    with pytest.raises(TimeoutError, match="no answer from"):
        client.retrieve_file(stored["id"])
    assert requests_to(server, "files.retrieve") == 2


def test_refused_connection_is_a_connection_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    client = APIClient("sk-x", f"http://127.0.0.1:{port}/v1", max_retries=1, backoff_initial=0.01)
    with pytest.raises(ConnectionError, match=f"127.0.0.1:{port}"):
        list(client.list_files())


@pytest.fixture
def ten_files(server, openaifs_sdk):
    """Ten files, oldest first, one second apart on the server clock."""
    ids = []
    for i in range(10):
        purpose = "user_data" if i % 2 else "assistants"
        ids.append(sdk_create(openaifs_sdk, f"{purpose}/f{i}.txt", b"x")["id"])
        server.advance_clock(1)
    server.clear_stats()
    return ids


def test_pagination_follows_the_cursor(server, client, ten_files):
    listed = [f["id"] for f in client.list_files(page_size=3)]
    assert listed == ten_files[::-1]
    assert requests_to(server, "files.list") == 4  # 3 + 3 + 3 + 1


def test_pagination_ascending(server, client, ten_files):
    assert [f["id"] for f in client.list_files(order="asc", page_size=4)] == ten_files
    assert requests_to(server, "files.list") == 3


def test_pagination_exact_multiple_of_page_size(server, client, ten_files):
    assert len(list(client.list_files(page_size=5))) == 10
    assert requests_to(server, "files.list") == 2


def test_pagination_by_purpose(server, client, ten_files):
    listed = [f["id"] for f in client.list_files("user_data", page_size=2)]
    assert listed == ten_files[1::2][::-1]
    assert requests_to(server, "files.list") == 3


def test_a_page_that_fails_once_is_retried_mid_listing(server, client, ten_files):
    pages = client.list_files(page_size=3)
    first = [next(pages) for _ in range(3)]
    server.add_fault("files.list", status=500)
    rest = list(pages)
    assert [f["id"] for f in first + rest] == ten_files[::-1]
    assert requests_to(server, "files.list") == 5


def test_headers_identify_organization_and_project(server, stored):
    client = make_client(server, organization="org-1", project="proj-1")
    session = client.session
    assert session.headers["OpenAI-Organization"] == "org-1"
    assert session.headers["OpenAI-Project"] == "proj-1"
    assert client.retrieve_file(stored["id"])["id"] == stored["id"]
    assert "sk-" not in repr(client)
