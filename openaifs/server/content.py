"""A file's content on disk: one or more pieces (a blob, or an Upload's parts) read as one."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import BinaryIO


class Content:
    """The pieces of one file's content, opened together and read as one run of bytes.

    They are opened at once, so a delete racing with a download cannot pull any of them away.

    Parameters
    ----------
    pieces
        ``(path, size)`` pairs in order.

    Raises
    ------
    FileNotFoundError
        If a piece is gone (nothing stays open then).
    """

    def __init__(self, pieces: Sequence[tuple[str, int]]) -> None:
        self._files: list[tuple[BinaryIO, int]] = []
        try:
            for path, size in pieces:
                self._files.append((open(path, "rb"), size))  # noqa: SIM115 - closed by close()
        except BaseException:
            self.close()
            raise

    def slices(self, start: int, count: int) -> Iterator[tuple[BinaryIO, int, int]]:
        """Yield ``(file, offset, length)`` covering bytes ``start`` to ``start + count``."""
        for file, size in self._files:
            if count <= 0:
                return
            if start >= size:
                start -= size
                continue
            length = min(size - start, count)
            yield file, start, length
            start, count = 0, count - length

    def close(self) -> None:
        """Close every piece."""
        for file, _ in self._files:
            with contextlib.suppress(OSError):
                file.close()
        self._files = []
