"""Downloading content on several connections at once where the service honours byte ranges.

The service documents no byte ranges, so support is learnt once per API client from the first
ranged request's answer, and never at the cost of a failed download: a 206 carrying exactly
the range asked for means ranges work (the other ranges then go out on other connections);
a 200 is the whole body, which is simply kept and streamed to the end on that one
connection; a 206 for another range is not trusted (the content is asked for whole). Where
ranges are unsupported, a download is one stream, as the official SDK's.

Every range goes through :func:`~openaifs.content.iter_content`, so a body cut short is asked
for again from where it stopped and nothing truncated is ever returned. Ranges are written in
place with ``os.pwrite`` into a preallocated file: memory stays at one chunk per connection.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from openaifs.client import APIClient
from openaifs.content import ContentCache, _range_matches, iter_content
from openaifs.limits import MiB
from openaifs.parts import plan_parts

#: What each API client learnt about byte ranges: True (honoured), False (ignored).
_RANGE_SUPPORT: weakref.WeakKeyDictionary[APIClient, bool] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class DownloadSettings:
    """How content comes down.

    Parameters
    ----------
    part_size : int
        The largest byte range asked for in one request when writing to a local file
        (memory does not grow with it: each range is written in place as it arrives).
    read_part_size : int
        The largest range for :func:`iter_ranges`, which holds ``concurrency`` of them in
        memory to hand the bytes over in order.
    concurrency : int
        Ranges in flight at once (never more than there are ranges). Each costs a
        connection and a 1 MiB chunk of memory.
    max_attempts : int
        Requests per range before a body that keeps ending short is an error.
    """

    part_size: int = 32 * MiB
    read_part_size: int = 8 * MiB
    concurrency: int = 16
    max_attempts: int = 5

    def __post_init__(self) -> None:
        if self.part_size < 1 or self.read_part_size < 1:
            raise ValueError("part_size and read_part_size must be at least 1 byte")
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")


@dataclass
class DownloadTimings:
    """Where the time of one download went (seconds since it began), for benchmarks.

    Attributes
    ----------
    first_answer : float
        Until the headers of the first answer, which tell whether ranges work.
    ranged : bool
        Whether the content came in ranges on several connections.
    parts : list of (int, float, float)
        Each range's bytes and when its transfer began and ended.
    write : float
        Writing to the local file, summed over connections.
    total : float
        The whole call.
    """

    first_answer: float = 0.0
    ranged: bool = False
    parts: list[tuple[int, float, float]] = field(default_factory=list)
    write: float = 0.0
    total: float = 0.0


def ranges_supported(client: APIClient) -> bool | None:
    """What ``client``'s endpoint showed about byte ranges: ``True``, ``False``, or ``None``
    (not asked yet)."""
    return _RANGE_SUPPORT.get(client)


def download_to_file(
    client: APIClient,
    file: dict[str, Any],
    local_path: str,
    *,
    path: str,
    settings: DownloadSettings,
    on_progress: Callable[[int], Any] | None = None,
    timings: DownloadTimings | None = None,
) -> None:
    """Download ``file``'s content to ``local_path``, complete or not at all.

    The bytes go to a temporary name beside ``local_path`` (``<name>.openaifs-<hex>.partial``),
    renamed into place once complete: a failed download leaves no partial file, and an earlier
    file at ``local_path`` stays as it was.

    Parameters
    ----------
    client : APIClient
        The API client.
    file : dict
        At least ``id`` and ``bytes`` (a File object).
    local_path : str
        Where the content goes.
    path : str
        The ``openai://`` path, for messages.
    settings : DownloadSettings
        Range size, connections, attempts.
    on_progress : callable, optional
        Called with each number of bytes written (from one thread at a time).
    timings : DownloadTimings, optional
        Filled in with where the time went.
    """
    partial = f"{local_path}.openaifs-{uuid.uuid4().hex[:8]}.partial"
    try:
        with open(partial, "xb", buffering=0) as out:
            write_content(
                client,
                file,
                out.fileno(),
                path=path,
                settings=settings,
                on_progress=on_progress,
                timings=timings,
            )
        os.replace(partial, local_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise


def write_content(
    client: APIClient,
    file: dict[str, Any],
    fd: int,
    *,
    path: str,
    settings: DownloadSettings,
    on_progress: Callable[[int], Any] | None = None,
    timings: DownloadTimings | None = None,
) -> None:
    """Write ``file``'s content into the open file descriptor ``fd`` at offsets ``0..bytes``.

    Ranges go out on several connections when the endpoint honours them (see the module's
    notes); otherwise one stream is written in order. Parameters as
    :func:`download_to_file`. Raises ``OSError`` if a range still ends short after
    ``settings.max_attempts`` requests; ``fd``'s content is then incomplete.
    """
    started = time.perf_counter()
    size = file["bytes"]
    progress = _Progress(on_progress, timings, started)
    plan = plan_parts(size, max_part=settings.part_size, concurrency=settings.concurrency)

    def stream(start: int, end: int | None, response: Any = None) -> Iterator[bytes]:
        return _stream(client, file, path, settings, start, end, response)

    if len(plan) < 2 or _RANGE_SUPPORT.get(client) is False:
        _write_at(fd, stream(0, None), 0, progress)
    else:
        first_end = plan[0][1]
        response = _probe(client, file, path, first_end)
        progress.answered()
        if response is None or response.status_code != 206:
            # A whole body (or none we can trust): keep this one stream to the end.
            _write_at(fd, stream(0, None, response), 0, progress)
        else:
            if timings is not None:
                timings.ranged = True
            os.ftruncate(fd, size)  # the file has its size at once: ranges land in place
            jobs = [(0, first_end, response)] + [(o, o + n, None) for o, n in plan[1:]]
            _run_all(
                [
                    lambda s=s, e=e, r=r: _write_at(fd, stream(s, e, r), s, progress)
                    for s, e, r in jobs
                ],
                min(settings.concurrency, len(plan)),
                progress.stop,
            )
    if timings is not None:
        timings.total = time.perf_counter() - started


def iter_ranges(
    client: APIClient,
    file: dict[str, Any],
    *,
    path: str,
    settings: DownloadSettings,
    start: int = 0,
    end: int | None = None,
) -> Iterator[bytes]:
    """Yield the bytes ``start..end`` of ``file`` in order, fetched ahead on several connections.

    Where the endpoint honours ranges, up to ``settings.concurrency`` ranges of at most
    ``settings.read_part_size`` bytes are in flight at once, each held in memory until its
    turn; otherwise this is :func:`~openaifs.content.iter_content`, one stream. For
    sequential reads and ``cat_file`` of large spans.
    """
    total = file["bytes"]
    end = total if end is None else min(end, total)
    plan = [
        (start + o, start + o + n)
        for o, n in plan_parts(
            max(0, end - start),
            max_part=settings.read_part_size,
            concurrency=settings.concurrency,
        )
    ]

    def fetch(a: int, b: int, response: Any = None) -> bytes:
        return b"".join(_stream(client, file, path, settings, a, b, response))

    def single(response: Any = None) -> Iterator[bytes]:
        return _stream(client, file, path, settings, start, end, response)

    if len(plan) < 2 or _RANGE_SUPPORT.get(client) is False:
        yield from single()
        return
    response = _probe(client, file, path, plan[0][1], plan[0][0])
    if response is None or response.status_code != 206:
        # A whole body (iter_content skips to ``start``), or nothing trusted: one stream.
        yield from single(response)
        return
    workers = min(settings.concurrency, len(plan))
    pool = cf.ThreadPoolExecutor(workers, thread_name_prefix="openaifs-range")
    try:
        pending = [pool.submit(fetch, *plan[0], response)]
        pending += [pool.submit(fetch, a, b) for a, b in plan[1:workers]]
        following = iter(plan[workers:])
        while pending:
            data = pending.pop(0).result()
            nxt = next(following, None)
            if nxt is not None:
                pending.append(pool.submit(fetch, *nxt))
            yield data
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _stream(
    client: APIClient,
    file: dict[str, Any],
    path: str,
    settings: DownloadSettings,
    start: int,
    end: int | None,
    response: Any = None,
) -> Iterator[bytes]:
    """Bytes ``start..end`` of ``file`` on one connection, a body cut short asked for again."""
    return iter_content(
        client,
        file,
        path=path,
        start=start,
        end=end,
        max_attempts=settings.max_attempts,
        response=response,
    )


def _probe(client: APIClient, file: dict[str, Any], path: str, end: int, start: int = 0) -> Any:
    """Ask for bytes ``start..end`` and learn from the answer whether ranges are honoured.

    Returns the open answer if it can be used as it is: a 206 for exactly that range, or a
    200 (the whole body, when ``start`` is 0). A 206 for another range returns ``None``.
    """
    response = client.download(file["id"], path=path, byte_range=(start, end))
    if _range_matches(response, start, end, file["bytes"]):
        _RANGE_SUPPORT[client] = True
        return response
    _RANGE_SUPPORT[client] = False
    if response.status_code == 206:
        response.close()
        return None
    return response


class _Progress:
    """Reports written bytes from many threads, one at a time, and tells writers to stop."""

    def __init__(
        self,
        on_progress: Callable[[int], Any] | None,
        timings: DownloadTimings | None,
        started: float,
    ) -> None:
        self._on_progress = on_progress
        self._timings = timings
        self._started = started
        self._lock = threading.Lock()
        self.stop = threading.Event()

    def since(self) -> float:
        return time.perf_counter() - self._started

    def answered(self) -> None:
        if self._timings is not None:
            self._timings.first_answer = self.since()

    def wrote(self, count: int, seconds: float) -> None:
        with self._lock:
            if self._timings is not None:
                self._timings.write += seconds
            if self._on_progress is not None:
                self._on_progress(count)

    def part(self, count: int, began: float) -> None:
        if self._timings is not None:
            with self._lock:
                self._timings.parts.append((count, began, self.since()))


def _write_at(fd: int, chunks: Iterator[bytes], offset: int, progress: _Progress) -> None:
    """Write ``chunks`` into ``fd`` from ``offset`` on, stopping early if told to."""
    began = progress.since()
    position = offset
    try:
        for chunk in chunks:
            if progress.stop.is_set():
                return
            started = time.perf_counter()
            view = memoryview(chunk)
            while view:
                written = os.pwrite(fd, view, position)
                view = view[written:]
                position += written
            progress.wrote(len(chunk), time.perf_counter() - started)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()  # closes the connection of a range abandoned half-way
    progress.part(position - offset, began)


def _run_all(jobs: list[Callable[[], Any]], workers: int, stop: threading.Event) -> None:
    """Run ``jobs`` on ``workers`` threads; on the first failure stop the rest and raise it."""
    pool = cf.ThreadPoolExecutor(workers, thread_name_prefix="openaifs-range")
    futures = [pool.submit(job) for job in jobs]
    try:
        for future in cf.as_completed(futures):
            future.result()
    except BaseException:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


class ContentReader:
    """Reads content for the filesystem and its files: streamed, or from a local copy.

    Parameters
    ----------
    client : APIClient
        The service.
    cache : ContentCache
        Where local copies live.
    """

    def __init__(self, client: APIClient, cache: ContentCache, settings: DownloadSettings) -> None:
        self.client = client
        self.cache = cache
        self.settings = settings

    def iter(
        self, file: dict[str, Any], path: str, start: int = 0, end: int | None = None
    ) -> Iterator[bytes]:
        """Stream bytes ``start``..``end`` of ``file`` (never returned truncated): ranges on
        several connections where the endpoint honours them, else one stream."""
        details = {"id": file["id"], "bytes": file.get("bytes", file.get("size"))}
        return iter_ranges(
            self.client,
            details,
            path=f"openai://{path}",
            settings=self.settings,
            start=start,
            end=end,
        )

    def to_file(
        self, file: dict[str, Any], path: str, local_path: str, on_progress: Any = None
    ) -> None:
        """Download ``file`` to ``local_path``, complete or not at all (an earlier file
        there stays as it was until the new one is whole)."""
        details = {"id": file["id"], "bytes": file.get("bytes", file.get("size"))}
        download_to_file(
            self.client,
            details,
            local_path,
            path=f"openai://{path}",
            settings=self.settings,
            on_progress=on_progress,
        )

    def local_copy(self, file: dict[str, Any], path: str) -> IO[bytes]:
        """A complete local copy of ``file``'s content, open for reading."""
        details = {"id": file["id"], "bytes": file.get("bytes", file.get("size"))}
        return self.cache.open_local(details, lambda: self.iter(details, path))
