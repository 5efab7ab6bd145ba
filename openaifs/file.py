"""The file objects behind ``open()``: a streamed reader and a spooling writer."""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import logging
import os
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fsspec.spec import AbstractBufferedFile

from openaifs.limits import MAX_UPLOAD_SIZE
from openaifs.multipart import MultipartUpload, open_region
from openaifs.progress import ThreadSafeProgress
from openaifs.upload import remove_quietly, upload_plan

if TYPE_CHECKING:
    from openaifs.download import ContentReader
    from openaifs.publish import Publisher, WriteTarget

logger = logging.getLogger("openaifs")

# A forward seek shorter than this is read through rather than switching to a local copy.
_SKIP_LIMIT = 2**20


class OpenAIReadFile(AbstractBufferedFile):
    """A file opened for reading.

    Sequential reads stream the content from the service (memory stays bounded, nothing
    touches the disk). The first read that is not where the stream stands switches to a
    complete local copy of the content, kept in the filesystem's content cache by file id;
    ``seek`` and footer-first formats such as Parquet are then served from disk.

    A reader is bound to one file id, fixed when it is opened: if the name is written
    again meanwhile, it goes on reading the version it opened, never bytes of two.
    """

    def __init__(
        self,
        fs: Any,
        path: str,
        details: dict[str, Any],
        reader: ContentReader,
        block_size: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(fs, path, mode="rb", block_size=block_size, size=details["size"], **kwargs)
        self.details = details
        self.reader = reader
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
            self._open_local(self.reader.cache.existing(self.details["id"], self.size))
        if self._local is None and 0 <= start - self._stream_pos <= _SKIP_LIMIT:
            return self._read_stream(start, end)
        if self._local is None:
            self._close_stream()
            self._local = self._deleted_is_clear(self.reader.local_copy, self.details, self.path)
        self._local.seek(start)
        return self._local.read(end - start)

    def _deleted_is_clear(self, func: Any, *args: Any) -> Any:
        try:
            return func(*args)
        except FileNotFoundError as exc:
            raise FileNotFoundError(
                f"openai://{self.path}: {self.details['id']}, the file this reader was opened "
                f"on, was deleted while it was read ({exc})"
            ) from None

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
            self._stream = self.reader.iter(self.details, self.path, start=self._stream_pos)
        out = bytearray()
        while self._stream_pos < end:
            if not self._leftover:
                self._leftover = self._deleted_is_clear(next, self._stream)
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


class WriteDiscardedWarning(UserWarning):
    """A writer was closed while an exception raised after it was opened propagated, so
    the write was discarded instead of published (see ``docs/safety.md``)."""


def _exception_in_flight() -> BaseException | None:
    """The exception being raised or handled around the current call, if any.

    Inside ``__exit__`` of a ``with`` block left by an exception, in a ``finally`` clause
    run by one, and in an ``except`` clause, this is that exception.
    """
    return sys.exc_info()[1]


_close_order = itertools.count()


def _abandon_in_background(upload: Any) -> None:
    """Cancel ``upload`` without blocking: a finalizer must never wait on the network.

    A daemon thread cannot hold up the interpreter's exit; if it never runs (exit under
    way), the service expires the pending Upload within the hour, and no file appears
    either way.
    """
    try:
        threading.Thread(target=upload.abort, name="openaifs-abandon", daemon=True).start()
    except RuntimeError:  # interpreter shutting down: no new threads
        pass


class PublishOnCleanClose:
    """The writers' rule: only a clean :meth:`close` publishes.

    - Leaving a ``with`` block by an exception calls ``discard()``.
    - ``close()`` called while an exception raised *after the writer was opened* is
      propagating (fsspec's ``OpenFile.__exit__``, pandas' handles, a ``finally``
      clause) discards too, with a :class:`WriteDiscardedWarning`: fsspec's ``with``
      cannot tell us about the exception, but the interpreter can.
    - Dropping the object unclosed discards, without any network call from the
      finalizer.
    """

    def _note_context(self) -> None:
        # An exception already being handled when the writer was opened (a writer opened
        # inside an ``except`` clause) is not a reason to discard it. Its traceback is
        # kept too: the same exception raised again (a bare ``raise``) has a new one.
        exc = _exception_in_flight()
        self._context_at_open = (exc, None if exc is None else exc.__traceback__)

    def _failing(self) -> BaseException | None:
        exc = _exception_in_flight()
        if exc is None or (exc, exc.__traceback__) == getattr(self, "_context_at_open", None):
            return None
        return exc

    def _discard_for(self, exc: BaseException, path: str) -> None:
        message = (
            f"openai://{path}: not written: {type(exc).__name__} was raised while the file "
            "was open, so close() discarded it (call publish() to write it anyway)"
        )
        logger.info(message)
        warnings.warn(message, WriteDiscardedWarning, stacklevel=4)
        self.discard()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        # Our own ``with`` knows for certain: no guessing from the interpreter's state
        # (an ExitStack runs every exit while a suppressed exception is still in flight).
        if exc_type is not None:
            self.discard()
        else:
            self.publish()

    def __del__(self) -> None:
        try:
            closed = self.closed
        except AttributeError:  # construction failed: nothing to discard
            return
        if not closed:
            self.discard(background=True)


class OpenAIWriteFile(PublishOnCleanClose, AbstractBufferedFile):
    """A file opened for writing; the new file appears only when ``close`` succeeds.

    Without ``size``, content up to one part stays in memory; beyond that it is spooled
    to a local temporary file and sent on ``close``. With ``size`` declared up front
    (and larger than the one-request threshold), an Upload starts at once and each full
    part goes up while the caller goes on writing, at most ``concurrency`` at a time.

    With ``autocommit=False`` (inside ``with fs.transaction:``), ``close`` sends every
    part but publishes nothing; :meth:`commit` (at the end of the transaction) makes
    the file and :meth:`discard` cancels it.

    Leaving a ``with`` block by an exception, or calling :meth:`discard`, cancels
    everything: no file appears and no Upload is left pending.

    ``callback`` (an fsspec ``Callback``) is told of the bytes as they are sent: while
    writing when ``size`` is declared, else at ``close``.
    """

    def __init__(
        self,
        fs: Any,
        path: str,
        target: WriteTarget,
        publisher: Publisher,
        *,
        size: int | None = None,
        autocommit: bool = True,
        callback: Any = None,
        **kwargs: Any,
    ) -> None:
        settings = publisher.settings
        streaming = size is not None and size > settings.threshold
        # Parts sent while writing are cut as put_file cuts the same size, and each leaves
        # as soon as it is full.
        self._plan = upload_plan(size, settings) if streaming else []  # type: ignore[arg-type]
        super().__init__(
            fs,
            path,
            mode="wb",
            block_size=self._plan[0][1] if self._plan else settings.part_size,
            autocommit=autocommit,
            **kwargs,
        )
        self._note_context()
        self.target = target
        self.publisher = publisher
        self.declared_size = size
        # Parts sent while writing (a declared size) need the md5 as the bytes go by; a
        # spooled file is hashed by the upload itself, beside its parts' sends, so that
        # writing (which the caller waits on) costs no more than copying to the spool.
        self._md5 = hashlib.md5() if settings.checksum and streaming else None
        self._written = 0
        self._spool: Any = None
        self._upload: MultipartUpload | None = None
        self._parts_sent = 0
        self._part_files: list[str] = []
        self._small: bytes | None = None
        self._ready = False
        self._discarded = False
        #: When the writer was closed, in the order of every deferred writer's close.
        self.closed_seq: int | None = None
        self.file: dict[str, Any] | None = None
        self._progress = ThreadSafeProgress(callback)
        if size is not None:
            self._progress.set_size(size)

    @property
    def _streaming(self) -> bool:
        """Whether parts go up while writing (a declared size over the threshold)."""
        return bool(self._plan)

    def write(self, data: Any) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        if self.forced:  # before anything is counted: the bytes are refused
            raise ValueError("This file has been force-flushed, can only close")
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
        if self._spool is not None and not self._streaming:
            # Spooling already: straight to the spool. Through the block buffer, every byte
            # was copied twice, into a fresh buffer each block (new pages, which cost more
            # than the copy).
            self._spool.write(data)
            self.loc += n
            return n
        return super().write(data)

    def _upload_chunk(self, final: bool = False) -> bool:
        data = self.buffer.getbuffer()
        tail = b""
        try:
            if self._streaming:
                tail = self._send_full_parts(data, final)
            elif not final or self._spool is not None:
                self._spool_out(data)
            elif final:
                self._small = bytes(data)
            if final:
                self._check_complete()
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
        if self._upload is None:
            self._upload = self.publisher.start_upload(self.target, self.declared_size)
            self._upload.on_part = self._progress
        start = 0
        # Short of the declared size at the end, the last part is not sent: close refuses.
        while self._parts_sent < len(self._plan):
            length = self._plan[self._parts_sent][1]
            if len(data) - start < length:
                break
            chunk = data[start : start + length]
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

    def _check_complete(self) -> None:
        if self.declared_size is not None and self._written != self.declared_size:
            raise ValueError(
                f"{self.path}: {self._written} bytes written, but size={self.declared_size} "
                "was declared; the write was cancelled"
            )
        self._ready = True

    def _make_file(self) -> dict[str, Any]:
        """Make the new file from what was sent or kept (an Upload, a spool, bytes)."""
        md5 = None if self._md5 is None else self._md5.hexdigest()
        if self.declared_size is None:
            self._progress.set_size(self._written)
        if self._upload is not None:
            file = self.publisher.finish_upload(self.target, self._upload, md5)
            self._upload = None  # completed: nothing left to cancel
        elif self._spool is not None:
            self._spool.close()
            file = self.publisher.send_local(
                self.target,
                self._spool.name,
                self._written,
                md5,
                on_progress=self._progress,
                spool=True,
            )
        else:
            file = self.publisher.send_bytes(self.target, self._small or b"", self._progress)
        self.file = file
        return file

    def close(self) -> None:
        """Send what is left and publish (or, in a transaction, keep it for the end)."""
        if self.closed:
            return
        failing = None if getattr(self, "publishing", False) else self._failing()
        if failing is not None:
            self._discard_for(failing, self.path)
            return
        self.publish()

    def publish(self) -> None:
        """Send what is left and publish, even inside an ``except`` clause."""
        if self.closed:
            return
        try:
            if not self.forced:
                self.flush(force=True)
            if self.autocommit:
                self.publisher.publish(self.target, self._make_file())
            else:
                self.closed_seq = next(_close_order)
        except BaseException:
            self.discard()
            raise
        finally:
            self.closed = True
            if self.autocommit:
                self._cleanup()

    @property
    def discarded(self) -> bool:
        return self._discarded

    def make(self) -> dict[str, Any]:
        """Deferred (``autocommit=False``): make the file sent at ``close``, once."""
        if self.file is not None:
            return self.file
        if self._discarded:
            raise ValueError(f"openai://{self.path}: the write was discarded; nothing to commit")
        if not self._ready:
            raise ValueError(f"openai://{self.path}: not closed, so there is nothing to commit")
        try:
            return self._make_file()
        finally:
            self._cleanup()

    def commit(self) -> dict[str, Any]:
        """Deferred (``autocommit=False``) outside a transaction: make the file now and
        apply the overwrite policy. (A transaction makes all its files first, then applies
        the policies: see :mod:`openaifs.transaction`.)"""
        already = self.file is not None
        file = self.make()
        if not already:
            self.publisher.publish(self.target, file)
        return file

    def discard(self, background: bool = False) -> None:
        """Abandon the write: cancel any Upload, remove local spool files. Never raises."""
        if self.file is None:
            self._discarded = True
            self._ready = False
        if self._upload is not None:
            if background:
                _abandon_in_background(self._upload)
            else:
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
        self._small = None
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
        self._context_at_open = raw._context_at_open

    def __getattr__(self, name: str) -> Any:
        if name in ("_outer", "raw", "_context_at_open"):  # not set yet: construction failed
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
        failing = self._failing()
        if failing is not None:
            self._discard_for(failing, self.raw.path)
            return
        self.publish()

    def publish(self) -> None:
        """Flush every layer, then publish, even inside an ``except`` clause."""
        if self.raw.closed:
            return
        try:
            self.raw.publishing = True  # the layers' close() must not second-guess it
            self._outer.close()
            self.raw.publish()
        except BaseException:
            self.discard()
            raise

    def discard(self, background: bool = False) -> None:
        """Abandon the write (never raises)."""
        self.raw.discard(background)
        # The layers may still hold buffered bytes; closing them now, against a closed
        # writer, fails quietly here instead of noisily when they are collected.
        with contextlib.suppress(Exception):
            self._outer.close()

    def __enter__(self) -> LayeredWriteFile:
        return self
