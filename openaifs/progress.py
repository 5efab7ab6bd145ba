"""Progress that moves: bytes are counted as a request body reads them, not once per part.

A 32 MiB part is read by the HTTP stack in small pieces while it is sent, so counting the
reads reports progress every few KiB instead of three times for 40 MiB. A retried request
reads its bytes again; each byte is reported once (a high-water mark per region shared by
the attempts), so a bar never runs past its total.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import IO, Any

from fsspec.callbacks import DEFAULT_CALLBACK, Callback


class ThreadSafeProgress:
    """``relative_update`` of an fsspec :class:`~fsspec.callbacks.Callback`, callable from the
    threads that send parts at the same time (``Callback`` itself is not thread-safe)."""

    def __init__(self, callback: Callback | None) -> None:
        self.callback = DEFAULT_CALLBACK if callback is None else callback
        self._lock = threading.Lock()

    def __call__(self, n: int) -> None:
        if n:
            with self._lock:
                self.callback.relative_update(n)

    def set_size(self, size: int) -> None:
        with self._lock:
            self.callback.set_size(size)


class _HighWater:
    """The furthest offset of a region already reported, across attempts to send it."""

    def __init__(self) -> None:
        self.reported = 0
        self.lock = threading.Lock()


class CountedReader:
    """A file-like view of ``raw`` that reports bytes read past those already reported.

    Parameters
    ----------
    raw : file-like
        Read from its current position (``origin``).
    on_read : callable
        Called with the number of new bytes after each read.
    mark : _HighWater, optional
        Shared by the attempts of one region (see :func:`counted_opener`).
    origin : int
        Where the region starts in ``raw`` (for ``seek``/``tell`` callers).
    """

    def __init__(
        self,
        raw: IO[bytes],
        on_read: Callable[[int], Any],
        mark: _HighWater | None = None,
        origin: int = 0,
    ) -> None:
        self._raw = raw
        self._on_read = on_read
        self._mark = _HighWater() if mark is None else mark
        self._origin = origin
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self._pos += len(data)
        with self._mark.lock:
            new = self._pos - self._mark.reported
            if new > 0:
                self._mark.reported = self._pos
        if new > 0:
            self._on_read(new)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        where = self._raw.seek(offset, whence)
        self._pos = where - self._origin
        return where

    def tell(self) -> int:
        return self._origin + self._pos

    def close(self) -> None:
        self._raw.close()


def counted(source: IO[bytes], on_read: Callable[[int], Any] | None) -> IO[bytes]:
    """``source`` reporting its reads to ``on_read`` (``source`` itself when there is none)."""
    if on_read is None:
        return source
    origin = source.tell() if hasattr(source, "tell") else 0
    return CountedReader(source, on_read, origin=origin)  # type: ignore[return-value]


def counted_opener(
    opener: Callable[[], IO[bytes]], on_read: Callable[[int], Any] | None
) -> Callable[[], IO[bytes]]:
    """``opener`` whose files report their reads to ``on_read``, each byte once however
    many times the region is opened again (a retried part)."""
    if on_read is None:
        return opener
    mark = _HighWater()

    def open_counted() -> IO[bytes]:
        return CountedReader(opener(), on_read, mark)  # type: ignore[return-value]

    return open_counted


class _Share(Callback):
    """One file's share of a transfer: its bytes go to the one bar of the whole transfer."""

    def __init__(self, bar: TransferBar) -> None:
        super().__init__()
        self._bar = bar
        self._sent = 0

    def call(self, *args: Any, **kwargs: Any) -> None:
        delta, self._sent = self.value - self._sent, self.value
        if delta:
            self._bar.add(delta)


class TransferBar:
    """The command line's byte-counting bar (fsspec's ``TqdmCallback``) for a whole
    transfer, on stderr, in decimal units (tqdm labels its units k, M, G); a no-op when
    disabled. Safe to update from several threads: each file reports through a
    :meth:`share`."""

    def __init__(self, enabled: bool, total: int, desc: str) -> None:
        self._lock = threading.Lock()
        self._bar: Any = None
        if enabled:
            from fsspec.callbacks import TqdmCallback

            self._bar = TqdmCallback(
                size=total,
                tqdm_kwargs={
                    "desc": desc,
                    "unit": "B",
                    "unit_scale": True,
                    "unit_divisor": 1000,
                    "file": sys.stderr,
                    "leave": True,
                },
            )
            self._bar.call()  # show the bar at once, even before the first byte

    def share(self) -> Callback:
        return _Share(self)

    def add(self, n: int) -> None:
        if self._bar is not None:
            with self._lock:
                self._bar.relative_update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
