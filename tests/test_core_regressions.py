"""Regression tests named after bugs found in review of core.py."""

import gc
import http.server
import os
import threading

import pytest
from fs_support import make_fs

from openaifs.client import APIClient
from openaifs.content import ContentCache, iter_content
from openaifs.testing import LocalServer


def test_cp_file_streams_a_copy(fs):
    data = os.urandom(300_000)
    fs.pipe("openai://user_data/a.bin", data)
    fs.copy("openai://user_data/a.bin", "openai://user_data/b.bin")
    assert fs.cat("openai://user_data/b.bin") == data
    assert fs.info("openai://user_data/b.bin")["id"] != fs.info("openai://user_data/a.bin")["id"]


def test_put_refuses_two_local_files_that_would_share_a_name(fs, tmp_path, server):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "x.txt").write_bytes(sub.encode())
    server.clear_stats()
    # A list of sources is flattened into the destination (fsspec's rule): both are x.txt.
    sources = [str(tmp_path / "a" / "x.txt"), str(tmp_path / "b" / "x.txt")]
    with pytest.raises(ValueError, match="would both be written"):
        fs.put(sources, "openai://user_data/")
    assert not server.stats()["requests"].get("files.create")


def test_a_listing_error_names_the_path():
    with LocalServer(api_keys=["sk-good"]) as strict:
        fs = make_fs(strict, api_key="sk-bad")
        with pytest.raises(PermissionError, match=r"^openai://batch: HTTP 401") as caught:
            fs.ls("openai://batch")
        assert caught.value.request_id.startswith("req_")
        assert "sk-bad" not in str(caught.value)


def test_a_failed_get_file_keeps_the_earlier_local_file(fs, server, tmp_path):
    fs.pipe("openai://user_data/new.bin", b"new content")
    local = tmp_path / "copy.bin"
    local.write_bytes(b"the user's earlier copy")
    server.add_fault("files.content", "status", status=500, times=10)
    with pytest.raises(OSError):
        fs.get_file("openai://user_data/new.bin", str(local))
    assert local.read_bytes() == b"the user's earlier copy"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.bin"]
    server.clear_faults()
    fs.get_file("openai://user_data/new.bin", str(local))
    assert local.read_bytes() == b"new content"


def test_a_miss_pages_back_only_to_the_newest_cached_file(fs, server, openaifs_sdk):
    # Regression: each miss re-listed every purpose (122 ms a miss at 10,000 files).
    for i in range(150):
        openaifs_sdk.files.create(file=(f"old-{i}.txt", b"x"), purpose="user_data")
    # All 150 share one created_at second, as files made in a burst do; the scan must
    # not page through every file tied with the newest one it knows.
    assert not fs.exists("openai://user_data/late.txt")  # fills the cache: 150 files
    openaifs_sdk.files.create(file=("late.txt", b"late"), purpose="user_data")
    server.clear_stats()
    assert fs.cat("openai://user_data/late.txt") == b"late"
    assert not fs.exists("openai://user_data/still-missing.txt")
    stats = server.stats()
    assert stats["requests"] == {"files.list": 2, "files.content": 1}
    content_bytes = 4
    server.clear_stats()
    fs.ls("openai://user_data", refresh=True)
    full_listing = server.stats()["bytes_out"]
    # Both misses together moved less than one listing of everything.
    assert stats["bytes_out"] - content_bytes < full_listing


def test_an_edited_listing_still_expires_as_old_as_its_fetch(server):
    # The listing's age is moved by hand (no sleep racing a short expiry on a loaded machine).
    fs = make_fs(server, listings_expiry_time=30)
    fs.pipe("openai://user_data/a.txt", b"a")
    fs.ls("openai://user_data", refresh=True)
    listing = fs.metadata.listing()
    listing.fetched_at -= 29
    fs.pipe("openai://user_data/a.txt", b"b")  # a known name: edits the cached listing
    assert fs.metadata.listing() is listing
    listing.fetched_at -= 2  # 31 s since the fetch, 2 s since the edit
    assert fs.metadata.listing() is None


@pytest.mark.parametrize(
    ("mode", "compression", "data"),
    [("wb", "gzip", b"hello"), ("w", "gzip", "hello"), ("w", None, "hello"), ("wt", "bz2", "hi")],
)
def test_layered_writes_publish_on_close_and_only_then(fs, mode, compression, data):
    # Regression: with compression the writer under GzipFile was never closed (nothing was
    # published), and a text writer dropped unclosed published its half-written text.
    path = "openai://user_data/layered.out"
    with fs.open(path, mode, compression=compression) as f:
        f.write(data)
    read_mode = "rb" if "b" in mode else "rt"
    with fs.open(path, read_mode, compression=compression) as f:
        assert f.read() == data
    dropped = fs.open("openai://user_data/dropped.out", mode, compression=compression)
    dropped.write(data)
    del dropped
    gc.collect()
    assert not fs.exists("openai://user_data/dropped.out")
    with pytest.raises(RuntimeError), fs.open(path, mode, compression=compression) as f:
        f.write(data * 2)
        raise RuntimeError("the job failed")
    with fs.open(path, read_mode, compression=compression) as f:
        assert f.read() == data


def test_a_lost_request_never_adopts_another_writers_file(fs, server, openaifs_sdk):
    # Regression: after a dropped POST /files, the file another client had just written
    # under the same name and size was taken for ours, and our bytes were never stored.
    with fs.open("openai://user_data/report.csv", "wb") as f:
        f.write(b"AAAA")
        theirs = openaifs_sdk.files.create(file=("report.csv", b"BBBB"), purpose="user_data")
        server.add_fault("files.create", "drop")  # our first attempt never reaches the service
    assert f.file["id"] != theirs.id
    assert fs.cat("openai://user_data/report.csv") == b"AAAA"


