"""``exists``, ``isdir`` and ``isfile``."""

from __future__ import annotations

import pytest


@pytest.fixture
def file_id(fs):
    fs.pipe("user_data/a.txt", b"a")
    return fs.info("user_data/a.txt")["id"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("openai://user_data/a.txt", True),
        ("user_data/a.txt", True),
        ("user_data/b.txt", False),
        ("batch/a.txt", False),
        ("user_data", True),
        ("batch_output", True),
        ("", True),
        ("openai://", True),
        ("unknown-purpose", False),
        ("unknown-purpose/a.txt", False),
        ("file-doesnotexist", False),
    ],
)
def test_exists(fs, file_id, path, expected):
    assert fs.exists(path) is expected


def test_exists_by_id(fs, file_id):
    assert fs.exists(file_id) is True
    assert fs.exists(f"openai://{file_id}") is True


@pytest.mark.parametrize("path", ["user_data/a/../b.txt", "file-abc/x", "Upper/x"])
def test_exists_refuses_a_malformed_path(fs, path):
    with pytest.raises(ValueError):
        fs.exists(path)


def test_exists_raises_when_the_service_fails(server, fs):
    server.add_fault("files.list", status=500, times=3)
    with pytest.raises(OSError, match="HTTP 500"):
        fs.exists("user_data/a.txt")


@pytest.mark.parametrize(
    ("path", "isdir", "isfile"),
    [
        ("", True, False),
        ("user_data", True, False),
        ("openai://user_data/", True, False),
        ("user_data/a.txt", False, True),
        ("user_data/none.txt", False, False),
        ("unknown-purpose", False, False),
        ("file-doesnotexist", False, False),
    ],
)
def test_isdir_and_isfile(fs, file_id, path, isdir, isfile):
    assert fs.isdir(path) is isdir
    assert fs.isfile(path) is isfile


def test_an_id_is_a_file_not_a_directory(fs, file_id):
    assert fs.isfile(file_id) is True
    assert fs.isdir(file_id) is False


def test_exists_after_delete(fs, file_id):
    fs.rm("user_data/a.txt")
    assert fs.exists("user_data/a.txt") is False
    assert fs.exists(file_id) is False
