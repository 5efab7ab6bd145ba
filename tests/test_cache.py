"""The metadata cache: one listing for every purpose, expiry, refresh, invalidation."""

from __future__ import annotations

import time

import pytest
from conftest import make_fs
from filehelpers import requests_to, sdk_create


@pytest.fixture
def warm(server, fs):
    """A filesystem with two files whose listing is cached; statistics start from zero."""
    fs.pipe("user_data/a.txt", b"a")
    fs.pipe("batch/in.jsonl", b"{}\n")
    fs.ls("")
    server.clear_stats()
    return fs


def test_one_listing_request_fills_every_purpose(server, fs, openaifs_sdk):
    sdk_create(openaifs_sdk, "user_data/a.txt", b"a")
    sdk_create(openaifs_sdk, "batch/in.jsonl", b"{}\n")
    server.clear_stats()
    assert fs.ls("batch", detail=False) == ["batch/in.jsonl"]
    assert fs.ls("user_data", detail=False) == ["user_data/a.txt"]
    assert fs.ls("vision") == []
    assert len(fs.ls("")) == 9
    assert fs.info("user_data/a.txt")["size"] == 1
    assert fs.exists("batch/in.jsonl")
    assert server.stats()["requests"] == {"files.list": 1}


def test_warm_ls_info_exists_make_no_requests(server, warm):
    file_id = warm.info("user_data/a.txt")["id"]
    warm.ls("user_data")
    warm.ls("user_data/a.txt")
    warm.info(file_id)
    warm.exists("batch/in.jsonl")
    warm.find("")
    warm.glob("*/*")
    warm.du("")
    assert server.stats()["requests"] == {}


def age_listing(fs, seconds):
    """Let the cached listing of ``fs`` age by ``seconds`` without sleeping.

    Parameters
    ----------
    fs : OpenAIFileSystem
        Its listing lives in a ``cachetools.TTLCache`` timed by ``time.monotonic``.
    seconds : float
        How far ahead to expire entries, as if that much time had passed.
    """
    fs.metadata._listings.expire(time.monotonic() + seconds)


def test_a_name_missing_from_the_cache_is_looked_up_afresh(server, warm):
    assert not warm.exists("batch/missing.jsonl")
    assert server.stats()["requests"] == {"files.list": 1}


def test_listings_expiry_time_is_honoured(server):
    fs = make_fs(server, listings_expiry_time=30)
    fs.ls("user_data")
    fs.ls("batch")
    age_listing(fs, 29)
    fs.ls("user_data")
    assert requests_to(server, "files.list") == 1
    age_listing(fs, 31)
    fs.ls("user_data")
    assert requests_to(server, "files.list") == 2


def test_a_short_expiry_really_expires(server):
    fs = make_fs(server, listings_expiry_time=0.05)
    fs.ls("user_data")
    time.sleep(0.1)
    fs.ls("user_data")
    assert requests_to(server, "files.list") == 2


def test_listings_expiry_time_none_keeps_the_listing(server):
    fs = make_fs(server, listings_expiry_time=None)
    fs.ls("user_data")
    age_listing(fs, 10**9)
    fs.ls("user_data")
    assert requests_to(server, "files.list") == 1


def test_use_listings_cache_false_lists_every_time(server):
    fs = make_fs(server, use_listings_cache=False)
    for _ in range(3):
        fs.ls("user_data")
    assert requests_to(server, "files.list") == 3


def test_refresh_lists_again(server, warm):
    warm.ls("user_data", refresh=True)
    assert requests_to(server, "files.list") == 1
    warm.ls("batch")
    assert requests_to(server, "files.list") == 1


@pytest.mark.parametrize("path", [None, "openai://user_data", "user_data/a.txt"])
def test_invalidate_cache_lists_again(server, warm, path):
    warm.invalidate_cache(path)
    warm.ls("user_data")
    assert requests_to(server, "files.list") == 1


