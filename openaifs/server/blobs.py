"""Writing request bodies to disk without holding them in memory or blocking the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import Executor

#: Bytes gathered before one write is handed to a worker thread (fewer, larger writes are faster).
FLUSH_SIZE = 4 * 1024 * 1024
#: Read size when assembling parts.
COPY_SIZE = 4 * 1024 * 1024


class BlobWriter:
    """Stream bytes into a temporary file.

    Writes run in a worker thread, one batch at a time, while the event loop keeps receiving
    the next batch. Nothing is hashed here: only an Upload's ``complete`` needs an md5, and it
    computes one while assembling the parts (hashing every byte on the way in cost more CPU
    than parsing the body, and halved ingest).

    Parameters
    ----------
    path
        The temporary file to fill (created by the caller, truncated here).
    executor
        Where blocking writes and fsync run.
    durable
        fsync the file and its new directory on :meth:`commit`.
    """

    def __init__(self, path: str, executor: Executor, *, durable: bool) -> None:
        self.path = path
        self.committed = False
        self.size = 0
        self._durable = durable
        self._executor = executor
        self._file = open(path, "wb", buffering=0)  # noqa: SIM115 - closed by commit/discard
        self._buffer = bytearray()
        self._pending: asyncio.Future[None] | None = None

    async def write(self, data: bytes) -> None:
        """Append ``data`` (buffered; the disk write happens in the background)."""
        self.size += len(data)
        self._buffer += data
        if len(self._buffer) >= FLUSH_SIZE:
            await self._flush()

    async def _flush(self) -> None:
        if self._pending is not None:
            await self._pending
            self._pending = None
        if self._buffer:
            batch, self._buffer = self._buffer, bytearray()
            loop = asyncio.get_running_loop()
            self._pending = loop.run_in_executor(self._executor, self._write_batch, batch)

    def _write_batch(self, batch: bytearray) -> None:
        _write_all(self._file, batch)

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
            os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.path, final_path)
        if self._durable:
            fsync_dir(os.path.dirname(final_path))

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
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def assemble(
    sources: Sequence[str], target: str, *, durable: bool, digest: bool = True
) -> tuple[int, str | None]:
    """Concatenate ``sources`` into the new file ``target`` (blocking: run in a worker thread).

    Returns
    -------
    tuple
        The total size, and the md5 (lower-case hex) of the result when ``digest`` is true
        (else ``None``). ``target`` is fsync'd when durable.
    """
    md5 = hashlib.md5() if digest else None
    size = 0
    buffer = bytearray(COPY_SIZE)
    view = memoryview(buffer)
    with open(target, "wb", buffering=0) as out:
        for source in sources:
            with open(source, "rb", buffering=0) as src:
                while count := src.readinto(buffer):
                    if md5 is not None:
                        md5.update(view[:count])
                    _write_all(out, view[:count])
                    size += count
        if durable:
            os.fsync(out.fileno())
    return size, None if md5 is None else md5.hexdigest()


def place(source: str, target: str, *, durable: bool) -> None:
    """Rename a finished temporary file into place, durably (blocking)."""
    os.replace(source, target)
    if durable:
        fsync_dir(os.path.dirname(target))


def fsync_dir(path: str) -> None:
    """fsync a directory so a rename into it survives a power cut."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _write_all(file, data: bytes | bytearray | memoryview) -> None:  # type: ignore[no-untyped-def]
    view = memoryview(data)
    while view:
        written = file.write(view)
        view = view[written:]
