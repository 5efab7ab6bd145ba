"""Everything one running server holds, shared by its request handlers."""

from __future__ import annotations

import asyncio
import functools
import os
import weakref
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from aiohttp import web

from .blobs import BlobWriter
from .clock import Clock
from .config import Settings
from .controls import Faults, Stats
from .digests import Digests
from .processing import Processing, Status
from .shaping import Shaper
from .storage import Storage

T = TypeVar("T")


class ServerState:
    """The storage, settings, clock and controls of one server.

    Parameters
    ----------
    data_dir
        Where to persist files; ``None`` for in-memory mode.
    api_keys
        Accepted bearer keys (each its own project); empty accepts any key.
    settings
        Limits and shaping at startup (also what ``reset`` restores).
    enable_controls
        Serve ``/_openaifs/``.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str] | None = None,
        *,
        api_keys: Iterable[str] = (),
        settings: Settings | None = None,
        enable_controls: bool = False,
    ) -> None:
        self.settings = settings.copy() if settings is not None else Settings()
        self.initial_settings = self.settings.copy()
        self.api_keys = frozenset(api_keys)
        self.enable_controls = enable_controls
        self.clock = Clock()
        self.faults = Faults()
        self.stats = Stats()
        self.processing = Processing()
        self.shaper = Shaper(self.settings)
        # Blocking work (fsync, copies, SQLite commits) runs here, off the event loop.
        self.executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="openaifs-io")
        self.storage = Storage(data_dir)
        self.digests = Digests(self.run)
        self._upload_locks: weakref.WeakValueDictionary[str, asyncio.Lock]
        self._upload_locks = weakref.WeakValueDictionary()

    def new_blob(self) -> BlobWriter:
        """A writer into a new temporary file; use it with ``async with``."""
        return BlobWriter(self.storage.temp_path(), self.executor, durable=self.storage.durable)

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking call in the I/O thread pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.executor, functools.partial(function, *args, **kwargs)
        )

    def run_later(self, function: Callable[..., Any], *args: Any) -> None:
        """Run a blocking call in the I/O thread pool without waiting for it (it must not
        raise: nobody would see the error)."""
        self.executor.submit(function, *args)

    def start_processing(self, file_id: str, now: int) -> None:
        """Begin processing a new file (call before its row is committed, so it is never seen
        ``processed`` too early)."""
        self.processing.start(file_id, now, self.settings.processing_seconds)

    def file_status(self, file_id: str) -> Status:
        """Return the processing status of a file now."""
        return self.processing.status(file_id, self.clock.now())

    def upload_lock(self, upload_id: str) -> asyncio.Lock:
        """Return the lock that serialises ``complete`` and ``cancel`` of one Upload."""
        lock = self._upload_locks.get(upload_id)
        if lock is None:
            lock = asyncio.Lock()
            self._upload_locks[upload_id] = lock
        return lock

    def restore_settings(self) -> None:
        """Put limits and shaping back to their startup values."""
        self.settings.update(self.initial_settings.to_dict())

    def close(self) -> None:
        """Release the thread pool and the storage."""
        self.executor.shutdown(wait=True)
        self.storage.close()


#: Where an application keeps its :class:`ServerState`.
STATE: web.AppKey[ServerState] = web.AppKey("openaifs", ServerState)

# Per-request values. aiohttp >= 3.12 has typed request keys; older versions take plain strings.
_request_key: Any = getattr(web, "RequestKey", lambda name, _type: name)
#: The ``x-request-id`` of a request.
REQUEST_ID = _request_key("openaifs_request_id", str)
#: The project (a digest of the bearer key) a request acts for.
PROJECT = _request_key("openaifs_project", str)
