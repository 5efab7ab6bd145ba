"""The file objects behind ``open()``: a streamed reader and a spooling writer."""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fsspec.spec import AbstractBufferedFile

from openaifs.upload import MAX_UPLOAD_SIZE, MultipartUpload, open_region, remove_quietly

if TYPE_CHECKING:
    from openaifs.core import OpenAIFileSystem, WriteTarget

logger = logging.getLogger("openaifs")

# A forward seek shorter than this is read through rather than switching to a local copy.
_SKIP_LIMIT = 2**20


class OpenAIReadFile(AbstractBufferedFile):
    """A file opened for reading.

    Sequential reads stream the content from the service (memory stays bounded, nothing
    touches the disk). The first read that is not where the stream stands switches to a
    complete local copy of the content, kept in the filesystem's content cache by file id;
    ``seek`` and footer-first formats such as Parquet are then served from disk.
    """

    def __init__(
        self,
        fs: OpenAIFileSystem,
        path: str,
        details: dict[str, Any],
        block_size: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(fs, path, mode="rb", block_size=block_size, size=details["size"], **kwargs)
        self.details = details
        self._stream: Iterator[bytes] | None = None
        self._stream_pos = 0
        self._leftover = b""
        self._local: Any = None

    def _fetch_range(self, start: int, end: int) -> bytes:
        end = min(end, self.size)
        if start >= end:
            return b""
        if self._local is None and self._stream is None:
            # A copy made earlier (by another open of this file) serves every read.
            self._open_local(self.fs.content_cache.existing(self.details["id"], self.size))
        if self._local is None and 0 <= start - self._stream_pos <= _SKIP_LIMIT:
            return self._read_stream(start, end)
        if self._local is None:
            self._close_stream()
            self._local = self.fs._local_copy(self.details, self.path)
        self._local.seek(start)
        return self._local.read(end - start)

    def _open_local(self, local_path: str | None) -> None:
        """Read from the existing local copy at ``local_path``, if it is still there."""
        if local_path is None:
            return
        try:
            self._local = open(local_path, "rb")  # noqa: SIM115
        except FileNotFoundError:  # evicted meanwhile: read as if there were no copy
            pass

    def _read_stream(self, start: int, end: int) -> bytes:
        if self._stream is None:
            self._stream = self.fs._iter_content(self.details, self.path, start=self._stream_pos)
        out = bytearray()
        while self._stream_pos < end:
            if not self._leftover:
                self._leftover = next(self._stream)
            take = self._leftover[: end - self._stream_pos]
            self._leftover = self._leftover[len(take) :]
            if self._stream_pos + len(take) > start:
                out += take[max(0, start - self._stream_pos) :]
            self._stream_pos += len(take)
        return bytes(out)

    def _close_stream(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def close(self) -> None:
        self._close_stream()
        if self._local is not None:
            self._local.close()
            self._local = None
        super().close()


class PublishOnCleanClose:
    """The writers' rule: only a clean :meth:`close` publishes. Leaving a ``with`` block by
    an exception, or dropping the object unclosed, calls ``discard()`` instead."""

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            self.discard()
        else:
            self.close()

    def __del__(self) -> None:
        try:
            closed = self.closed
        except AttributeError:  # construction failed: nothing to discard
            return
        if not closed:
            self.discard()


class OpenAIWriteFile(PublishOnCleanClose, AbstractBufferedFile):
    """A file opened for writing; the new file appears only when ``close`` succeeds.

    Without ``size``, content up to one part stays in memory; beyond that it is spooled
    to a local temporary file and sent on ``close``. With ``size`` declared up front
    (and larger than the one-request threshold), an Upload starts at once and each full
    part goes up while the caller goes on writing, at most ``concurrency`` at a time.

    Leaving a ``with`` block by an exception, or calling :meth:`discard`, cancels
    everything: no file appears and no Upload is left pending.
    """

    def __init__(
        self,
        fs: OpenAIFileSystem,
        path: str,
        target: WriteTarget,
        *,
        size: int | None = None,
        mode: str = "wb",
        **kwargs: Any,
    ) -> None:
        super().__init__(fs, path, mode="wb", block_size=fs.upload_settings.part_size, **kwargs)
        self.target = target
        self.declared_size = size
        self._md5 = hashlib.md5() if fs.upload_settings.checksum else None
        self._written = 0
        self._spool: Any = None
        self._upload: MultipartUpload | None = None
        self._parts_sent = 0
        self._part_files: list[str] = []
        self.file: dict[str, Any] | None = None

    @property
    def _streaming(self) -> bool:
        return self.declared_size is not None and (
            self.declared_size > self.fs.upload_settings.threshold
        )

    def write(self, data: Any) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        n = memoryview(data).nbytes
        limit = self.declared_size if self.declared_size is not None else MAX_UPLOAD_SIZE
        if self._written + n > limit:
            what = "the declared size" if self.declared_size is not None else "the service's limit"
            self.discard()
            raise ValueError(
                f"{self.path}: writing {self._written + n} bytes is over {what} of {limit} bytes; "
                "the write was cancelled"
            )
        if self._md5 is not None:
            self._md5.update(data)
        self._written += n
        return super().write(data)

    def _upload_chunk(self, final: bool = False) -> bool:
        data = self.buffer.getbuffer()
        tail = b""
        try:
            if self._streaming:
                tail = self._send_full_parts(data, final)
            elif not final or self._spool is not None:
                self._spool_out(data)
            if final:
                self._finish(data)
        finally:
            del data
        if tail:
            # Less than a part is left: keep it buffered for the next flush.
            self.buffer = io.BytesIO(tail)
            self.buffer.seek(0, 2)
            return False
        return True

    def _spool_out(self, data: memoryview) -> None:
        if self._spool is None:
            self._spool = tempfile.NamedTemporaryFile(prefix="openaifs-spool-", delete=False)  # noqa: SIM115
        self._spool.write(data)

    def _send_full_parts(self, data: memoryview, final: bool) -> bytes:
        """Send every full part in ``data`` (all of it when ``final``); return the rest."""
        settings = self.fs.upload_settings
        if self._upload is None:
            self._upload = self.fs._start_upload(self.target, self.declared_size)
        start = 0
        while len(data) - start >= settings.part_size or (final and start < len(data)):
            chunk = data[start : start + settings.part_size]
            fd, part_path = tempfile.mkstemp(prefix="openaifs-part-")
            with os.fdopen(fd, "wb") as f:
                f.write(chunk)
            self._part_files.append(part_path)
            self._upload.send(
                self._parts_sent,
                open_region(part_path, 0),
                len(chunk),
                done=lambda p=part_path: remove_quietly(p),
            )
            self._parts_sent += 1
            start += len(chunk)
        return bytes(data[start:])

    def _finish(self, data: memoryview) -> None:
        if self.declared_size is not None and self._written != self.declared_size:
            raise ValueError(
                f"{self.path}: {self._written} bytes written, but size={self.declared_size} "
                "was declared; the write was cancelled"
            )
        md5 = None if self._md5 is None else self._md5.hexdigest()
        if self._upload is not None:
            self.file = self.fs._finish_upload(self.target, self._upload, md5)
            self._upload = None  # completed: nothing left to cancel
        elif self._spool is not None:
            self._spool.close()
            self.file = self.fs._send_local(self.target, self._spool.name, self._written, md5)
        else:
            self.file = self.fs._send_bytes(self.target, bytes(data))

    def close(self) -> None:
        if self.closed:
            return
        try:
            if not self.forced:
                self.flush(force=True)
        except BaseException:
            self.discard()
            raise
        finally:
            self.closed = True
            self._cleanup()

    def discard(self) -> None:
        """Abandon the write: cancel any Upload, remove local spool files. Never raises."""
        if self._upload is not None:
            self._upload.abort()
            self._upload = None
        self.closed = True
        self._cleanup()

    def _cleanup(self) -> None:
        if self._spool is not None:
            self._spool.close()
            remove_quietly(self._spool.name)
            self._spool = None
        for part_path in self._part_files:
            remove_quietly(part_path)
        self._part_files = []
        self.buffer = None


class LayeredWriteFile(PublishOnCleanClose):
    """Text and/or compression layers over an :class:`OpenAIWriteFile`.

    The new file is published only by a clean :meth:`close`. Leaving a ``with`` block by an
    exception, or dropping the object unclosed, discards the write — as for the binary
    writer. (``io.TextIOWrapper`` and ``gzip.GzipFile`` alone would not: the first publishes
    whatever was written when it is garbage-collected, the second never closes the file
    under it, so nothing would be published at all.)

    Parameters
    ----------
    outer : file-like
        The outermost layer (a ``TextIOWrapper`` or a compressor) that callers write to.
    raw : OpenAIWriteFile
        The binary writer at the bottom.
    """

    def __init__(self, outer: Any, raw: OpenAIWriteFile) -> None:
        self._outer = outer
        self.raw = raw

    def __getattr__(self, name: str) -> Any:
        if name in ("_outer", "raw"):  # not set yet: construction failed
            raise AttributeError(name)
        return getattr(self._outer, name)

    def write(self, data: Any) -> int:
        return self._outer.write(data)

    @property
    def closed(self) -> bool:
        return self.raw.closed

    def close(self) -> None:
        """Flush every layer, then publish."""
        if self.raw.closed:
            return
        try:
            self._outer.close()
            self.raw.close()
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Abandon the write (never raises)."""
        self.raw.discard()
        # The layers may still hold buffered bytes; closing them now, against a closed
        # writer, fails quietly here instead of noisily when they are collected.
        with contextlib.suppress(Exception):
            self._outer.close()

    def __enter__(self) -> LayeredWriteFile:
        return self
