"""Reading file content: streamed downloads that are never returned truncated, and a local copy
of each file's content, keyed by file id, for random access.

The service documents no byte ranges, so every download may be the whole body. A body that
ends short of the file's ``bytes`` is requested again; a ``Range`` header is sent for the
rest, and trusted only if the answer is a 206 whose ``Content-Range`` matches exactly.
A file's content never changes, so a local copy keyed by its id is always valid.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import requests

from openaifs.client import APIClient
from openaifs.paths import is_file_id

logger = logging.getLogger("openaifs")

CHUNK = 1 << 20
#: The default size budget of the content cache.
DEFAULT_CACHE_SIZE = 10 * 2**30
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


def _range_matches(response: requests.Response, start: int, end: int, total: int) -> bool:
    """Whether ``response`` is a 206 carrying exactly bytes ``start``..``end - 1``."""
    if response.status_code != 206:
        return False
    m = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
    return bool(m) and (int(m[1]), int(m[2]) + 1) == (start, end) and m[3] in (str(total), "*")


def iter_content(
    client: APIClient,
    file: dict[str, Any],
    *,
    path: str,
    start: int = 0,
    end: int | None = None,
    max_attempts: int = 5,
    chunk_size: int = CHUNK,
    response: requests.Response | None = None,
) -> Iterator[bytes]:
    """Yield the bytes ``start``..``end`` of ``file``, retrying a body cut short.

    Parameters
    ----------
    response : requests.Response, optional
        An answer already received for the first attempt (to a request for
        ``start..end``, with a ``Range`` header unless that is the whole file), so a
        caller that looked at it first need not ask again. It is closed here.

    Raises
    ------
    OSError
        If the content still ends short after ``max_attempts`` downloads, or is longer
        than the file's declared ``bytes``.
    """
    total = file["bytes"]
    end = total if end is None else min(end, total)
    pos = start
    attempt = 0
    ask_ranges = True
    while pos < end:
        ranged = ask_ranges and (pos > 0 or end < total)
        if response is None:
            byte_range = (pos, end) if ranged else None
            response = client.download(file["id"], path=path, byte_range=byte_range)
        try:
            if _range_matches(response, pos, end, total):
                skip = 0
            elif response.status_code == 206 and ranged:
                # Some other range than asked (a proxy aligning it, say): trust none of it,
                # and from now on ask for whole bodies.
                logger.info("%s: a 206 for another range than asked; asking for all", path)
                ask_ranges = False
                continue
            else:
                # A full body: the server ignored the range (as the real service does).
                skip = pos
            try:
                for chunk in response.iter_content(chunk_size):
                    if skip:
                        if len(chunk) <= skip:
                            skip -= len(chunk)
                            continue
                        chunk = chunk[skip:]
                        skip = 0
                    if pos + len(chunk) > end:
                        if response.status_code == 206 or end == total:
                            raise OSError(
                                f"{path}: the service sent more than the file's {total} bytes"
                            )
                        chunk = chunk[: end - pos]
                    pos += len(chunk)
                    if chunk:
                        yield chunk
                    if pos >= end:
                        break
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                logger.info("%s: download broke at byte %d (%s)", path, pos, exc)
            except requests.Timeout as exc:
                logger.info("%s: download stalled at byte %d (%s)", path, pos, exc)
        finally:
            response.close()
            response = None
        if pos < end:
            attempt += 1
            if attempt >= max_attempts:
                raise OSError(
                    f"{path}: the download ended at byte {pos} of {total} after {attempt} "
                    "attempts; nothing truncated was returned"
                )
            # The same backoff as any other retry (backoff_initial, doubling to backoff_max).
            time.sleep(client._backoff(attempt - 1, None))


def _remove_tree_if_owner(directory: str, owner: int) -> None:
    # A forked child inherits atexit handlers; only the process that made the folder
    # removes it.
    if os.getpid() == owner:
        shutil.rmtree(directory, ignore_errors=True)


class ContentCache:
    """Local copies of file content, one file per file id, with a size limit.

    One instance serves a whole process per endpoint, key and folder (see
    :func:`shared_content_cache`): threads and filesystem instances share its copies and
    its size budget.

    Parameters
    ----------
    directory : str, optional
        Where copies live. If not given, a private temporary directory, removed when the
        process that made it exits. A directory given explicitly persists (content never
        changes, so copies stay valid across runs).
    max_bytes : int
        The total size kept; least recently used copies are evicted past it.
    """

    def __init__(self, directory: str | None = None, max_bytes: int = DEFAULT_CACHE_SIZE) -> None:
        self._given = directory
        self._directory: str | None = None
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._evicting = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def reset_locks(self) -> None:
        """New locks (after ``fork``: a lock another thread of the parent held stays held
        in the child forever)."""
        self._lock = threading.Lock()
        self._evicting = threading.Lock()
        self._locks = {}

    @property
    def directory(self) -> str:
        if self._directory is not None and not os.path.isdir(self._directory):
            # Removed behind our back (a temporary-folder clean-up): make it again.
            os.makedirs(self._directory, exist_ok=True)
        if self._directory is None:
            if self._given is not None:
                os.makedirs(self._given, exist_ok=True)
                self._directory = self._given
            else:
                self._directory = tempfile.mkdtemp(prefix="openaifs-content-")
                atexit.register(_remove_tree_if_owner, self._directory, os.getpid())
        return self._directory

    def _path(self, file_id: str) -> str:
        # Ids come from the service: one that is not an id's shape could name a path
        # outside our folder ("../x"), so it never becomes a file name here.
        if not is_file_id(file_id):
            raise ValueError(f"{file_id!r} is not a file id; no local copy is made of it")
        return os.path.join(self.directory, file_id)

    def open_local(self, file: dict[str, Any], fetch: Callable[[], Iterator[bytes]]) -> IO[bytes]:
        """A complete local copy of ``file``, open for reading, downloading it if needed.

        It is opened before the per-file lock is released, so an eviction by another
        thread cannot pull it away between here and the caller's first read.
        """
        target = self._path(file["id"])
        with self._lock:
            lock = self._locks.setdefault(file["id"], threading.Lock())
        with lock:
            try:
                handle = open(target, "rb")  # noqa: SIM115 - the caller closes it
            except FileNotFoundError:
                pass
            else:
                if os.fstat(handle.fileno()).st_size == file["bytes"]:
                    os.utime(target)
                    return handle
                handle.close()
            self._evict(file["bytes"])
            # Partial names are unique per process and call: a forked child never writes
            # into its parent's partial file.
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".partial-{os.getpid()}-")
            try:
                with os.fdopen(fd, "wb") as out:
                    for chunk in fetch():
                        out.write(chunk)
                if os.path.getsize(tmp) != file["bytes"]:
                    raise OSError(f"local copy of {file['id']} has the wrong size")
                os.replace(tmp, target)
                return open(target, "rb")
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
                raise

    def _evict(self, incoming: int) -> None:
        # One eviction at a time; files another thread removes meanwhile are skipped.
        with self._evicting:
            entries = []
            for entry in os.scandir(self.directory):
                if entry.name.startswith(".partial-"):
                    continue
                try:
                    st = entry.stat()
                except FileNotFoundError:
                    continue
                entries.append((st.st_atime, st.st_mtime, st.st_size, entry.path))
            used = sum(e[2] for e in entries)
            for _, _, size, path in sorted(entries):
                if used + incoming <= self.max_bytes:
                    break
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
                used -= size

    def existing(self, file_id: str, size: int) -> str | None:
        """The path of a complete local copy of ``file_id`` (``size`` bytes), or ``None``."""
        if (self._directory or self._given) is None or not is_file_id(file_id):
            return None
        target = self._path(file_id)
        try:
            if os.path.getsize(target) == size:
                os.utime(target)
                return target
        except FileNotFoundError:
            pass
        return None

    def discard(self, file_ids: Iterable[str]) -> None:
        """Remove the copies of deleted files."""
        if self._directory is None:
            return
        for file_id in file_ids:
            if is_file_id(file_id):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(self._directory, file_id))

    def clear(self) -> None:
        """Remove every local copy."""
        if self._directory is not None:
            for entry in os.scandir(self._directory):
                if entry.is_file():
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)


_shared: dict[tuple, ContentCache] = {}
_shared_lock = threading.Lock()


def shared_content_cache(
    endpoint: str, credential: str, directory: str | None, max_bytes: int
) -> ContentCache:
    """The process's one content cache for an endpoint, a key and a folder.

    fsspec keeps one filesystem instance per thread, and dask's threaded scheduler uses
    many: without this, each would download the same file into its own copy with its own
    size budget. The key is hashed, never kept. After ``fork`` the child makes its own
    (the process id is part of the lookup), so it never shares its parent's partial
    files or temporary folder. A ``max_bytes`` other than the default wins over it.
    """
    digest = hashlib.sha256(credential.encode()).hexdigest()
    lookup = (os.getpid(), endpoint, digest, directory)
    with _shared_lock:
        cache = _shared.get(lookup)
        if cache is None:
            cache = _shared[lookup] = ContentCache(directory, max_bytes)
        elif max_bytes != DEFAULT_CACHE_SIZE:
            cache.max_bytes = max_bytes  # a size asked for wins over the default
        return cache


def _after_fork_in_child() -> None:
    # The child starts with caches of its own (the lookup holds the process id), and the
    # parent's, still referenced by inherited filesystems, get fresh locks.
    global _shared_lock
    _shared_lock = threading.Lock()
    for cache in _shared.values():
        cache.reset_locks()


os.register_at_fork(after_in_child=_after_fork_in_child)
