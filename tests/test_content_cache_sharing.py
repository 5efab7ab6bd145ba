"""One content cache per process, endpoint and key: shared by threads and instances, with one
size budget; a forked child makes its own; a pickled filesystem arrives without caches."""

from __future__ import annotations

import os
import pickle
import threading

import fsspec
from filehelpers import requests_to
from fs_support import make_fs
from write_helpers import payload

PATH = "openai://user_data/shared.bin"
DATA = payload(200_000)


def read_at_random(fs) -> bytes:
    with fs.open(PATH, "rb", block_size=1000) as f:
        f.seek(150_000)
        f.read(10)
        f.seek(100_000)  # backwards: served from a local copy
        return f.read(10)


def test_instances_with_the_same_endpoint_and_key_share_one_copy(server):
    first, second = make_fs(server), make_fs(server)
    first.pipe_file(PATH, DATA)
    assert first.content_cache is second.content_cache
    assert read_at_random(first) == DATA[100_000:100_010]
    downloads = requests_to(server, "files.content")
    assert read_at_random(second) == DATA[100_000:100_010]
    assert requests_to(server, "files.content") == downloads  # it used the first's copy


def test_threads_of_fsspec_share_the_cache(server):
    # fsspec keeps one instance per thread: dask's threaded scheduler gets several.
    options = {"api_key": server.api_key, "base_url": server.base_url}
    fsspec.filesystem("openai", **options).pipe_file(PATH, DATA)
    caches = []

    def work() -> None:
        caches.append(fsspec.filesystem("openai", **options).content_cache)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c) for c in caches}) == 1


def test_another_key_has_its_own_cache(server):
    assert make_fs(server).content_cache is not make_fs(server, api_key="sk-other").content_cache


def test_a_forked_child_makes_its_own_cache(server):
    fs = make_fs(server)
    fs.pipe_file(PATH, DATA)
    read_at_random(fs)
    parent_folder = fs.content_cache.directory
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a new filesystem must not reuse the parent's cache
        try:
            child = make_fs(server)
            same = child.content_cache is fs.content_cache
            child_folder = child.content_cache.directory
            os.write(writer, b"same" if same or child_folder == parent_folder else b"own")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(reader, 10) == b"own"
    assert os.path.isdir(parent_folder)  # and the child's exit did not remove the parent's


def test_a_pickled_filesystem_arrives_with_its_settings_not_its_caches(server):
    fs = make_fs(server, part_size=123_456, listings_expiry_time=7)
    fs.pipe_file(PATH, DATA)
    fs.ls("openai://user_data")
    blob = pickle.dumps(fs)
    assert DATA[:1000] not in blob
    back = pickle.loads(blob)
    assert back.upload_settings.part_size == 123_456
    assert back.metadata.listings_expiry_time == 7
    assert back.metadata.listing() is None or back is fs  # fsspec may hand back the instance