def test_a_lost_answer_on_the_last_attempt_is_found_not_reported_as_failure(server):
    # Regression: reconciliation ran only before a further attempt, so an ambiguous failure
    # of the last one raised although the file had been made.
    fs = make_fs(server, max_retries=2)
    server.add_fault("files.create", "status", status=429, times=2, retry_after_ms=1)
    server.add_fault("files.create", "drop_after")
    fs.pipe("openai://user_data/last.txt", b"new")
    versions = fs.ls("openai://user_data/last.txt", versions=True, refresh=True)
    assert [(v["size"], fs.cat(v["name"])) for v in versions] == [(3, b"new")]


def test_a_failed_cleanup_after_a_replace_write_is_not_the_callers_error(fs, server, caplog):
    # Regression: the listing that finds older versions sat outside the guard, so close()
    # raised although the new file was published.
    fs.pipe("openai://user_data/r.txt", b"old")
    with fs.open("openai://user_data/r.txt", "wb") as f:
        f.write(b"new")
        # Both looks at the name's newer files fail (with their retries).
        server.add_fault("files.list", "status", status=500, times=6)
    assert fs.cat("openai://user_data/r.txt") == b"new"
    assert "openai://user_data/r.txt: written, but older versions remain" in caplog.text


def test_a_file_written_by_another_client_before_our_own_write_is_found(fs, openaifs_sdk):
    # Regression: our own new file headed the cached listing, so the look for newer files
    # stopped at it and missed what others wrote between our listing and our write.
    fs.ls("openai://user_data")
    with fs.open("openai://user_data/y.txt", "wb") as f:  # looks up y.txt now
        f.write(b"ours")
        openaifs_sdk.files.create(file=("x.txt", b"theirs"), purpose="user_data")
    assert fs.exists("openai://user_data/x.txt")
    assert fs.cat("openai://user_data/x.txt") == b"theirs"


def test_eviction_skips_a_copy_another_thread_removed(tmp_path, monkeypatch):
    # Regression: eviction stat'ed every copy it listed; one removed meanwhile by another
    # thread raised FileNotFoundError, as if the remote file were missing.
    cache = ContentCache(str(tmp_path), max_bytes=10)
    for name in ("file-a", "file-b"):
        (tmp_path / name).write_bytes(b"x" * 8)
    scandir = os.scandir

    def scandir_racing_a_removal(path):
        for entry in list(scandir(path)):
            if entry.name == "file-a":
                os.unlink(entry.path)  # another thread's eviction got there first
            yield entry

    monkeypatch.setattr(os, "scandir", scandir_racing_a_removal)
    with cache.open_local({"id": "file-c", "bytes": 8}, lambda: iter([b"y" * 8])) as f:
        assert f.read() == b"y" * 8


def test_put_of_many_files_stops_at_the_first_failure(fs, server, tmp_path):
    # Regression: after one file failed, every queued file was still uploaded and published.
    for i in range(41):
        (tmp_path / f"f{i:02}.txt").write_bytes(b"x")
    server.configure(max_file_size=0)  # the first files sent are refused (400)
    with pytest.raises(ValueError, match="too large"):
        fs.put(str(tmp_path / "*.txt"), "openai://user_data/")
    server.configure(max_file_size=512_000_000)
    sent = server.stats()["requests"]["files.create"]
    workers = 2 * fs.max_concurrency  # small files in flight at once
    assert sent <= workers  # those under way when the first failed: no more start after
    assert len(fs.ls("openai://user_data", refresh=True)) == 0


class _MisalignedRanges(http.server.BaseHTTPRequestHandler):
    """A peer that answers any range with a 206 for another one (as some proxies align)."""

    data = bytes(range(200))

    def do_GET(self):
        if "Range" in self.headers:
            self.send_response(206)
            self.send_header("Content-Range", "bytes 64-199/200")
            body = self.data[64:]
        else:
            self.send_response(200)
            body = self.data
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_206_for_another_range_is_not_trusted():
    # Regression: a 206 whose Content-Range did not match was read as a full body, so
    # bytes from the wrong offset reached the caller before the length check failed.
    peer = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _MisalignedRanges)
    threading.Thread(target=peer.serve_forever, daemon=True).start()
    try:
        client = APIClient("sk-test", f"http://127.0.0.1:{peer.server_port}/v1")
        got = b"".join(iter_content(client, {"id": "file-x", "bytes": 200}, path="p", start=100))
        assert got == _MisalignedRanges.data[100:]
    finally:
        peer.shutdown()
        peer.server_close()


def test_clear_content_cache_removes_the_local_copies(fs):
    data = os.urandom(3 * 2**20)  # far enough to seek that a local copy is made
    fs.pipe("openai://user_data/a.bin", data)
    with fs.open("openai://user_data/a.bin") as f:
        f.seek(-2, 2)
        assert f.read() == data[-2:]
    directory = fs.content_cache.directory
    assert os.listdir(directory)
    fs.clear_content_cache()
    assert os.listdir(directory) == []


def test_a_miss_after_every_listed_file_was_deleted(fs, openaifs_sdk):
    # Regression: with every file the service had listed since deleted, the look for newer
    # files compared created_at with None (TypeError).
    fs.pipe("openai://user_data/a.txt", b"a")
    fs.ls("openai://user_data", refresh=True)
    fs.rm("openai://user_data/a.txt")
    openaifs_sdk.files.create(file=("b.txt", b"b"), purpose="user_data")
    assert fs.cat("openai://user_data/b.txt") == b"b"
    assert not fs.exists("openai://user_data/c.txt")
