"""``cat`` and ``cat_file``: whole content, byte ranges, bodies cut short."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from filehelpers import payload, requests_to, sdk_create

import openaifs.content

DATA = payload(300_000, seed=1)
PATH = "user_data/data.bin"


@pytest.fixture(params=[False, True], ids=["full-bodies", "ranges-honoured"])
def stored(request, server, fs, openaifs_sdk):
    """``DATA`` at ``PATH``, on a server that ignores or honours ``Range``."""
    server.configure(honour_range=request.param)
    sdk_create(openaifs_sdk, PATH, DATA)
    server.clear_stats()
    return fs


def test_cat_whole_file(stored):
    assert stored.cat(f"openai://{PATH}") == DATA
    assert stored.cat_file(stored.info(PATH)["id"]) == DATA


def test_cat_of_several_paths(stored):
    stored.pipe("user_data/small.txt", b"small")
    assert stored.cat(["user_data/small.txt", PATH]) == {
        "user_data/small.txt": b"small",
        PATH: DATA,
    }


RANGES = [
    (None, None),
    (0, 10),
    (10, None),
    (123_456, 234_567),
    (-100, None),
    (None, -100),
    (-1000, -10),
    (299_999, None),
    (0, 10**9),
    (-(10**9), 5),
    (5, 5),
    (10, 5),
    (300_000, None),
    (10**9, None),
]


def test_cat_file_ranges_follow_slicing(stored):
    for start, end in RANGES:
        assert stored.cat_file(PATH, start=start, end=end) == DATA[start:end], (start, end)


def test_empty_range_makes_no_content_request(server, stored):
    assert stored.cat_file(PATH, start=10, end=10) == b""
    assert requests_to(server, "files.content") == 0


def test_cat_of_an_empty_file(fs):
    fs.pipe("user_data/empty.txt", b"")
    assert fs.cat("user_data/empty.txt") == b""
    assert fs.cat_file("user_data/empty.txt", start=-5) == b""


def test_cat_of_a_directory(fs):
    with pytest.raises(IsADirectoryError):
        fs.cat_file("user_data")


def test_cat_of_a_missing_file(fs):
    with pytest.raises(FileNotFoundError, match="openai://user_data/none: no such file"):
        fs.cat_file("user_data/none")


def test_a_cut_short_body_is_retried_and_the_whole_content_returned(server, stored):
    server.add_fault("files.content", "truncate", after_bytes=100_000)
    assert stored.cat(PATH) == DATA
    assert requests_to(server, "files.content") == 2
    assert server.faults()[0]["hits"] == 1


def test_a_range_cut_short_is_retried(server, stored):
    server.add_fault("files.content", "truncate", after_bytes=1000)
    assert stored.cat_file(PATH, start=5000, end=250_000) == DATA[5000:250_000]
    assert requests_to(server, "files.content") == 2


def test_several_cuts_in_a_row_are_retried(server, stored):
    server.add_fault("files.content", "truncate", after_bytes=50_000, times=3)
    assert stored.cat(PATH) == DATA
    assert requests_to(server, "files.content") == 4


def test_a_dropped_download_is_retried(server, stored):
    server.add_fault("files.content", "drop")
    assert stored.cat(PATH) == DATA
    assert requests_to(server, "files.content") == 2


def test_persistent_truncation_is_an_error_never_truncated_data(server, stored):
    server.add_fault("files.content", "truncate", after_bytes=1000, times=100)
    with pytest.raises(OSError, match="nothing truncated was returned") as info:
        stored.cat(PATH)
    assert f"openai://{PATH}" in str(info.value)
    assert f"of {len(DATA)}" in str(info.value)
    assert requests_to(server, "files.content") == 5  # max_retries + 3 attempts


def test_cut_short_retries_wait_with_the_configured_backoff(server, stored, monkeypatch):
    """Regression: retries of a cut-short download slept 0.5 s, 1 s, 2 s, 4 s whatever
    ``backoff_initial``/``backoff_max`` said."""
    waits = []
    monkeypatch.setattr(openaifs.content, "time", SimpleNamespace(sleep=waits.append))
    server.add_fault("files.content", "truncate", after_bytes=1000, times=100)
    with pytest.raises(OSError):
        stored.cat(PATH)
    assert len(waits) == 4
    assert all(0 < w <= 0.05 for w in waits)  # the fs fixture's backoff_max
