"""Writing request bodies to disk without holding them in memory or blocking the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

#: Bytes gathered before one write is handed to a worker thread (fewer, larger writes are faster).
FLUSH_SIZE = 8 * 1024 * 1024
#: Read size when hashing parts.
COPY_SIZE = 4 * 1024 * 1024
#: Most buffers one ``os.writev`` takes (Linux's IOV_MAX).
_IOV_MAX = 1024


class BlobWriter:
    """Stream bytes into a temporary file.

    The pieces received are kept as they are (no joining copy) until about :data:`FLUSH_SIZE`
    bytes have gathered; a worker thread then writes them with one ``os.writev`` while the event
    loop receives the next batch. At most two batches are held, so memory stays bounded however
    large the body. Nothing is hashed here (hashing every byte on the way in, on the event
    loop, cost more CPU than parsing the body and halved ingest): a finished Upload part is
    hashed afterwards in a worker thread (see :mod:`.digests`).

    Parameters
    ----------
    path
        The temporary file to fill (created by the caller, truncated here).
    executor
        Where blocking writes and fsync run.
    durable
        fsync the file (once, at the end) and its new directory on :meth:`commit`.
    """

    def __init__(self, path: str, executor: Executor, *, durable: bool) -> None:
        self.path = path
        self.committed = False
        self.size = 0
        self._durable = durable
        self._executor = executor
        self._fd = os.open(path, os.O_WRONLY | os.O_TRUNC | os.O_CLOEXEC)
        self._batch: list[bytes | memoryview] = []
        self._batch_size = 0
        self._pending: asyncio.Future[None] | None = None

    async def write(self, data: bytes | memoryview) -> None:
        """Append ``data``, which must not change afterwards (the disk write happens later)."""
        if not data:
            return
        self.size += len(data)
        self._batch.append(data)
        self._batch_size += len(data)
        if self._batch_size >= FLUSH_SIZE:
            await self._flush()

    async def _flush(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            await pending
        if self._batch:
            batch, self._batch, self._batch_size = self._batch, [], 0
            loop = asyncio.get_running_loop()
            self._pending = loop.run_in_executor(self._executor, write_all, self._fd, batch)

    async def commit(self, final_path: str) -> None:
        """Make the content durable at ``final_path``."""
        await self._flush()
        if self._pending is not None:
            await self._pending
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._finish, final_path)
        self.committed = True

    def _finish(self, final_path: str) -> None:
        if self._durable:
            os.fsync(self._fd)
        self._close()
        os.replace(self.path, final_path)
        if self._durable:
            fsync_dir(os.path.dirname(final_path))

    def _close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    async def __aenter__(self) -> BlobWriter:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        # Whatever went wrong (a refusal, a dropped connection), nothing half-written stays.
        if not self.committed:
            await self.discard()

    async def discard(self) -> None:
        """Throw the bytes away (the request failed or was refused)."""
        if self._pending is not None:
            with contextlib.suppress(OSError):
                await self._pending
        self._close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def hash_files(paths: Sequence[str], md5: Any) -> int:
    """Feed the files ``paths``, one after another, to the hash object ``md5`` (blocking);
    return how many bytes that was."""
    buffer = bytearray(COPY_SIZE)
    view = memoryview(buffer)
    total = 0
    for path in paths:
        with open(path, "rb", buffering=0) as source:
            while count := source.readinto(buffer):
                md5.update(view[:count])
                total += count
    return total


def fsync_dir(path: str) -> None:
    """fsync a directory so a rename into it survives a power cut."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def write_all(descriptor: int, buffers: list[bytes | memoryview]) -> None:
    """Write every byte of ``buffers``, in order, with as few ``os.writev`` calls as it takes."""
    views = [memoryview(b) for b in buffers]
    first = 0
    while first < len(views):
        written = os.writev(descriptor, views[first : first + _IOV_MAX])
        while first < len(views) and written >= len(views[first]):
            written -= len(views[first])
            first += 1
        if written:  # a short write ended inside this buffer
            views[first] = views[first][written:]
