"""Regression tests for the defects a review of the rewritten write path found, one each,
named for the bug."""

from __future__ import annotations

import contextlib
import gc

import fsspec
import pytest
from fs_support import make_fs
from write_helpers import files_named

from openaifs.content import shared_content_cache


class Boom(Exception):
    pass


def test_a_writer_discarded_in_a_transaction_is_not_committed_as_an_empty_file(fs):
    fs.pipe_file("openai://user_data/a.txt", b"good")
    with fs.transaction:
        f = fs.open("openai://user_data/a.txt", "wb")
        f.write(b"bad")
        f.close()
        f.discard()
        fs.pipe_file("openai://user_data/b.txt", b"b")
    assert fs.cat("openai://user_data/a.txt") == b"good"
    assert fs.cat("openai://user_data/b.txt") == b"b"


def test_a_second_commit_does_not_make_a_second_file(fs, openaifs_sdk):
    f = fs.open("openai://user_data/once.txt", "wb", autocommit=False)
    f.write(b"x")
    f.close()
    first = f.commit()
    assert f.commit() == first
    assert len(files_named(openaifs_sdk, "once.txt")) == 1


def test_autocommit_false_outside_a_transaction_applies_the_policy_on_commit(fs, openaifs_sdk):
    fs.pipe_file("openai://user_data/p.txt", b"old")
    f = fs.open("openai://user_data/p.txt", "wb", autocommit=False)
    f.write(b"new")
    f.close()
    f.commit()
    [left] = files_named(openaifs_sdk, "p.txt")
    assert openaifs_sdk.files.content(left.id).content == b"new"
    assert not fs._intrans and not (fs._transaction and fs._transaction.files)


def test_a_nested_transaction_is_refused_and_the_outer_keeps_its_writes(fs):
    with fs.transaction:
        fs.pipe_file("openai://user_data/outer.txt", b"outer")
        with pytest.raises(RuntimeError, match="already open"), fs.transaction:
            pass
    assert fs.cat("openai://user_data/outer.txt") == b"outer"


def test_a_writer_left_open_fails_the_transaction_and_publishes_nothing(fs, openaifs_sdk):
    with pytest.raises(ValueError, match="still open"), fs.transaction:
        fs.pipe_file("openai://user_data/a.txt", b"a")
        f = fs.open("openai://user_data/open.txt", "wb")
        f.write(b"never closed")
    assert list(openaifs_sdk.files.list()) == []


def test_a_transaction_makes_its_files_in_the_order_they_were_closed(fs, openaifs_sdk):
    with fs.transaction:
        first = fs.open("openai://user_data/x.txt", "wb", overwrite="keep")
        second = fs.open("openai://user_data/x.txt", "wb", overwrite="keep")
        second.write(b"closed first")
        second.close()
        first.write(b"closed last")
        first.close()
    assert fs.cat("openai://user_data/x.txt") == b"closed last"  # the newest


def test_a_look_at_one_purpose_does_not_hide_new_files_in_another(server):
    # Regression: a look at one purpose's new files recorded them as "seen", and a later
    # look at the whole project stopped there, before other purposes' new files.
    mine, theirs = make_fs(server), make_fs(server)
    mine.ls("openai://user_data")
    theirs.pipe_file("openai://batch/x.jsonl", b"{}\n")
    mine.pipe_file("openai://user_data/a.txt", b"a")  # looks at what is new, after publishing
    assert mine.exists("openai://batch/x.jsonl")
    mine.rm("openai://batch/x.jsonl")
    assert not make_fs(server).exists("openai://batch/x.jsonl")


def test_an_exclusive_loser_that_cannot_withdraw_says_which_file_shadows(server, openaifs_sdk):
    first, second = make_fs(server), make_fs(server, max_retries=0, backoff_max=0.01)
    a = first.open("openai://user_data/once.txt", "xb")
    b = second.open("openai://user_data/once.txt", "xb")
    a.write(b"a")
    b.write(b"b")
    a.close()
    server.add_fault("files.delete", "status", status=503, times=20)
    with pytest.raises(FileExistsError, match=r"could not be withdrawn.*delete openai://file-"):
        b.close()
    server.clear_faults()


def test_an_exitstack_that_suppresses_an_exception_still_publishes(fs):
    with contextlib.ExitStack() as stack:
        f = stack.enter_context(fs.open("openai://user_data/s.txt", "wb"))
        stack.enter_context(contextlib.suppress(KeyError))
        f.write(b"kept")
        raise KeyError("suppressed")
    assert fs.cat("openai://user_data/s.txt") == b"kept"


def test_publish_works_on_text_and_compressed_writers(fs):
    for mode, compression, data in [("w", None, "text"), ("wb", "gzip", b"zipped")]:
        f = fs.open("openai://user_data/t.bin", mode, compression=compression)
        f.write(data)
        try:
            raise Boom
        except Boom:
            f.publish()
        assert fs.exists("openai://user_data/t.bin")


def test_a_name_replaced_by_another_instance_is_read_afresh(server):
    # Regression: fsspec keeps one instance per thread; after another replaced a name, a
    # read by name failed with FileNotFoundError until the listing expired.
    reader, writer = make_fs(server), make_fs(server)
    writer.pipe_file("openai://user_data/n.txt", b"one")
    assert reader.cat("openai://user_data/n.txt") == b"one"
    writer.pipe_file("openai://user_data/n.txt", b"two")  # deletes the file reader cached
    assert reader.cat("openai://user_data/n.txt") == b"two"


