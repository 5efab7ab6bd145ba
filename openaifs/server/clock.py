"""The server clock: wall time plus an offset that tests can advance."""

from __future__ import annotations

import time


class Clock:
    """Unix time in whole seconds, movable forward by ``advance`` (never backward)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> int:
        """Return the server's current Unix time in seconds."""
        return int(time.time() + self.offset)

    def advance(self, seconds: float) -> int:
        """Move the clock forward by ``seconds`` and return the new ``now``."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.offset += seconds
        return self.now()

    def reset(self) -> None:
        """Go back to wall time."""
        self.offset = 0.0
