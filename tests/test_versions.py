"""Duplicate filenames: the newest wins the name, older files stay reachable."""

from __future__ import annotations

import pytest
from conftest import make_fs
from filehelpers import sdk_create, sdk_versions

NAME = "user_data/dup.txt"


@pytest.fixture
def three(server, fs, openaifs_sdk):
    """Three files named ``dup.txt``, oldest first, ten seconds apart on the server clock."""
    return sdk_versions(server, openaifs_sdk, NAME, [b"old", b"middle", b"new"])


def test_newest_wins_the_name(fs, three):
    assert fs.cat(NAME) == b"new"
    assert fs.info(NAME)["id"] == three[-1]["id"]
    assert fs.ls("user_data", detail=False) == [NAME]


def test_older_files_are_reachable_by_id(fs, three):
    assert [fs.cat(f["id"]) for f in three] == [b"old", b"middle", b"new"]
    assert fs.info(three[0]["id"])["name"] == three[0]["id"]


def test_versions_view_lists_every_file_newest_first(fs, three):
    ids = [f["id"] for f in reversed(three)]
    assert fs.ls(NAME, detail=False, versions=True) == ids
    entries = fs.ls(NAME, versions=True)
    assert [e["size"] for e in entries] == [3, 6, 3]
    assert {e["filename"] for e in entries} == {"dup.txt"}


def test_versions_view_of_a_purpose_lists_every_file(fs, three):
    fs.pipe("user_data/other.txt", b"o")
    listed = fs.ls("user_data", detail=False, versions=True)
    assert sorted(listed) == sorted(
        [*(f["id"] for f in three), fs.info("user_data/other.txt")["id"]]
    )
    assert fs.ls("user_data", detail=False) == [NAME, "user_data/other.txt"]


def test_versions_in_other_purposes_do_not_mix(fs, three, openaifs_sdk):
    sdk_create(openaifs_sdk, "assistants/dup.txt", b"elsewhere")
    fs.invalidate_cache()
    assert len(fs.ls(NAME, versions=True)) == 3
    assert fs.cat("assistants/dup.txt") == b"elsewhere"


def test_deleting_the_newest_by_id_promotes_the_next(fs, three):
    fs.rm(three[-1]["id"])
    assert fs.cat(NAME) == b"middle"
    assert fs.ls(NAME, detail=False, versions=True) == [three[1]["id"], three[0]["id"]]


def test_overwrite_keep_shadows_and_replace_removes_older(fs, three):
    fs.pipe(NAME, b"kept", overwrite="keep")
    assert fs.cat(NAME) == b"kept"
    assert len(fs.ls(NAME, versions=True)) == 4
    fs.pipe(NAME, b"only")
    assert fs.cat(NAME) == b"only"
    assert len(fs.ls(NAME, versions=True, refresh=True)) == 1


def made_in_one_second(sdk, count):
    """``count`` files named ``dup.txt`` with the same ``created_at`` (creation order).

    ``created_at`` has one-second resolution; if the files straddle a second, try again.
    """
    for _ in range(5):
        made = [sdk_create(sdk, NAME, f"tie {i}".encode()) for i in range(count)]
        if len({f["created_at"] for f in made}) == 1:
            return made
        for f in made:
            sdk.files.delete(f["id"])
    pytest.fail("could not make files within one second")


def test_created_at_ties_are_broken_deterministically(server, fs, openaifs_sdk):
    made = made_in_one_second(openaifs_sdk, 3)
    winner = fs.info(NAME)["id"]
    order = fs.ls(NAME, detail=False, versions=True)
    assert sorted(order) == sorted(f["id"] for f in made)
    assert order[0] == winner
    # The same answer however the listing is reached: again, afresh, from a new instance.
    for _ in range(3):
        assert fs.info(NAME, refresh=True)["id"] == winner
        assert fs.ls(NAME, detail=False, versions=True, refresh=True) == order
        assert make_fs(server).info(NAME)["id"] == winner
    assert fs.ls("user_data", detail=False) == [NAME]


def test_a_tie_with_a_write_through_fs_agrees_with_a_fresh_listing(server, fs, openaifs_sdk):
    for _ in range(5):
        theirs = sdk_create(openaifs_sdk, NAME, b"sdk")
        fs.ls("user_data", refresh=True)
        fs.pipe(NAME, b"fs", overwrite="keep")
        if fs.info(NAME)["created_at"] == theirs["created_at"]:
            break
        fs.rm(NAME)
    cached = fs.info(NAME)["id"]
    assert fs.info(NAME, refresh=True)["id"] == cached
    assert make_fs(server).info(NAME)["id"] == cached
