"""The server clock: wall time plus an offset that tests can advance, or hold still."""

from __future__ import annotations

import time


class Clock:
    """Unix time in whole seconds, movable forward by ``advance`` (never backward).

    ``freeze`` holds it still (``advance`` still moves it): a test that advances it to just
    short of a deadline is not undone by a wall-clock second ticking between two requests.
    """

    def __init__(self) -> None:
        self.offset = 0.0
        self._frozen_at: float | None = None

    @property
    def frozen(self) -> bool:
        """Whether the clock is held still."""
        return self._frozen_at is not None

    def _wall(self) -> float:
        return time.time() if self._frozen_at is None else self._frozen_at

    def now(self) -> int:
        """Return the server's current Unix time in seconds."""
        return int(self._wall() + self.offset)

    def advance(self, seconds: float) -> int:
        """Move the clock forward by ``seconds`` and return the new ``now``."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.offset += seconds
        return self.now()

    def freeze(self, frozen: bool) -> None:
        """Hold the clock still, or let it run on from where it stands (never backward)."""
        if frozen and self._frozen_at is None:
            self._frozen_at = time.time()
        elif not frozen and self._frozen_at is not None:
            self.offset += self._frozen_at - time.time()  # now goes on from where it stood
            self._frozen_at = None

    def reset(self) -> None:
        """Go back to running wall time."""
        self.offset = 0.0
        self._frozen_at = None
