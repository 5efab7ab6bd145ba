"""Failed writes: nothing half-written appears, nothing is left pending or on local disk."""

from __future__ import annotations

import fsspec
import pytest
from fsspec.callbacks import Callback
from write_helpers import (
    PART,
    Wire,
    assert_cancelled,
    files_named,
    leftover_temp_files,
    payload,
    posts,
    private_tempdir,
)

from openaifs.errors import ServerError
from openaifs.file import WriteDiscardedWarning

PATH = "openai://user_data/data.bin"
OLD = b"the previous content"


class Boom(Exception):
    pass


@pytest.fixture
def old(fs, openaifs_sdk, server, tmp_path, monkeypatch):
    """The id of the file that holds the name; temporary files go to a private folder."""
    private_tempdir(monkeypatch, tmp_path)
    fs.pipe_file(PATH, OLD)
    [file] = files_named(openaifs_sdk, "data.bin")
    server.clear_stats()
    return file.id


def assert_only_old(openaifs_sdk, old_id: str) -> None:
    """The name holds exactly the previous file, unchanged, and no local leftovers exist."""
    assert [f.id for f in files_named(openaifs_sdk, "data.bin")] == [old_id]
    assert openaifs_sdk.files.content(old_id).content == OLD
    assert leftover_temp_files() == []


def assert_one_upload_cancelled(server, openaifs_sdk, wire: Wire) -> None:
    [upload_id] = wire.upload_ids
    assert_cancelled(openaifs_sdk, upload_id)
    assert server.stats()["requests"]["uploads.cancel"] == 1


@pytest.mark.parametrize("size", [None, 3 * PART])
def test_exception_inside_with_leaves_nothing(fs, server, openaifs_sdk, old, size):
    wire = Wire(fs)
    with pytest.raises(Boom), fs.open(PATH, "wb", size=size) as f:
        f.write(payload(2 * PART + 1))  # spooled, or two parts sent
        if size is None:
            assert [n[:15] for n in leftover_temp_files()] == ["openaifs-spool-"]
        raise Boom
    assert f.closed
    assert_only_old(openaifs_sdk, old)
    if size is None:
        assert posts(server) == {}  # the spooled content never left the machine
    else:
        assert "uploads.complete" not in server.stats()["requests"]
        assert_one_upload_cancelled(server, openaifs_sdk, wire)


def test_an_exception_inside_a_text_mode_with_published_the_text_so_far(fs, openaifs_sdk, old):
    """Regression: fsspec's TextIOWrapper closes (so publishes) whatever happens."""
    with pytest.raises(Boom), fs.open(PATH, "w") as f:
        f.write("half of it")
        raise Boom
    assert_only_old(openaifs_sdk, old)


def test_an_exception_inside_fsspec_open_leaves_nothing(server, openaifs_sdk, old):
    # Was a strict xfail: fsspec's OpenFile.__exit__ calls close() whatever happened; the
    # writer now sees the exception propagating through close() and discards.
    opened = fsspec.open(PATH, "wb", api_key=server.api_key, base_url=server.base_url)
    with pytest.raises(Boom), pytest.warns(WriteDiscardedWarning), opened as f:
        f.write(b"half of it")
        raise Boom
    assert_only_old(openaifs_sdk, old)


def test_a_failed_small_write_leaves_nothing(fs, server, openaifs_sdk, old):
    server.add_fault("files.create", status=400)
    with pytest.raises(ValueError, match=r"data\.bin: HTTP 400"):
        fs.pipe_file(PATH, b"new")
    assert_only_old(openaifs_sdk, old)


def write_large(fs, how: str, data: bytes, tmp_path, **kwargs) -> None:
    """Write ``data`` to PATH through ``put_file``, ``open`` with ``size=`` or ``open``.

    ``put_file`` runs without resume here: a failed resumable upload keeps its Upload
    pending for the next call on purpose (tests/test_resume.py).
    """
    if how == "put_file":
        local = tmp_path / "local.bin"
        local.write_bytes(data)
        fs.put_file(str(local), PATH, **{"resume": False, **kwargs})
        return
    size = len(data) if how == "open size=" else None
    with fs.open(PATH, "wb", size=size) as f:
        f.write(data)


HOWS = ["put_file", "open size=", "open"]


