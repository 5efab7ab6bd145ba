"""Network shaping: added latency and a per-connection bandwidth limit, each way."""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any

from .config import Settings

#: How far ahead of the rate a connection may run (seconds of traffic): small, for accuracy.
_BURST_SECONDS = 0.05


class TokenBucket:
    """A token bucket that may go into debt: taking more than is there sleeps until it is repaid."""

    def __init__(self) -> None:
        self.tokens = 0.0
        self.stamp = time.monotonic()

    async def take(self, count: int, rate: float) -> None:
        """Account for ``count`` bytes at ``rate`` bytes per second, sleeping as needed."""
        now = time.monotonic()
        self.tokens = min(self.tokens + (now - self.stamp) * rate, rate * _BURST_SECONDS)
        self.stamp = now
        self.tokens -= count
        if self.tokens < 0:
            await asyncio.sleep(-self.tokens / rate)


class Shaper:
    """Latency and per-connection throughput limits, read from live :class:`Settings`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # One pair of buckets per connection (keyed by transport, forgotten when it goes away).
        self._buckets: weakref.WeakKeyDictionary[Any, tuple[TokenBucket, TokenBucket]]
        self._buckets = weakref.WeakKeyDictionary()

    @property
    def limited(self) -> bool:
        """Whether a bandwidth limit is in force."""
        return self.settings.per_connection_bps > 0

    def chunk_size(self, default: int) -> int:
        """Return a write size small enough to keep a limited stream smooth (20 writes a second)."""
        rate = self.settings.per_connection_bps
        return default if rate <= 0 else max(1024, min(default, rate // 20))

    async def delay(self) -> None:
        """Sleep for the configured latency."""
        if self.settings.latency_ms > 0:
            await asyncio.sleep(self.settings.latency_ms / 1000)

    async def inbound(self, transport: Any, count: int) -> None:
        """Account for ``count`` bytes received on a connection."""
        await self._take(transport, 0, count)

    async def outbound(self, transport: Any, count: int) -> None:
        """Account for ``count`` bytes about to be sent on a connection."""
        await self._take(transport, 1, count)

    async def _take(self, transport: Any, way: int, count: int) -> None:
        rate = self.settings.per_connection_bps
        if rate <= 0 or transport is None or count <= 0:
            return
        buckets = self._buckets.get(transport)
        if buckets is None:
            buckets = self._buckets[transport] = (TokenBucket(), TokenBucket())
        await buckets[way].take(count, rate)
