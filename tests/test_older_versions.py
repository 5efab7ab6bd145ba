"""The older version is deleted only after the new file is confirmed; a failure to delete it
is reported where the caller can see it, and the next replace-write retries it."""

from __future__ import annotations

import threading
import time
import warnings

import openai
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


def test_the_known_older_version_is_deleted_while_the_look_is_under_way(fs, server, openaifs_sdk):
    # The look at files made meanwhile only adds to what a replace deletes: the version
    # known when the write began is deleted beside it, not after it.
    fs.pipe_file(PATH, b"one")
    old = fs.info(PATH)["id"]
    fs.ls("openai://user_data")  # warm: the next listing request is the look
    server.add_fault("files.list", "stall", seconds=5)
    writer = threading.Thread(target=fs.pipe_file, args=(PATH, b"two"))
    writer.start()
    try:
        gone_while_writing = False
        while writer.is_alive() and not gone_while_writing:
            try:  # not a listing: that would meet the stall itself
                openaifs_sdk.files.retrieve(old)
            except openai.NotFoundError:
                gone_while_writing = writer.is_alive()
            time.sleep(0.05)
    finally:
        writer.join()
    assert gone_while_writing
    assert fs.cat(PATH) == b"two"


def test_an_older_version_whose_early_delete_failed_is_deleted_after_the_look(
    fs, server, openaifs_sdk
):
    fs.pipe_file(PATH, b"one")
    fs.ls("openai://user_data")
    server.add_fault("files.delete", "status", status=400)  # not worth a retry
    with warnings.catch_warnings():
        warnings.simplefilter("error", OlderVersionsRemainWarning)
        fs.pipe_file(PATH, b"two")
    [left] = files_named(openaifs_sdk, "r.txt")
    assert openaifs_sdk.files.content(left.id).content == b"two"
    assert server.stats()["requests"]["files.delete"] == 2
