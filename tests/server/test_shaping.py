"""Network shaping: added latency and per-connection bandwidth (lower bounds only)."""

from __future__ import annotations

import time

import pytest

from openaifs.testing import LocalServer


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_latency_is_added(openaifs_server, openaifs_sdk):
    openaifs_server.configure(latency_ms=300)
    _, took = timed(lambda: openaifs_sdk.files.list())
    assert took >= 0.3 * 0.8


@pytest.mark.slow
def test_bandwidth_limits_both_ways(openaifs_server, openaifs_sdk):
    data = b"z" * 400_000
    openaifs_server.configure(per_connection_bps=400_000)
    created, took = timed(
        lambda: openaifs_sdk.files.create(file=("a.bin", data), purpose="user_data")
    )
    assert took >= 1.0 * 0.8
    content, took = timed(lambda: openaifs_sdk.files.content(created.id).content)
    assert content == data
    assert took >= 1.0 * 0.8


def test_range_only_when_honoured(openaifs_sdk, openaifs_server, raw):
    created = openaifs_sdk.files.create(file=("a.bin", b"0123456789"), purpose="user_data")
    path = f"/files/{created.id}/content"
    assert raw("GET", path, headers={"Range": "bytes=2-4"}).content == b"0123456789"
    openaifs_server.configure(honour_range=True)
    answer = raw("GET", path, headers={"Range": "bytes=2-4"})
    assert (answer.status_code, answer.content) == (206, b"234")
    assert answer.headers["Content-Range"] == "bytes 2-4/10"
    assert raw("GET", path, headers={"Range": "bytes=-3"}).content == b"789"
    assert raw("GET", path, headers={"Range": "bytes=8-"}).content == b"89"
    assert raw("GET", path, headers={"Range": "bytes=20-"}).status_code == 416


def test_shaping_at_startup():
    with LocalServer(latency_ms=200) as server:
        client = server.sdk()
        _, took = timed(lambda: client.files.list())
        assert took >= 0.2 * 0.8
        client.close()