def test_a_failed_delete_by_id_keeps_the_file_visible(fs, server):
    fs.pipe_file("openai://user_data/d.txt", b"x")
    file_id = fs.info("openai://user_data/d.txt")["id"]
    server.add_fault("files.delete", "status", status=500, times=10)
    with pytest.raises(OSError):
        fs.rm(f"openai://{file_id}")
    server.clear_faults()
    assert fs.exists("openai://user_data/d.txt")
    assert fs.exists(f"openai://{file_id}")


def test_the_default_cache_size_does_not_override_an_explicit_one(server, tmp_path):
    folder = str(tmp_path / "c")
    small = shared_content_cache(server.base_url, "k", folder, 2**20)
    assert shared_content_cache(server.base_url, "k", folder, 10 * 2**30) is small
    assert small.max_bytes == 2**20


def test_a_dropped_fsspec_text_writer_publishes_what_it_holds(fs, server):
    # A documented limit (docs/safety.md): fsspec's own text layer, dropped unclosed,
    # closes our writer from its finalizer with no exception in sight; we cannot tell
    # that from a clean close. fs.open and `with fsspec.open(...)` are not affected.
    options = {"api_key": server.api_key, "base_url": server.base_url}
    f = fsspec.open("openai://user_data/dropped.txt", "w", **options).open()
    f.write("partial")
    del f
    gc.collect()
    assert fs.cat("openai://user_data/dropped.txt") == b"partial"


@pytest.mark.parametrize("meanwhile", ["same second", "cache cleared before the look"])
def test_a_cold_replace_write_removes_a_rival_listed_only_by_a_later_listing(
    server, tmp_path, meanwhile
):
    # Regression (review of the cold-put change): a cold write took its mark from whatever
    # listing was cached after its own fetch; a rival file of the name in a later listing
    # counted as known yet was not among the earlier versions, and survived the replace.
    fs, rival = make_fs(server), make_fs(server)
    server.freeze_clock()
    local = tmp_path / "a.txt"
    local.write_bytes(b"mine")
    catalog = fs.publisher.catalog
    lookup = catalog.lookup

    def lookup_then_rival_and_relist(*args, **kwargs):
        found = lookup(*args, **kwargs)  # this write's own cold listing: the name is absent
        rival.pipe_file("openai://user_data/n.txt", b"rival")
        if meanwhile != "same second":
            server.advance_clock(5)
        catalog.listing(refresh=True)  # another thread of the process lists again
        catalog.lookup = lookup
        return found

    catalog.lookup = lookup_then_rival_and_relist
    if meanwhile != "same second":
        since = catalog.since

        def clear_then_look(*args, **kwargs):
            fs.invalidate_cache()
            return since(*args, **kwargs)

        catalog.since = clear_then_look
    fs.put_file(str(local), "openai://user_data/n.txt")
    left = make_fs(server).ls("openai://user_data/n.txt", versions=True, detail=True)
    assert len(left) == 1, left
    assert fs.cat_file("openai://user_data/n.txt") == b"mine"


def test_a_local_file_that_cannot_be_opened_creates_no_upload_and_leaves_no_thread(
    server, tmp_path
):
    # Regression (review): the md5 thread started and the Upload was created before the
    # local file was opened; a file gone after its size was read left both behind.
    import threading

    from openaifs.upload import UploadSettings, upload_local_file

    fs = make_fs(server)
    before = {t.name for t in threading.enumerate()}
    with pytest.raises(FileNotFoundError):
        upload_local_file(
            fs.client,
            str(tmp_path / "gone.bin"),
            10 * 2**20,
            path="openai://user_data/gone.bin",
            filename="gone.bin",
            purpose="user_data",
            mime_type="application/octet-stream",
            settings=UploadSettings(part_size=2**20, threshold=2**20),
        )
    assert "uploads.create" not in server.stats()["requests"]
    left = {t.name for t in threading.enumerate()} - before
    assert not any(name.startswith("openaifs-md5") for name in left), left


def test_a_write_after_a_forced_flush_is_refused_while_spooling(fs):
    # Regression (review): writes that went straight to the spool skipped fsspec's check.
    part = fs.upload_settings.part_size
    f = fs.open("openai://user_data/f.bin", "wb")
    f.write(b"a" * (part + 10))
    f.flush(force=True)
    with pytest.raises(ValueError):
        f.write(b"b" * 100)
    f.close()
    assert fs.info("openai://user_data/f.bin")["size"] == part + 10


# -- found by the review of lazily read parts (the hasher reads ahead of the senders) ------


def test_a_part_whose_sending_is_refused_is_released_and_its_spool_unmapped(
    server, tmp_path, monkeypatch
):
    # A part handed to the hasher whose upload.send raised (an earlier part had failed)
    # kept its sender's share: its buffer was never released, and a spool's mapping (of a
    # deleted file, still taking its disk space) lived as long as the exception.
    from write_helpers import PART, payload, private_tempdir

    private_tempdir(monkeypatch, tmp_path)
    fs = make_fs(server, max_concurrency=1)
    server.add_fault("uploads.parts.create", status=400)
    with pytest.raises(ValueError) as caught, fs.open("openai://user_data/s.bin", "wb") as f:
        f.write(payload(6 * PART, seed=7))
    assert caught.value.status == 400
    with open("/proc/self/maps") as maps:
        mapped = [line.split()[-2] for line in maps if "openaifs-spool" in line]
    assert mapped == []


def test_a_spool_cut_short_names_the_file_written(fs):
    # Mapped parts of a short spool failed with mmap's bare "mmap length is greater than
    # file size", naming nothing.
    import os

    from write_helpers import PART, payload

    written = fs.open("openai://user_data/t.bin", "wb")
    with pytest.raises(OSError, match=r"t\.bin: the local file ended"), written as f:
        f.write(payload(4 * PART))
        f._spool.flush()
        os.truncate(f._spool.name, 3 * PART)
