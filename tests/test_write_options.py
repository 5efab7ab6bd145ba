"""Per-write options: ``expires_after``, ``mime_type``, progress callbacks."""

from __future__ import annotations

import io

import openai
import pytest
from fsspec.callbacks import Callback, TqdmCallback
from write_helpers import PART, Wire, files_named, payload

PATH = "openai://user_data/data.bin"


@pytest.mark.parametrize("size", [10, 2 * PART])
def test_expires_after_sets_expires_at_and_the_file_disappears(fs, server, openaifs_sdk, size):
    fs.pipe_file(PATH, payload(size), expires_after=3600)
    [file] = files_named(openaifs_sdk, "data.bin")
    assert file.expires_at == file.created_at + 3600
    assert fs.info(PATH)["expires_at"] == file.expires_at
    server.advance_clock(3601)
    with pytest.raises(openai.NotFoundError):
        openaifs_sdk.files.retrieve(file.id)
    fs.invalidate_cache()
    assert not fs.exists(PATH)
    assert fs.ls("openai://user_data") == []


def test_expires_after_through_open_and_put_file(fs, openaifs_sdk, tmp_path):
    with fs.open("openai://user_data/a.bin", "wb", expires_after=7200) as f:
        f.write(b"a")
    local = tmp_path / "b.bin"
    local.write_bytes(payload(2 * PART))
    fs.put_file(str(local), "openai://user_data/b.bin", expires_after=86400)
    [a] = files_named(openaifs_sdk, "a.bin")
    [b] = files_named(openaifs_sdk, "b.bin")
    assert a.expires_at - a.created_at == 7200
    assert b.expires_at - b.created_at == 86400


def test_no_expires_after_means_no_expiry(fs, openaifs_sdk):
    fs.pipe_file(PATH, b"x")
    [file] = files_named(openaifs_sdk, "data.bin")
    assert file.expires_at is None


def test_an_expiry_the_service_refuses_is_a_value_error(fs, openaifs_sdk):
    # Refused before any request, naming the range the service accepts.
    with pytest.raises(ValueError, match=r"expires_after must be between 3600"):
        fs.pipe_file(PATH, b"x", expires_after=60)
    assert files_named(openaifs_sdk, "data.bin") == []


@pytest.mark.parametrize(
    ("filename", "mime_type", "sent"),
    [
        ("data.bin", "image/png", "image/png"),
        ("data.jsonl", None, "text/jsonl"),
        ("data.csv", None, "text/csv"),
        ("data.unknownext", None, "application/octet-stream"),
    ],
)
def test_mime_type_sent_with_an_upload(fs, filename, mime_type, sent):
    """What reaches the service is observable for Uploads (a JSON body). For one-request
    files the type travels as the multipart part's Content-Type, which the local server
    does not keep and the streamed body does not let us read back, so it is not checked."""
    wire = Wire(fs)
    fs.pipe_file(f"openai://user_data/{filename}", payload(2 * PART), mime_type=mime_type)
    [created] = wire.sent("POST", "/uploads")
    assert created["mime_type"] == sent


class Recorder(Callback):
    """Records what a transfer reports: the size it set and every increment."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []
        self.increments: list[int] = []

    def set_size(self, size: int) -> None:
        super().set_size(size)
        self.sizes.append(size)

    def relative_update(self, inc: int = 1) -> None:
        self.increments.append(inc)
        super().relative_update(inc)


@pytest.mark.parametrize(
    ("size", "increments"),
    [(0, []), (1000, [1000]), (3 * PART + 1, [PART, PART, PART, 1])],
)
def test_put_file_progress_sees_the_total(fs, tmp_path, size, increments):
    local = tmp_path / "local.bin"
    local.write_bytes(payload(size))
    progress = Recorder()
    fs.put_file(str(local), PATH, callback=progress)
    assert progress.sizes == [size]
    assert sorted(progress.increments) == sorted(increments)  # parts finish in any order
    assert progress.value == size


def test_put_progress_counts_files(fs, tmp_path):
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_bytes(name.encode())
    progress = Recorder()
    fs.put(str(tmp_path / "*.txt"), "openai://user_data/", callback=progress)
    assert progress.sizes == [3]
    assert progress.value == 3


def test_tqdm_callback(fs, tmp_path):
    local = tmp_path / "local.bin"
    local.write_bytes(payload(2 * PART + 7))
    shown = io.StringIO()
    progress = TqdmCallback(tqdm_kwargs={"file": shown, "mininterval": 0})
    fs.put_file(str(local), PATH, callback=progress)
    assert progress.tqdm.total == 2 * PART + 7
    assert progress.tqdm.n == 2 * PART + 7
    progress.close()
    assert "100%" in shown.getvalue()
    assert fs.cat_file(PATH) == payload(2 * PART + 7)


@pytest.mark.parametrize("option", ["checksum", "part_size", "max_concurrency", "read_timeout"])
def test_a_filesystem_option_given_to_one_write_is_refused_not_ignored(fs, tmp_path, option):
    # Regression: fs.put_file(a, b, checksum=False) was silently ignored (fsspec's extra
    # keywords are accepted and dropped), so the md5 was computed all the same.
    local = tmp_path / "a.txt"
    local.write_bytes(b"abc")
    with pytest.raises(TypeError, match=f"'{option}', an option of the filesystem"):
        fs.put_file(str(local), "openai://user_data/a.txt", **{option: False})
    with pytest.raises(TypeError, match="an option of the filesystem"):
        fs.pipe_file("openai://user_data/a.txt", b"abc", **{option: False})
    assert not fs.exists("openai://user_data/a.txt")
