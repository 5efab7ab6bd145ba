"""``get_file`` and ``get``: streamed downloads to disk, retried, never left half-written."""

from __future__ import annotations

import os
import pathlib

import pytest
from filehelpers import payload, requests_to, sdk_create
from fsspec.callbacks import Callback

DATA = payload(2_500_000, seed=4)  # more than two 1 MiB chunks
PATH = "user_data/data.bin"


class Recorder(Callback):
    """A progress callback that remembers what it was told."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []
        self.updates: list[int] = []

    def set_size(self, size):
        self.sizes.append(size)
        super().set_size(size)

    def relative_update(self, inc=1):
        self.updates.append(inc)
        super().relative_update(inc)


@pytest.fixture
def stored(server, fs, openaifs_sdk):
    sdk_create(openaifs_sdk, PATH, DATA)
    server.clear_stats()
    return fs


def test_get_file_writes_the_content(stored, tmp_path):
    target = tmp_path / "out.bin"
    stored.get_file(f"openai://{PATH}", str(target))
    assert target.read_bytes() == DATA


def test_get_file_by_id(stored, tmp_path):
    target = tmp_path / "out.bin"
    stored.get_file(stored.info(PATH)["id"], str(target))
    assert target.read_bytes() == DATA


def test_progress_callback_sees_every_byte(stored, tmp_path):
    recorder = Recorder()
    stored.get_file(PATH, str(tmp_path / "out.bin"), callback=recorder)
    assert recorder.sizes == [len(DATA)]
    assert sum(recorder.updates) == len(DATA)
    assert len(recorder.updates) >= 3
    assert recorder.value == len(DATA)


@pytest.mark.parametrize("kind", ["drop", "truncate"])
def test_a_broken_download_is_retried(server, stored, tmp_path, kind):
    server.add_fault("files.content", kind, after_bytes=1_200_000)
    target = tmp_path / "out.bin"
    stored.get_file(PATH, str(target))
    assert target.read_bytes() == DATA
    assert requests_to(server, "files.content") == 2


def test_a_failed_download_leaves_no_partial_file(server, stored, tmp_path):
    server.add_fault("files.content", "truncate", after_bytes=1_200_000, times=100)
    target = tmp_path / "out.bin"
    with pytest.raises(OSError, match="nothing truncated was returned"):
        stored.get_file(PATH, str(target))
    assert not target.exists()
    assert os.listdir(tmp_path) == []


def test_a_missing_file_creates_nothing(stored, tmp_path):
    with pytest.raises(FileNotFoundError):
        stored.get_file("user_data/none.bin", str(tmp_path / "none.bin"))
    assert os.listdir(tmp_path) == []


def test_get_file_into_an_open_file(stored, tmp_path):
    target = tmp_path / "out.bin"
    with open(target, "wb") as out:
        stored.get_file(PATH, None, outfile=out)
    assert target.read_bytes() == DATA


@pytest.fixture
def small(fs):
    contents = {
        "user_data/a.txt": b"a",
        "user_data/b.txt": b"bb",
        "user_data/c.csv": b"c,c",
        "batch/in.jsonl": b"{}\n",
    }
    fs.pipe(contents)
    return contents


def local_files(root):
    """Every file under ``root`` as ``{relative path: bytes}``.

    Parameters
    ----------
    root : path-like
        A local folder.
    """
    files = [p for p in pathlib.Path(root).rglob("*") if p.is_file()]
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def test_get_a_list_into_a_folder(fs, small, tmp_path):
    fs.get(["user_data/a.txt", "batch/in.jsonl"], str(tmp_path) + "/")
    assert local_files(tmp_path) == {"a.txt": b"a", "in.jsonl": b"{}\n"}


def test_get_a_glob_into_a_folder(fs, small, tmp_path):
    fs.get("openai://user_data/*.txt", str(tmp_path) + "/")
    assert local_files(tmp_path) == {"a.txt": b"a", "b.txt": b"bb"}


def test_get_a_purpose_recursively(fs, small, tmp_path):
    fs.get("openai://user_data", str(tmp_path / "out"), recursive=True)
    assert local_files(tmp_path / "out") == {"a.txt": b"a", "b.txt": b"bb", "c.csv": b"c,c"}


def test_get_one_file_to_a_new_name(fs, small, tmp_path):
    fs.get("user_data/b.txt", str(tmp_path / "renamed.txt"))
    assert local_files(tmp_path) == {"renamed.txt": b"bb"}


def test_get_counts_each_file_in_the_callback(fs, small, tmp_path):
    recorder = Recorder()
    fs.get("user_data/*", str(tmp_path) + "/", callback=recorder)
    assert recorder.sizes == [3]
    assert recorder.updates == [1, 1, 1]
