"""Exclusive creation: ``open(path, "xb")`` and ``pipe_file(mode="create")``."""

from __future__ import annotations

import pytest
from write_helpers import PART, files_named, payload, posts

PATH = "openai://user_data/once.txt"


@pytest.fixture
def existing(fs, openaifs_sdk, server):
    """The id of a file already named ``once.txt``; statistics start afresh after it."""
    fs.pipe_file(PATH, b"first")
    [file] = files_named(openaifs_sdk, "once.txt")
    server.clear_stats()
    return file.id


def assert_untouched(openaifs_sdk, server, file_id):
    assert [f.id for f in files_named(openaifs_sdk, "once.txt")] == [file_id]
    assert openaifs_sdk.files.content(file_id).content == b"first"
    assert posts(server) == {}


def test_open_xb_on_an_existing_name_raises_before_sending(fs, server, openaifs_sdk, existing):
    with pytest.raises(FileExistsError, match=f"once.txt: exists \\(id {existing}\\)"):
        fs.open(PATH, "xb")
    assert_untouched(openaifs_sdk, server, existing)


@pytest.mark.parametrize("size", [5, 2 * PART])
def test_pipe_file_create_on_an_existing_name_raises(fs, server, openaifs_sdk, existing, size):
    with pytest.raises(FileExistsError, match=r"once\.txt"):
        fs.pipe_file(PATH, payload(size), mode="create")
    assert_untouched(openaifs_sdk, server, existing)


def test_open_xb_with_size_on_an_existing_name_raises(fs, server, openaifs_sdk, existing):
    with pytest.raises(FileExistsError):
        fs.open(PATH, "xb", size=3 * PART)
    assert_untouched(openaifs_sdk, server, existing)


def test_put_file_create_on_an_existing_name_raises(fs, server, openaifs_sdk, existing, tmp_path):
    local = tmp_path / "x.txt"
    local.write_bytes(b"second")
    with pytest.raises(FileExistsError):
        fs.put_file(str(local), PATH, mode="create")
    assert_untouched(openaifs_sdk, server, existing)


def test_exclusive_modes_create_a_new_name(fs):
    with fs.open("openai://user_data/a.txt", "xb") as f:
        f.write(b"a")
    fs.pipe_file("openai://user_data/b.txt", payload(2 * PART), mode="create")
    assert fs.cat_file("openai://user_data/a.txt") == b"a"
    assert fs.cat_file("openai://user_data/b.txt") == payload(2 * PART)


def test_exclusive_create_checks_the_service_not_a_stale_listing(fs, openaifs_sdk):
    fs.ls("openai://user_data")  # a cached listing without the file
    openaifs_sdk.files.create(file=("once.txt", b"theirs"), purpose="user_data")
    with pytest.raises(FileExistsError):
        fs.open(PATH, "xb")