@pytest.mark.parametrize("how", HOWS)
def test_a_part_failing_once_is_retried(fs, server, openaifs_sdk, old, tmp_path, how):
    server.add_fault("uploads.parts.create", status=500)
    data = payload(3 * PART + 3)
    write_large(fs, how, data, tmp_path)
    [fault] = server.faults()
    assert fault["hits"] == 1
    requests = server.stats()["requests"]
    assert requests["uploads.parts.create"] == 5  # four parts, one sent twice
    assert "uploads.cancel" not in requests
    [file] = files_named(openaifs_sdk, "data.bin")
    assert openaifs_sdk.files.content(file.id).content == data
    assert leftover_temp_files() == []


@pytest.mark.parametrize("how", HOWS)
def test_a_part_failing_for_good_cancels_the_upload(fs, server, openaifs_sdk, old, tmp_path, how):
    server.add_fault("uploads.parts.create", status=500, times=1000)
    wire = Wire(fs)
    with pytest.raises(OSError) as caught:
        write_large(fs, how, payload(3 * PART), tmp_path)
    assert type(caught.value) is ServerError
    assert caught.value.status == 500
    message = str(caught.value)
    assert message.startswith("openai://user_data/data.bin: HTTP 500: ")
    assert "request id req_" in message
    server.clear_faults()  # let the check below send a part
    assert_one_upload_cancelled(server, openaifs_sdk, wire)
    assert_only_old(openaifs_sdk, old)


@pytest.mark.parametrize("how", HOWS)
def test_complete_failing_cancels_the_upload(fs, server, openaifs_sdk, old, tmp_path, how):
    server.add_fault("uploads.complete", status=500, times=3)  # every attempt
    wire = Wire(fs)
    with pytest.raises(OSError, match=r"data\.bin: HTTP 500"):
        write_large(fs, how, payload(2 * PART + 1), tmp_path)
    [fault] = server.faults()
    assert fault["hits"] == 3
    assert_one_upload_cancelled(server, openaifs_sdk, wire)
    assert_only_old(openaifs_sdk, old)


@pytest.mark.parametrize(
    ("operation", "size"), [("files.create", 100), ("uploads.complete", 2 * PART + 1)]
)
@pytest.mark.parametrize("how", ["pipe_file", "put_file"])
def test_a_lost_answer_leaves_no_duplicate(
    fs, server, openaifs_sdk, old, tmp_path, operation, size, how
):
    """The service acted but its answer was lost: the retry finds the new file instead of
    sending it again, and the old one is still replaced."""
    server.add_fault(operation, "drop_after")
    data = payload(size)
    if how == "pipe_file":
        fs.pipe_file(PATH, data)
    else:
        write_large(fs, "put_file", data, tmp_path)
    [fault] = server.faults()
    assert fault["hits"] == 1
    assert server.stats()["requests"][operation] == 1  # not sent again
    [file] = files_named(openaifs_sdk, "data.bin")
    assert file.id != old
    assert openaifs_sdk.files.content(file.id).content == data
    assert fs.cat_file(PATH) == data


def test_a_request_dropped_before_acting_is_sent_again(fs, server, openaifs_sdk, old):
    server.add_fault("files.create", "drop")
    fs.pipe_file(PATH, b"new")
    assert server.stats()["requests"]["files.create"] == 2
    [file] = files_named(openaifs_sdk, "data.bin")
    assert openaifs_sdk.files.content(file.id).content == b"new"


class InterruptAfterFirstPart(Callback):
    def relative_update(self, inc: int = 1) -> None:
        super().relative_update(inc)
        raise KeyboardInterrupt


def test_keyboard_interrupt_during_put_cancels_the_upload(fs, server, openaifs_sdk, old, tmp_path):
    local = tmp_path / "local.bin"
    local.write_bytes(payload(6 * PART))
    wire = Wire(fs)
    with pytest.raises(KeyboardInterrupt):
        fs.put_file(str(local), PATH, callback=InterruptAfterFirstPart(), resume=False)
    assert "uploads.complete" not in server.stats()["requests"]
    assert_one_upload_cancelled(server, openaifs_sdk, wire)
    assert_only_old(openaifs_sdk, old)
    assert local.read_bytes() == payload(6 * PART)