def test_a_file_made_behind_the_back_is_not_listed_until_refresh(warm, openaifs_sdk):
    sdk_create(openaifs_sdk, "user_data/new.txt", b"n")
    assert warm.ls("user_data", detail=False) == ["user_data/a.txt"]
    assert warm.find("") == ["batch/in.jsonl", "user_data/a.txt"]
    assert warm.ls("user_data", detail=False, refresh=True) == [
        "user_data/a.txt",
        "user_data/new.txt",
    ]


def test_a_file_made_behind_the_back_is_found_by_its_name(server, warm, openaifs_sdk):
    sdk_create(openaifs_sdk, "user_data/new.txt", b"n")
    server.clear_stats()
    assert warm.exists("user_data/new.txt")
    assert warm.cat("user_data/new.txt") == b"n"
    assert warm.ls("user_data", detail=False) == ["user_data/a.txt", "user_data/new.txt"]
    assert requests_to(server, "files.list") == 1


def test_a_file_made_behind_the_back_is_listed_after_expiry(server, openaifs_sdk):
    fs = make_fs(server, listings_expiry_time=30)
    assert fs.ls("user_data") == []
    sdk_create(openaifs_sdk, "user_data/new.txt", b"n")
    assert fs.ls("user_data") == []
    age_listing(fs, 31)
    assert fs.ls("user_data", detail=False) == ["user_data/new.txt"]


def test_a_write_updates_the_listing_without_listing_again(server, warm):
    warm.pipe("user_data/b.txt", b"bb")
    server.clear_stats()
    assert warm.ls("user_data", detail=False) == ["user_data/a.txt", "user_data/b.txt"]
    assert warm.info("user_data/b.txt")["size"] == 2
    assert warm.ls("batch", detail=False) == ["batch/in.jsonl"]
    assert server.stats()["requests"] == {}


def test_an_overwrite_updates_the_listing_without_listing_again(server, warm):
    old = warm.info("user_data/a.txt")["id"]
    warm.pipe("user_data/a.txt", b"second")
    server.clear_stats()
    assert warm.cat("user_data/a.txt") == b"second"
    assert warm.ls("user_data/a.txt", detail=False, versions=True) != [old]
    assert len(warm.ls("user_data/a.txt", versions=True)) == 1
    assert not warm.exists(old)
    assert requests_to(server, "files.list") == 0


def test_a_delete_updates_the_listing_without_listing_again(server, warm):
    file_id = warm.info("user_data/a.txt")["id"]
    warm.rm("user_data/a.txt")
    server.clear_stats()
    assert warm.ls("user_data") == []
    assert warm.ls("batch", detail=False) == ["batch/in.jsonl"]
    assert requests_to(server, "files.list") == 0
    assert not warm.exists("user_data/a.txt")
    with pytest.raises(FileNotFoundError):
        warm.info(file_id)


def test_file_objects_by_id_are_cached(server, fs, openaifs_sdk):
    file = sdk_create(openaifs_sdk, "user_data/a.txt", b"a")
    server.clear_stats()
    for _ in range(3):
        assert fs.info(file["id"])["size"] == 1
    assert server.stats()["requests"] == {"files.retrieve": 1}


def test_info_of_an_id_with_refresh_sees_a_delete_behind_the_back(fs, openaifs_sdk):
    file = sdk_create(openaifs_sdk, "user_data/a.txt", b"a")
    assert fs.exists(file["id"])
    openaifs_sdk.files.delete(file["id"])
    with pytest.raises(FileNotFoundError):
        fs.info(file["id"], refresh=True)
    assert not fs.exists(file["id"])


def test_a_fresh_listing_forgets_ids_deleted_behind_the_back(fs, openaifs_sdk):
    file = sdk_create(openaifs_sdk, "user_data/a.txt", b"a")
    assert fs.exists("user_data/a.txt")
    assert fs.exists(file["id"])
    openaifs_sdk.files.delete(file["id"])
    assert fs.ls("user_data", refresh=True) == []
    assert not fs.exists(file["id"])
