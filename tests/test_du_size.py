"""``du``, ``size``, ``sizes``, ``created``, ``modified``, ``ukey`` and ``checksum``."""

from __future__ import annotations

import datetime

import pytest
from filehelpers import sdk_create


@pytest.fixture
def sized(fs):
    fs.pipe(
        {"user_data/one.txt": b"1", "user_data/ten.txt": b"0123456789", "batch/in.jsonl": b"{}\n"}
    )
    return fs


def test_du_totals(sized):
    assert sized.du("") == 14
    assert sized.du("openai://user_data") == 11
    assert sized.du("batch") == 3
    assert sized.du("vision") == 0


def test_du_per_file(sized):
    assert sized.du("user_data", total=False) == {"user_data/one.txt": 1, "user_data/ten.txt": 10}


def test_du_counts_only_the_newest_of_a_name(sized, openaifs_sdk):
    sdk_create(openaifs_sdk, "user_data/ten.txt", b"0123")
    sized.invalidate_cache()
    assert sized.du("user_data") == 5


def test_size_and_sizes(sized):
    assert sized.size("openai://user_data/ten.txt") == 10
    assert sized.size(sized.info("batch/in.jsonl")["id"]) == 3
    assert sized.sizes(["user_data/one.txt", "batch/in.jsonl"]) == [1, 3]


def test_size_of_a_missing_file(sized):
    with pytest.raises(FileNotFoundError):
        sized.size("user_data/none.txt")


def test_created_and_modified_are_the_service_created_at_in_utc(sized):
    created_at = sized.info("user_data/one.txt")["created_at"]
    expected = datetime.datetime.fromtimestamp(created_at, tz=datetime.timezone.utc)
    assert sized.created("user_data/one.txt") == expected
    assert sized.modified("user_data/one.txt") == expected
    assert expected.tzinfo is datetime.timezone.utc


def test_created_follows_the_server_clock(server, fs):
    fs.pipe("user_data/early.txt", b"e")
    server.advance_clock(86400)
    fs.pipe("user_data/late.txt", b"l")
    delta = fs.created("user_data/late.txt") - fs.created("user_data/early.txt")
    assert delta >= datetime.timedelta(days=1)


@pytest.mark.parametrize("path", ["", "user_data"])
def test_created_of_a_directory(sized, path):
    with pytest.raises(IsADirectoryError):
        sized.created(path)


def test_ukey_is_the_file_id(sized):
    info = sized.info("user_data/one.txt")
    assert sized.ukey("user_data/one.txt") == info["id"]
    assert sized.ukey(info["id"]) == info["id"]


def test_checksum_is_stable_and_differs_between_files(sized):
    one = sized.checksum("user_data/one.txt")
    assert one == sized.checksum(sized.info("user_data/one.txt")["id"])
    assert one != sized.checksum("user_data/ten.txt")
    assert isinstance(one, int)


def test_ukey_and_checksum_change_when_the_name_gets_a_new_file(sized):
    old = (sized.ukey("user_data/one.txt"), sized.checksum("user_data/one.txt"))
    sized.pipe("user_data/one.txt", b"1")  # same content, new file
    new = (sized.ukey("user_data/one.txt"), sized.checksum("user_data/one.txt"))
    assert new[0] != old[0]
    assert new[1] != old[1]
