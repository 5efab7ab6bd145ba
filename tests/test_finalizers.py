"""An abandoned writer cancels its Upload without any network call from the finalizer, and
ids from the service never become local paths outside our folders."""

from __future__ import annotations

import gc
import threading
import time

import pytest
from filehelpers import requests_to
from fs_support import PART
from write_helpers import payload

from openaifs.content import ContentCache


def test_dropping_an_unclosed_writer_does_not_wait_on_the_network(fs, server):
    writer = fs.open("openai://user_data/dropped.bin", "wb", size=4 * PART)
    writer.write(payload(2 * PART))  # an Upload is under way
    server.add_fault("uploads.cancel", "stall", seconds=20)
    finished = threading.Event()

    def drop(abandoned) -> None:
        abandoned.__del__()
        finished.set()

    threading.Thread(target=drop, args=(writer,), daemon=True).start()
    # The finalizer hands the cancel to a daemon thread; it must not sit out the stall.
    assert finished.wait(10)


def test_an_abandoned_upload_is_cancelled_in_the_background(fs, server):
    writer = fs.open("openai://user_data/dropped.bin", "wb", size=4 * PART)
    writer.write(payload(2 * PART))
    del writer
    gc.collect()
    deadline = time.monotonic() + 30
    while requests_to(server, "uploads.cancel") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert requests_to(server, "uploads.cancel") == 1
    assert not fs.exists("openai://user_data/dropped.bin")


@pytest.mark.parametrize("hostile", ["../escape", "file-../../x", "/etc/passwd", "", "a/b"])
def test_an_id_that_is_not_an_id_never_becomes_a_local_path(tmp_path, hostile):
    cache = ContentCache(str(tmp_path / "cache"))
    with pytest.raises(ValueError, match="is not a file id"):
        cache.open_local({"id": hostile, "bytes": 1}, lambda: iter([b"x"]))
    assert cache.existing(hostile, 1) is None
    cache.discard([hostile])  # nothing to do, and no error
    assert not (tmp_path / "escape").exists()
