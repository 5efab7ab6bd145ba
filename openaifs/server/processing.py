"""The ``status`` of files: ``uploaded`` while the service "processes" them, then an outcome.

The service processes a new file before it can be used; this server mimics that with a delay
(``processing_seconds``, on the server clock) and with scripted failures that end a file's
processing in ``error`` with ``status_details``. Both are held in memory, like the other test
controls: files still processing when the server stops are ``processed`` once it restarts.
"""

from __future__ import annotations

import collections
from typing import Any, NamedTuple


class Status(NamedTuple):
    """The ``status`` and ``status_details`` fields of a File object."""

    status: str
    details: str | None = None


PROCESSED = Status("processed")
UPLOADED = Status("uploaded")


class Processing:
    """When each new file finishes processing, and which files end in ``error``.

    Only files that are not simply ``processed`` are remembered; a file's entry goes once its
    processing is over (errors stay, they are few and scripted), so memory stays small.
    """

    def __init__(self) -> None:
        # file id -> the server time processing ends; insertion order is creation order.
        self._ends: dict[str, int] = {}
        self._errors: dict[str, str] = {}
        # [status_details, files still to fail], first in, first out.
        self._scripted: collections.deque[list[Any]] = collections.deque()

    def fail_next(self, details: str, times: int = 1) -> None:
        """Make the next ``times`` new files end their processing in ``error`` with ``details``."""
        self._scripted.append([details, times])

    def pending_failures(self) -> list[dict[str, Any]]:
        """Return the scripted failures not yet used up, in order."""
        return [{"status_details": d, "remaining": n} for d, n in self._scripted]

    def start(self, file_id: str, now: int, seconds: int) -> None:
        """Begin the processing of a new file, created at ``now``, that takes ``seconds``."""
        self._forget_finished(now)
        if seconds > 0:
            self._ends[file_id] = now + seconds
        if self._scripted:
            script = self._scripted[0]
            self._errors[file_id] = script[0]
            script[1] -= 1
            if not script[1]:
                self._scripted.popleft()

    def status(self, file_id: str, now: int) -> Status:
        """Return the status of ``file_id`` at server time ``now``."""
        end = self._ends.get(file_id)
        if end is not None and now < end:
            return UPLOADED
        details = self._errors.get(file_id)
        return PROCESSED if details is None else Status("error", details)

    def clear(self) -> None:
        """Forget every file and every scripted failure."""
        self._ends.clear()
        self._errors.clear()
        self._scripted.clear()

    def _forget_finished(self, now: int) -> None:
        # Ends are nearly sorted (the delay can change at runtime), so stop at the first file
        # still processing: the rest go on a later call.
        while self._ends:
            file_id, end = next(iter(self._ends.items()))
            if end > now:
                return
            del self._ends[file_id]
