"""Sending content to the service: one ``POST /files`` for small content, the Uploads API
(parts in parallel, md5 of the whole at ``complete``) for large content.

Every failure of a multipart upload cancels the Upload, so nothing is left pending and no
file appears. This module knows the API client, not fsspec.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import mmap
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from openaifs.client import APIClient
from openaifs.limits import MAX_PART_SIZE, MAX_UPLOAD_SIZE, MiB
from openaifs.multipart import MultipartUpload
from openaifs.parts import plan_parts
from openaifs.progress import counted

logger = logging.getLogger("openaifs")


@dataclass(frozen=True)
class UploadSettings:
    """How content goes up.

    Parameters
    ----------
    part_size : int
        The largest Uploads API part (at most 64 MiB). Content is cut into parts of about
        equal size, a whole number per connection; each part in flight is held in memory
        once (see ``memory``).
    threshold : int
        Content of at most this many bytes goes in one ``POST /files``.
    concurrency : int
        Parts in flight at once (never more than there are parts).
    checksum : bool
        Send the md5 of the whole at ``complete``, for the service to check. It costs
        about 2 s of CPU per GiB on each side; turn it off only where CPU, not the network,
        is the limit.
    memory : int
        The most bytes of parts held at once: parts are made smaller than ``part_size``
        when ``concurrency`` of them would not fit.
    """

    part_size: int = 32 * MiB
    threshold: int = 32 * MiB
    concurrency: int = 8
    checksum: bool = True
    memory: int = 192 * MiB

    @property
    def largest_part(self) -> int:
        """The largest part actually sent: ``part_size``, or less to fit in ``memory``."""
        return max(1, min(self.part_size, self.memory // self.concurrency))

    def __post_init__(self) -> None:
        if not 0 < self.part_size <= MAX_PART_SIZE:
            raise ValueError(f"part_size must be between 1 and {MAX_PART_SIZE} bytes")
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.memory < 1:
            raise ValueError("memory must be at least 1 byte")


#: The fewest waves of parts an upload is cut into, where parts can stay this large
#: (see :func:`upload_plan`).
MIN_WAVES = 3
MIN_WAVE_PART = 8 * MiB


def upload_plan(size: int, settings: UploadSettings) -> list[tuple[int, int]]:
    """The ``(offset, length)`` of each part of an upload of ``size`` bytes.

    Parts of about equal size, a whole number per connection (see
    :func:`~openaifs.parts.plan_parts`), at most ``settings.largest_part``, and in three waves
    at least unless that makes them smaller than 8 MiB: the service hashes the parts in order
    as they arrive, and the parts of the last wave arrive together, so all but one of them are
    hashed after the last byte is in; smaller last parts make ``complete`` answer sooner.
    On the shaped local server, 256 MiB in 2 waves of 16 MiB waited 0.05-0.13 s for
    ``complete`` beyond its round trip, in 3 waves of 10.7 MiB 0-0.04 s; a wave more costs
    each connection one round trip.
    """
    per_wave = -(-size // (MIN_WAVES * settings.concurrency))
    largest = min(settings.largest_part, max(MIN_WAVE_PART, per_wave))
    return plan_parts(size, max_part=largest, concurrency=settings.concurrency)


def check_size(size: int, path: str) -> None:
    """Refuse content over the Uploads ceiling before any byte is sent."""
    if size > MAX_UPLOAD_SIZE:
        raise ValueError(
            f"{path}: {size} bytes is over the service's limit of {MAX_UPLOAD_SIZE} bytes "
            "for one file"
        )


def md5_of_file(local_path: str, offset: int = 0, size: int | None = None) -> str:
    """The lower-case hex md5 of a local file (or a region of it)."""
    return hash_of_file(local_path, offset, size, "md5")


def hash_of_file(
    local_path: str, offset: int = 0, size: int | None = None, algorithm: str = "md5"
) -> str:
    """The lower-case hex digest (``algorithm``, a :mod:`hashlib` name) of a local file
    or a region of it."""
    digest = hashlib.new(algorithm)
    with open(local_path, "rb") as f:
        f.seek(offset)
        remaining = size if size is not None else -1
        while remaining:
            chunk = f.read(4 * MiB if remaining < 0 else min(4 * MiB, remaining))
            if not chunk:
                break
            digest.update(chunk)
            remaining -= len(chunk)
    return digest.hexdigest()


@dataclass
class UploadTimings:
    """Where the time of one :func:`upload_local_file` went, for benchmarks.

    Seconds since the upload began, or summed over parts; filled in when passed as
    ``timings``. Reading, hashing and sending overlap, so the sums exceed the wall clock.

    Attributes
    ----------
    create : float
        ``POST /uploads`` (or the whole ``POST /files`` of small content).
    read : float
        Reading parts from the local file, summed.
    hash : float
        The md5 of the whole, summed (it runs beside the sends).
    parts : list of (int, float, float)
        Each part's bytes and when its send began and ended.
    wait : float
        From the last part handed to a sender until every part was sent and hashed.
    complete : float
        ``POST /uploads/{id}/complete`` (the service joins and checks the parts).
    total : float
        The whole call.
    """

    create: float = 0.0
    read: float = 0.0
    hash: float = 0.0
    parts: list[tuple[int, float, float]] = field(default_factory=list)
    wait: float = 0.0
    complete: float = 0.0
    total: float = 0.0


class _PartBuffer:
    """One part's bytes, read once from the local file and held until sent and hashed.

    Every attempt to send the part reads the same memory, so a retry touches the disk no
    more than the first try, and the md5 of the whole is computed from these very bytes.
    The part is read a piece at a time (:meth:`fill_to`) by whichever needs the bytes
    first: its sender, whose request so begins at once instead of after the whole part is
    read, or the hasher, which reads ahead of the senders.
    """

    def __init__(
        self,
        view: memoryview,
        uses: int,
        release: Callable[[], Any],
        read: Callable[[memoryview, int], None] | None,
    ) -> None:
        self.view = view
        self.filled = 0 if read is not None else len(view)  # bytes read so far (only grows)
        self.error: BaseException | None = None  # why the rest could not be read
        self._uses = uses
        self._lock = threading.Lock()
        self._fill_lock = threading.Lock()
        self._release = release
        self._read = read

    def fill_to(self, end: int) -> None:
        """Make sure the first ``end`` bytes are read (a failure is kept and raised, to
        every reader alike)."""
        if self.filled >= end:
            return
        with self._fill_lock:
            if self.error is not None:
                raise self.error
            start = self.filled
            if start >= end:
                return
            try:
                self._read(self.view[start:end], start)  # type: ignore[misc] - filled if None
            except BaseException as exc:
                self.error = exc
                raise
            self.filled = end

    def open(self) -> IO[bytes]:
        return _ViewReader(self)

    def done(self) -> None:
        """One user (the sender, the hasher) is finished; the last frees the memory."""
        with self._lock:
            self._uses -= 1
            last = self._uses == 0
        if last:
            self.view.release()
            self._release()


class _ViewReader(io.RawIOBase):
    """One attempt's read-only file over a part, each ``read`` a view of the next bytes,
    read from the local file first if nobody has read them yet."""

    def __init__(self, part: _PartBuffer) -> None:
        super().__init__()
        self._part = part
        self._pos = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> memoryview:  # type: ignore[override]
        view = self._part.view
        end = len(view) if n is None or n < 0 else min(len(view), self._pos + n)
        self._part.fill_to(end)
        # A view, not a copy: the sender hands it to the socket, and the buffer is reused
        # only once the part is sent (a fresh 1 MiB ``bytes`` per read cost page faults).
        out = view[self._pos : end]
        self._pos = end
        return out

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


#: How much the hasher reads of a part at once: small enough that a sender waiting for the
#: same bytes waits little.
_HASH_STEP = 4 * MiB


class _InOrderMd5:
    """The md5 of parts handed over in order, computed in its own thread beside the sends.

    md5 cannot be combined from the parts' digests, so the whole is one stream over the
    bytes in order; the reader hands each part here as it hands it to a sender, and
    hashlib releases the GIL, so hashing overlaps sending. The hasher reads each part itself
    where its sender has not yet (the sender then finds the bytes in memory): the md5 is
    ready when the last part is sent, not a serial pass over the last wave's parts after it.
    """

    def __init__(self, timings: UploadTimings | None) -> None:
        self._md5 = hashlib.md5()
        self._queue: queue.SimpleQueue[_PartBuffer | None] = queue.SimpleQueue()
        self._timings = timings
        self._failure: Exception | None = None
        self._abandoned = threading.Event()
        self._thread = threading.Thread(target=self._run, name="openaifs-md5", daemon=True)
        self._thread.start()

    def add(self, part: _PartBuffer) -> None:
        self._queue.put(part)

    def _run(self) -> None:
        while (part := self._queue.get()) is not None:
            try:
                if self._failure is None and not self._abandoned.is_set():
                    self._hash(part)
            except BaseException as exc:  # kept for hexdigest; every part is still released
                self._failure = (
                    exc
                    if isinstance(exc, Exception)
                    else OSError(f"a part could not be read ({exc!r})")
                )
            finally:
                part.done()

    def _hash(self, part: _PartBuffer) -> None:
        hashed, length = 0, len(part.view)
        while hashed < length and not self._abandoned.is_set():
            end = min(length, hashed + _HASH_STEP)
            part.fill_to(end)
            started = time.perf_counter()
            self._md5.update(part.view[hashed:end])
            hashed = end
            if self._timings is not None:
                self._timings.hash += time.perf_counter() - started

    def hexdigest(self) -> str:
        """Wait for every part handed over, then return the md5 of them all."""
        self.stop()
        if self._failure is not None:
            raise self._failure
        return self._md5.hexdigest()

    def stop(self) -> None:
        """Hash what was handed over and end the thread (every buffer is freed)."""
        self._queue.put(None)
        self._thread.join()

    def abandon(self) -> None:
        """End the thread, hashing no more (the upload failed): the parts handed over are
        only released."""
        self._abandoned.set()
        self.stop()


def upload_local_file(
    client: APIClient,
    local_path: str,
    size: int,
    *,
    path: str,
    filename: str,
    purpose: str,
    mime_type: str,
    settings: UploadSettings,
    expires_after: int | None = None,
    md5: str | None = None,
    on_progress: Callable[[int], Any] | None = None,
    reconcile: Callable[[], Any] | None = None,
    upload: MultipartUpload | None = None,
    timings: UploadTimings | None = None,
    mapped: bool = False,
) -> dict:
    """Send ``size`` bytes of a local file and return the new File object.

    Large content goes through the Uploads API in parts of about equal size (see
    :func:`upload_plan`), on at most ``settings.concurrency`` connections and
    never more connections than parts. Each part is read once into memory, a piece at a time
    by whichever needs it first: its sender (the request begins before the part is read) or
    the md5 of the whole, which runs in its own thread, reading ahead of the senders in
    order. The same bytes are sent (and re-sent on a retry) and hashed. At most
    ``concurrency`` parts are held at once: memory stays under ``settings.memory``.

    Parameters
    ----------
    upload : MultipartUpload, optional
        The Upload to send the parts to (its own ``on_part`` reports progress), made by
        the caller; parts it already has are not sent again. Default: a new one, if
        ``size`` is over the threshold.
    md5 : str, optional
        The content's md5 if already known; otherwise it is computed while parts go up.
    reconcile : callable, optional
        Finds the file an ambiguous earlier attempt may have created (see
        :meth:`APIClient.request`), so that a retry leaves no duplicate.
    timings : UploadTimings, optional
        Filled in with where the time went (for benchmarks).
    mapped : bool
        The file is the library's own (a spool of ``open("wb")``) and stays as it is while
        sent: its parts are sent from the file mapped into memory, not copied into buffers
        (which spares filling fresh pages, the dearer half of spooling). Never for a
        caller's file: one shortened meanwhile would kill the process (SIGBUS).
    """
    check_size(size, path)
    clock = _Clock(timings)
    if upload is None and size <= settings.threshold:
        with open(local_path, "rb") as source:
            file = client.create_file(
                counted(source, on_progress),
                size,
                filename=filename,
                purpose=purpose,
                mime_type=mime_type,
                expires_after=expires_after,
                path=path,
                reconcile=reconcile,
            )
        clock.mark("create")
        clock.mark("total", since_start=True)
        return file
    if upload is None:
        plan = upload_plan(size, settings)
    else:
        # A resumed Upload keeps the layout its parts were sent in: index i at i * part_size.
        plan = [(o, min(settings.part_size, size - o)) for o in range(0, size, settings.part_size)]
    concurrency = min(settings.concurrency, len(plan))
    # Opened before the Upload is created (a file that cannot be opened creates nothing),
    # and open until every sender is finished: complete and abort both wait for them.
    source = open(local_path, "rb", buffering=0)  # noqa: SIM115 - closed below
    try:
        upload = upload or MultipartUpload(
            client,
            path=path,
            filename=filename,
            purpose=purpose,
            mime_type=mime_type,
            size=size,
            concurrency=concurrency,
            expires_after=expires_after,
            on_part=on_progress,
        )
    except BaseException:
        source.close()
        raise
    clock.mark("create")
    try:
        hashed = md5 is None and settings.checksum
        file = _send_and_complete(
            upload, source.fileno(), plan, settings, hashed, md5, reconcile, clock, mapped
        )
        clock.mark("complete")
        clock.mark("total", since_start=True)
        return file
    finally:
        source.close()


def _send_and_complete(
    upload: MultipartUpload,
    fd: int,
    plan: list[tuple[int, int]],
    settings: UploadSettings,
    hashed: bool,
    md5: str | None,
    reconcile: Callable[[], Any] | None,
    clock: _Clock,
    mapped: bool,
) -> dict:
    """Send the parts of ``plan`` (hashing them in order when ``hashed``; mapped from
    ``fd`` when ``mapped``, else read into buffers), then complete; any failure cancels the
    Upload."""
    hasher = None
    try:
        hasher = _InOrderMd5(clock.timings) if hashed else None
        held = max(1, min(settings.concurrency, len(plan), settings.memory // plan[0][1]))
        if mapped and _MappedParts.possible(fd):
            parts: _Buffers | _MappedParts = _MappedParts(held, fd, upload.path)
        else:
            parts = _Buffers(held, plan[0][1], fd, upload.path, clock)
        _send_parts(upload, plan, parts, hasher, clock)
        clock.begin_wait()
        if hasher is not None:
            md5 = hasher.hexdigest()
            hasher = None
        return upload.complete(md5 if settings.checksum else None, reconcile, clock.end_wait)
    except BaseException:
        upload.abort()
        raise
    finally:
        if hasher is not None:
            hasher.abandon()


def _send_parts(
    upload: MultipartUpload,
    plan: list[tuple[int, int]],
    buffers: _Buffers | _MappedParts,
    hasher: _InOrderMd5 | None,
    clock: _Clock,
) -> None:
    """Hand each part of ``plan``, in order, to a sender and to the hasher (either reads
    it into its buffer)."""
    try:
        for index, (offset, length) in enumerate(plan):
            if hasher is None and upload.has_part(index):
                continue  # neither sent nor hashed: not even read
            sending = not upload.has_part(index)  # a resumed Upload may hold it already
            view, release, read = buffers.part(offset, length)  # waits while all are in use
            uses = int(hasher is not None) + int(sending)
            part = _PartBuffer(view, uses, release, read)
            if hasher is not None:
                hasher.add(part)
            if sending:
                try:
                    upload.send(index, part.open, length, _timed_done(part, length, clock))
                except BaseException:
                    part.done()  # its sender will never run: its share is given back
                    raise
    finally:
        buffers.all_handed()


class _Buffers:
    """At most ``count`` part buffers, allocated on first need and then reused, into which
    parts of the open file ``fd`` are read.

    Reuse spares the kernel mapping and zeroing fresh pages for every part. Each is an
    anonymous mapping, whose pages the kernel supplies as the part is read into it (in the
    sending thread): a ``bytearray`` is zeroed whole when made, 10 ms per 16 MiB here, in
    the thread that hands parts out, which held every later part back.
    """

    def __init__(self, count: int, size: int, fd: int, path: str, clock: _Clock) -> None:
        self._free: queue.SimpleQueue[mmap.mmap] = queue.SimpleQueue()
        self._left = count
        self._size = size
        self._fd, self._path, self._clock = fd, path, clock
        self._lock = threading.Lock()
        self._all_handed = False

    def part(
        self, offset: int, length: int
    ) -> tuple[memoryview, Callable[[], None], Callable[[memoryview, int], None]]:
        """A buffer for the part at ``offset``, the function that gives it back, and the
        one that reads the part's bytes from ``start`` into a view (waits while every
        buffer is in use)."""
        buffer = self.take()

        def read(view: memoryview, start: int) -> None:
            _read_exactly(self._fd, view, offset + start, self._path, self._clock)

        return memoryview(buffer)[:length], lambda: self.give(buffer), read

    def take(self) -> mmap.mmap:
        if self._left and self._free.empty():
            self._left -= 1
            return mmap.mmap(-1, self._size)
        return self._free.get()

    def give(self, buffer: mmap.mmap) -> None:
        with self._lock:
            if not self._all_handed:
                self._free.put(buffer)
                return
        _unmap(buffer)

    def all_handed(self) -> None:
        """No part needs a buffer any more: each is unmapped as soon as it is given back.
        Unmapping 128 MiB of buffers at the end of an upload took 25 ms here, after the
        last part: spread over the last wave, it costs nothing that is waited for."""
        with self._lock:
            self._all_handed = True
        while not self._free.empty():
            _unmap(self._free.get())


def _unmap(buffer: mmap.mmap) -> None:
    with contextlib.suppress(BufferError):  # a view still held: unmapped when collected
        buffer.close()


class _MappedParts:
    """Parts of the open file ``fd`` as views of the file mapped into memory: no copy and
    no fresh pages. Only for a file of the library's own (a spool), which nobody shortens
    while it is sent: a mapped page past a file's end kills the process (SIGBUS). Its size
    is checked before each part is mapped all the same."""

    def __init__(self, count: int, fd: int, path: str) -> None:
        self._slots = threading.BoundedSemaphore(count)  # as many held as buffers would be
        self._fd, self._path = fd, path

    @staticmethod
    def possible(fd: int) -> bool:
        """Whether the file system of ``fd`` lets it be mapped (some FUSE ones do not)."""
        try:
            mmap.mmap(fd, 1, access=mmap.ACCESS_READ).close()
        except (OSError, ValueError):
            return False
        return True

    def part(self, offset: int, length: int) -> tuple[memoryview, Callable[[], None], None]:
        self._slots.acquire()
        try:
            size = os.fstat(self._fd).st_size
            if size < offset + length:
                raise _ended_short(self._path, size, offset + length)
            start = offset - offset % mmap.ALLOCATIONGRANULARITY
            mapped = mmap.mmap(
                self._fd, offset + length - start, access=mmap.ACCESS_READ, offset=start
            )
        except BaseException:
            self._slots.release()
            raise

        def release() -> None:
            _unmap(mapped)
            self._slots.release()

        return memoryview(mapped)[offset - start :], release, None

    def all_handed(self) -> None:
        pass  # each part's mapping goes when the part is done


def _ended_short(path: str, at: int, wanted: int) -> OSError:
    """The error of a local file that ended at byte ``at``, short of ``wanted``."""
    return OSError(
        f"{path}: the local file ended at byte {at}, short of the {wanted} it had when the "
        "upload began"
    )


def _read_exactly(fd: int, view: memoryview, offset: int, path: str, clock: _Clock) -> None:
    """Fill ``view`` with the bytes of the open file ``fd`` from ``offset`` (thread-safe:
    ``pread`` moves no shared file position)."""
    started = time.perf_counter()
    filled = 0
    length = len(view)
    while filled < length:
        n = os.preadv(fd, [view[filled:]], offset + filled)
        if not n:
            raise _ended_short(path, offset + filled, offset + length)
        filled += n
    clock.add("read", time.perf_counter() - started)


def _timed_done(part: _PartBuffer, length: int, clock: _Clock) -> Callable[[], None]:
    started = clock.now()

    def done() -> None:
        clock.part(length, started)
        part.done()

    return done


class _Clock:
    """Fills an :class:`UploadTimings` when one is given; otherwise does nothing."""

    def __init__(self, timings: UploadTimings | None) -> None:
        self.timings = timings
        self.start = self.last = time.perf_counter()
        self._waiting = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.perf_counter() - self.start

    def mark(self, name: str, since_start: bool = False) -> None:
        """Record the time since the previous mark (or the start) as ``name``."""
        now = time.perf_counter()
        if self.timings is not None:
            setattr(self.timings, name, now - (self.start if since_start else self.last))
        self.last = now

    def add(self, name: str, seconds: float) -> None:
        if self.timings is not None:
            with self._lock:
                setattr(self.timings, name, getattr(self.timings, name) + seconds)

    def part(self, length: int, started: float) -> None:
        if self.timings is not None:
            with self._lock:
                self.timings.parts.append((length, started, self.now()))

    def begin_wait(self) -> None:
        self._waiting = time.perf_counter()

    def end_wait(self) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings.wait = now - self._waiting
        self.last = now


def upload_bytes(
    client: APIClient,
    data: bytes | memoryview,
    *,
    path: str,
    filename: str,
    purpose: str,
    mime_type: str,
    expires_after: int | None = None,
    reconcile: Callable[[], Any] | None = None,
    on_progress: Callable[[int], Any] | None = None,
) -> dict:
    """Send in-memory content in one ``POST /files``."""
    check_size(len(data), path)
    return client.create_file(
        counted(io.BytesIO(data), on_progress),
        len(data),
        filename=filename,
        purpose=purpose,
        mime_type=mime_type,
        expires_after=expires_after,
        path=path,
        reconcile=reconcile,
    )


def remove_quietly(local_path: str) -> None:
    try:
        os.unlink(local_path)
    except FileNotFoundError:
        pass
