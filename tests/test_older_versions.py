"""The older version is deleted only after the new file is confirmed; a failure to delete it
is reported where the caller can see it, and the next replace-write retries it."""

from __future__ import annotations

import warnings

import pytest
from write_helpers import files_named

from openaifs.publish import OlderVersionsRemainWarning

PATH = "openai://user_data/r.txt"


def test_a_failed_delete_of_the_older_version_warns_and_the_next_write_retries(
    fs, server, openaifs_sdk
):
    fs.pipe_file(PATH, b"one")
    server.add_fault("files.delete", "status", status=500, times=10)
    with pytest.warns(OlderVersionsRemainWarning, match="older versions remain"):
        fs.pipe_file(PATH, b"two")
    assert fs.cat(PATH) == b"two"  # the write itself succeeded
    assert len(files_named(openaifs_sdk, "r.txt")) == 2  # shadowed, not lost
    server.clear_faults()
    with warnings.catch_warnings():
        warnings.simplefilter("error", OlderVersionsRemainWarning)
        fs.pipe_file(PATH, b"three")
    [left] = files_named(openaifs_sdk, "r.txt")
    assert openaifs_sdk.files.content(left.id).content == b"three"


def test_the_warning_can_be_made_an_error(fs, server):
    fs.pipe_file(PATH, b"one")
    server.add_fault("files.delete", "status", status=500, times=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error", OlderVersionsRemainWarning)
        with pytest.raises(OlderVersionsRemainWarning):
            fs.pipe_file(PATH, b"two")


def test_the_older_version_stays_when_the_new_file_is_not_confirmed(fs, server, openaifs_sdk):
    fs.pipe_file(PATH, b"one")
    server.add_fault("files.create", "status", status=400)
    with pytest.raises(ValueError):
        fs.pipe_file(PATH, b"two")
    assert [f.id for f in files_named(openaifs_sdk, "r.txt")] == [fs.info(PATH)["id"]]
    assert fs.cat(PATH) == b"one"
