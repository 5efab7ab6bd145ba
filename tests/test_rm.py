"""``rm_file`` and ``rm``: names (every version), ids (one file), lists, globs, purposes."""

from __future__ import annotations

import pytest
from filehelpers import requests_to, sdk_create, sdk_versions

NAME = "user_data/dup.txt"


@pytest.fixture
def versions(server, fs, openaifs_sdk):
    """Three files named ``dup.txt`` (oldest first) and one other file, all made by the SDK."""
    made = sdk_versions(server, openaifs_sdk, NAME, [b"1", b"22", b"333"])
    sdk_create(openaifs_sdk, "user_data/other.txt", b"other")
    return made


def live_ids(sdk):
    """The ids of every file the server holds, as the SDK sees them."""
    return {f.id for f in sdk.files.list()}


def test_rm_file_of_a_name_deletes_every_version(server, fs, versions, openaifs_sdk):
    fs.rm_file(f"openai://{NAME}")
    assert not fs.exists(NAME)
    assert all(not fs.exists(f["id"]) for f in versions)
    assert fs.ls("user_data", detail=False) == ["user_data/other.txt"]
    assert requests_to(server, "files.delete") == 3
    assert not live_ids(openaifs_sdk) & {f["id"] for f in versions}


def test_rm_of_a_name_finds_versions_made_behind_the_back(fs, versions, openaifs_sdk):
    fs.ls("user_data")  # cache the listing, then add a version the cache does not know
    late = sdk_create(openaifs_sdk, NAME, b"late")
    fs.rm(NAME)
    assert late["id"] not in live_ids(openaifs_sdk)
    assert not fs.exists(NAME)


def test_rm_of_an_id_deletes_one_file(fs, versions, openaifs_sdk):
    fs.rm(versions[-1]["id"])
    assert fs.cat(NAME) == b"22"
    assert fs.ls(NAME, detail=False, versions=True) == [versions[1]["id"], versions[0]["id"]]
    assert versions[-1]["id"] not in live_ids(openaifs_sdk)
    assert not fs.exists(versions[-1]["id"])


def test_rm_of_an_older_id_keeps_the_name(fs, versions):
    fs.rm_file(versions[0]["id"])
    assert fs.cat(NAME) == b"333"
    assert len(fs.ls(NAME, versions=True)) == 2


def test_rm_of_a_list(fs, versions, openaifs_sdk):
    fs.rm([NAME, "openai://user_data/other.txt"])
    assert fs.ls("user_data") == []
    assert live_ids(openaifs_sdk) == set()


def test_rm_of_a_glob(fs, versions, openaifs_sdk):
    fs.pipe("batch/keep.jsonl", b"{}\n")
    fs.rm("user_data/*.txt")
    assert fs.ls("user_data") == []
    assert fs.ls("batch", detail=False) == ["batch/keep.jsonl"]
    assert len(live_ids(openaifs_sdk)) == 1


def test_rm_of_a_glob_matching_nothing(fs, versions):
    with pytest.raises(FileNotFoundError, match="nothing matches"):
        fs.rm("user_data/*.parquet")


@pytest.mark.parametrize("path", ["user_data/missing.txt", "openai://batch/none.jsonl"])
def test_rm_of_a_missing_name(fs, path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        fs.rm(path)
    with pytest.raises(FileNotFoundError, match="no such file"):
        fs.rm_file(path)


def test_rm_of_a_missing_id(fs):
    with pytest.raises(FileNotFoundError, match="HTTP 404"):
        fs.rm("file-doesnotexist")


@pytest.mark.parametrize("path", ["openai://user_data", "user_data/", ""])
def test_rm_of_a_purpose_needs_recursive(fs, versions, path):
    with pytest.raises(IsADirectoryError, match="recursive=True"):
        fs.rm(path)
    with pytest.raises(IsADirectoryError):
        fs.rm_file(path)
    assert fs.exists(NAME)


@pytest.mark.parametrize("path", ["openai://user_data", ""])
def test_rm_of_a_purpose_needs_confirm(fs, versions, path):
    with pytest.raises(PermissionError, match="confirm=True"):
        fs.rm(path, recursive=True)
    assert fs.exists(NAME)


def test_rm_of_a_purpose_with_recursive_and_confirm(fs, versions, openaifs_sdk):
    fs.pipe("batch/keep.jsonl", b"{}\n")
    fs.rm("openai://user_data", recursive=True, confirm=True)
    assert fs.ls("user_data") == []
    assert fs.ls("batch", detail=False) == ["batch/keep.jsonl"]
    assert len(live_ids(openaifs_sdk)) == 1


def test_rm_of_the_root_with_recursive_and_confirm_empties_everything(fs, versions, openaifs_sdk):
    fs.pipe("batch/gone.jsonl", b"{}\n")
    fs.rm("", recursive=True, confirm=True)
    assert fs.find("") == []
    assert live_ids(openaifs_sdk) == set()


def test_rm_discards_the_local_copy(fs, versions):
    with fs.open(NAME, "rb") as f:
        f.seek(-1, 2)
        f.read()
        f.seek(0)
        f.read()
    file_id = versions[-1]["id"]
    assert fs.content_cache.existing(file_id, 3) is not None
    fs.rm(NAME)
    assert fs.content_cache.existing(file_id, 3) is None
