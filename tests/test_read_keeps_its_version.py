"""A reader opened on a name reads one file id to the end, never bytes of two versions, and
misused read options are refused before anything is read."""

from __future__ import annotations

import pytest
from write_helpers import payload

PATH = "openai://user_data/data.bin"
OLD = payload(300_000, seed=1)
NEW = payload(300_000, seed=2)


def test_a_reader_keeps_reading_its_version_after_the_name_is_replaced(fs):
    fs.pipe_file(PATH, OLD)
    with fs.open(PATH, "rb", block_size=10_000) as f:
        head = f.read(1000)
        fs.pipe_file(PATH, NEW, overwrite="keep")  # the name now means another file
        rest = f.read()
    assert head + rest == OLD
    assert fs.cat(PATH) == NEW


def test_a_reader_whose_file_is_deleted_says_so(fs):
    fs.pipe_file(PATH, OLD)
    with fs.open(PATH, "rb", block_size=10_000) as f:
        file_id = f.details["id"]
        fs.rm(file_id)
        f.seek(200_000)  # not where the stream stands: needs the content again
        with pytest.raises(FileNotFoundError, match=f"{file_id}.*was deleted while it was read"):
            f.read(10)


@pytest.mark.parametrize("block_size", [-1, 0, "4MB", 1.5, True])
def test_an_invalid_block_size_is_refused_before_reading(fs, server, block_size):
    # Regression: block_size=-1 returned b"hell" for a file holding b"hello".
    fs.pipe_file(PATH, b"hello")
    with pytest.raises(ValueError, match="block_size must be a positive number"):
        fs.open(PATH, "rb", block_size=block_size)


def test_an_unknown_cache_type_is_refused(fs):
    fs.pipe_file(PATH, b"hello")
    with pytest.raises(ValueError, match="cache_type 'fastest' is not one of"):
        fs.open(PATH, "rb", cache_type="fastest")


def test_cache_options_must_be_a_dict(fs):
    fs.pipe_file(PATH, b"hello")
    with pytest.raises(TypeError, match="cache_options must be a dict"):
        fs.open(PATH, "rb", cache_options=["trim"])


def test_valid_read_options_still_read_everything(fs):
    fs.pipe_file(PATH, b"hello")
    with fs.open(PATH, "rb", block_size=2, cache_type="bytes") as f:
        assert f.read() == b"hello"
