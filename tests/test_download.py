"""Parallel ranged downloads (``openaifs.download``) against the real local server.

The server honours byte ranges only when asked to (``honour_range``, as ``openaifs serve
--honour-range``); the real service does not. Both are exercised: with ranges the content
comes in several requests, without them in one stream, and either way the bytes are exact.
"""

from __future__ import annotations

import os

import pytest
from filehelpers import payload

from openaifs.client import APIClient
from openaifs.download import (
    DownloadSettings,
    download_to_file,
    iter_ranges,
    ranges_supported,
    write_content,
)
from openaifs.parts import plan_parts

RANGE = 64 * 1024
SETTINGS = DownloadSettings(part_size=RANGE, read_part_size=RANGE, concurrency=4)


@pytest.fixture
def client(server):
    made = APIClient(server.api_key, server.base_url, backoff_initial=0.01, backoff_max=0.05)
    yield made
    made.close()


@pytest.fixture
def ranged(server):
    server.configure(honour_range=True)
    return server


def store(server, data: bytes, name: str = "data.bin") -> dict:
    return server.add_service_file(data, purpose="user_data", filename=name)


def content_requests(server) -> int:
    return server.stats()["requests"].get("files.content", 0)


def range_headers(client: APIClient) -> list[str | None]:
    """Record the Range header of every content request ``client`` sends from now on."""
    seen: list[str | None] = []

    def record(response, *args, **kwargs):
        if response.request.url.endswith("/content"):
            seen.append(response.request.headers.get("Range"))

    client.session.hooks["response"].append(record)
    return seen


SIZES = [0, 1, RANGE - 1, RANGE, RANGE + 1, 3 * RANGE + 5, 8 * RANGE, 13 * RANGE - 3]


@pytest.mark.parametrize("size", SIZES)
def test_ranged_download_writes_exactly_the_bytes(ranged, client, tmp_path, size):
    data = payload(size, seed=size)
    file = store(ranged, data)
    ranged.clear_stats()
    target = tmp_path / "out.bin"
    seen: list[int] = []
    download_to_file(
        client, file, str(target), path="openai://x", settings=SETTINGS, on_progress=seen.append
    )
    assert target.read_bytes() == data
    assert sum(seen) == size
    ranges = len(plan_parts(size, max_part=RANGE, concurrency=4))
    assert content_requests(ranged) == (ranges if ranges > 1 else min(size, 1))
    assert os.listdir(tmp_path) == ["out.bin"]


def test_ranges_go_out_on_several_connections_and_are_learnt_once(ranged, client, tmp_path):
    data = payload(8 * RANGE, seed=1)
    file = store(ranged, data)
    headers = range_headers(client)
    download_to_file(client, file, str(tmp_path / "a"), path="openai://x", settings=SETTINGS)
    assert ranges_supported(client) is True
    assert sorted(headers) == sorted(
        f"bytes={o}-{o + RANGE - 1}" for o in range(0, 8 * RANGE, RANGE)
    )


def test_without_206_the_first_answer_is_kept_as_one_stream(server, client, tmp_path):
    data = payload(8 * RANGE + 11, seed=2)
    file = store(server, data)
    headers = range_headers(client)
    server.clear_stats()
    download_to_file(client, file, str(tmp_path / "a"), path="openai://x", settings=SETTINGS)
    assert (tmp_path / "a").read_bytes() == data
    # One request: the range asked for was answered with the whole body, which was kept.
    assert content_requests(server) == 1
    [first] = headers
    assert first.startswith("bytes=0-")
    assert ranges_supported(client) is False
    # Learnt once: the next download asks for the whole content straight away.
    download_to_file(client, file, str(tmp_path / "b"), path="openai://x", settings=SETTINGS)
    assert (tmp_path / "b").read_bytes() == data
    assert headers[1:] == [None]


@pytest.mark.parametrize("after_bytes", [0, 1000, RANGE - 1])
def test_a_range_cut_short_is_asked_for_again(ranged, client, tmp_path, after_bytes):
    data = payload(6 * RANGE, seed=3)
    file = store(ranged, data)
    ranged.add_fault("files.content", "truncate", after_bytes=after_bytes, times=3)
    download_to_file(client, file, str(tmp_path / "out"), path="openai://x", settings=SETTINGS)
    assert (tmp_path / "out").read_bytes() == data


def test_a_stream_cut_short_without_ranges_is_resumed(server, client, tmp_path):
    data = payload(6 * RANGE, seed=4)
    file = store(server, data)
    server.add_fault("files.content", "truncate", after_bytes=RANGE + 7, times=2)
    download_to_file(client, file, str(tmp_path / "out"), path="openai://x", settings=SETTINGS)
    assert (tmp_path / "out").read_bytes() == data


@pytest.mark.parametrize("honour", [True, False])
def test_a_range_that_keeps_ending_short_fails_and_leaves_nothing(server, client, tmp_path, honour):
    server.configure(honour_range=honour)
    data = payload(6 * RANGE, seed=5)
    file = store(server, data)
    target = tmp_path / "out.bin"
    target.write_bytes(b"the earlier file")
    server.add_fault("files.content", "truncate", after_bytes=100, times=1000)
    settings = DownloadSettings(part_size=RANGE, concurrency=4, max_attempts=2)
    with pytest.raises(OSError, match="nothing truncated was returned"):
        download_to_file(client, file, str(target), path="openai://x", settings=settings)
    assert target.read_bytes() == b"the earlier file"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_a_missing_file_is_file_not_found_and_leaves_nothing(ranged, client, tmp_path):
    file = {"id": "file-absent", "bytes": 8 * RANGE}
    with pytest.raises(FileNotFoundError, match="file-absent"):
        download_to_file(client, file, str(tmp_path / "out"), path="openai://x", settings=SETTINGS)
    assert os.listdir(tmp_path) == []


def test_write_content_fills_an_open_descriptor(ranged, client, tmp_path):
    data = payload(5 * RANGE + 3, seed=6)
    file = store(ranged, data)
    target = tmp_path / "out"
    with open(target, "wb") as out:
        write_content(client, file, out.fileno(), path="openai://x", settings=SETTINGS)
    assert target.read_bytes() == data


@pytest.mark.parametrize("honour", [True, False])
@pytest.mark.parametrize(
    ("start", "end"), [(0, None), (1, None), (RANGE, 3 * RANGE + 1), (7, 8), (0, 5 * RANGE)]
)
def test_iter_ranges_yields_the_span_in_order(server, client, honour, start, end):
    server.configure(honour_range=honour)
    data = payload(9 * RANGE + 17, seed=7)
    file = store(server, data)
    got = b"".join(
        iter_ranges(client, file, path="openai://x", settings=SETTINGS, start=start, end=end)
    )
    assert got == data[start:end]


def test_iter_ranges_survives_a_cut_short_range(ranged, client):
    data = payload(9 * RANGE, seed=8)
    file = store(ranged, data)
    ranged.add_fault("files.content", "truncate", after_bytes=500, times=4)
    assert b"".join(iter_ranges(client, file, path="openai://x", settings=SETTINGS)) == data


@pytest.mark.parametrize(
    "bad", [dict(part_size=0), dict(read_part_size=0), dict(concurrency=0), dict(max_attempts=0)]
)
def test_bad_settings_are_refused(bad):
    with pytest.raises(ValueError, match="at least 1"):
        DownloadSettings(**bad)
