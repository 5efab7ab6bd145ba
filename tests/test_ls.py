"""``ls``: the purposes, the files of a purpose, one file, one id."""

from __future__ import annotations

import pytest
from filehelpers import sdk_create

from openaifs.paths import KNOWN_PURPOSES

ODD_NAMES = [
    "with space.txt",
    "hash#tag.txt",
    "question?.txt",
    "percent%20.txt",
    "emoji-🙂.txt",
    ".hidden",
    "ünïcödé 名前.txt",
]


@pytest.fixture
def files(fs):
    fs.pipe({"user_data/b.txt": b"bb", "user_data/a.txt": b"a", "batch/in.jsonl": b"{}\n"})
    return fs


def test_root_lists_every_known_purpose_in_order(fs):
    assert fs.ls("openai://", detail=False) == list(KNOWN_PURPOSES)
    assert fs.ls("", detail=True) == [
        {"name": p, "type": "directory", "size": 0} for p in KNOWN_PURPOSES
    ]


def test_purpose_lists_its_files_sorted_by_name(files):
    assert files.ls("openai://user_data", detail=False) == ["user_data/a.txt", "user_data/b.txt"]
    assert files.ls("batch/", detail=False) == ["batch/in.jsonl"]
    assert files.ls("vision", detail=False) == []


def test_detail_entries(files):
    (entry,) = files.ls("user_data", detail=True)[1:]
    assert set(entry) == {
        "name",
        "type",
        "size",
        "id",
        "purpose",
        "filename",
        "created_at",
        "status",
        "expires_at",
    }
    assert entry["name"] == "user_data/b.txt"
    assert (entry["type"], entry["size"], entry["purpose"]) == ("file", 2, "user_data")
    assert entry["filename"] == "b.txt"
    assert entry["id"].startswith("file-")
    assert entry["status"] == "processed"
    assert entry["expires_at"] is None
    assert isinstance(entry["created_at"], int)


def test_ls_of_a_file_is_that_file(files):
    assert files.ls("openai://user_data/a.txt", detail=False) == ["user_data/a.txt"]
    (entry,) = files.ls("user_data/a.txt")
    assert entry == files.info("user_data/a.txt")


def test_ls_of_an_id_is_that_file_named_by_id(files):
    file_id = files.info("batch/in.jsonl")["id"]
    assert files.ls(f"openai://{file_id}", detail=False) == [file_id]


@pytest.mark.parametrize("path", ["user_data/missing.txt", "file-missing"])
def test_ls_of_a_missing_file(files, path):
    with pytest.raises(FileNotFoundError, match=f"openai://{path}"):
        files.ls(path)


def test_ls_of_an_unknown_purpose(fs):
    with pytest.raises(ValueError, match="'no-such' is not a purpose"):
        fs.ls("no-such")


def test_ls_of_a_path_with_a_dot_dot_segment_is_refused(fs):
    with pytest.raises(ValueError, match=r"'\.\.'"):
        fs.ls("openai://batch/a/../b.jsonl")


def test_ls_of_a_missing_folder_is_file_not_found(fs):
    with pytest.raises(FileNotFoundError):
        fs.ls("openai://batch/a/b.jsonl")


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_filenames_are_listed_as_written(fs, name):
    fs.pipe(f"user_data/{name}", name.encode())
    assert fs.ls("user_data", detail=False) == [f"user_data/{name}"]
    assert fs.cat(f"openai://user_data/{name}") == name.encode()


@pytest.mark.parametrize("name", ["dir//x.txt", "..", ".", "a/../x.txt", "dir/", "./x"])
def test_filenames_that_cannot_be_paths_are_listed_by_id(fs, openaifs_sdk, name):
    file = sdk_create(openaifs_sdk, f"user_data/{name}", b"odd")
    (entry,) = fs.ls("user_data")
    assert entry["name"] == file["id"]
    assert entry["filename"] == name
    assert fs.cat(entry["name"]) == b"odd"


def test_entries_never_carry_the_protocol(files):
    for entry in files.ls("openai://user_data") + files.ls("openai://"):
        assert "openai:" not in entry["name"]
