"""Cached file metadata: one listing of every purpose, and File objects by id.

Every invalidation after a mutation lives here (:meth:`MetadataCache.added`,
:meth:`MetadataCache.removed`), so the filesystem never edits cached state by hand.

- The listing (every File object of the project, from one paginated ``GET /files``) lives in
  a :class:`cachetools.TTLCache` that honours fsspec's ``use_listings_cache`` and
  ``listings_expiry_time``.
- File objects by id live in a :class:`cachetools.LRUCache`: a file's content and
  metadata never change, so they stay valid until the file is deleted or expires.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable
from typing import Any

import cachetools

FileObject = dict[str, Any]


def newest_first(files: Iterable[FileObject]) -> list[FileObject]:
    """Order File objects newest first.

    ``created_at`` has one-second resolution, so ties are common; they keep the order
    the service listed them in (newest first), which Python's stable sort preserves.
    """
    return sorted(files, key=lambda f: -f.get("created_at", 0))


def expired(file: FileObject, now: float | None = None) -> bool:
    """Whether ``file`` has passed its ``expires_at`` (the service hides such files)."""
    expires_at = file.get("expires_at")
    return expires_at is not None and expires_at <= (time.time() if now is None else now)


class Listing:
    """An immutable view of every file, indexed by purpose and filename.

    Parameters
    ----------
    files : iterable of dict
        File objects, newest first (as ``GET /files?order=desc`` returns them).
    """

    def __init__(
        self,
        files: Iterable[FileObject],
        fetched_at: float | None = None,
        seen: frozenset[str] | None = None,
        seen_until: int | None = None,
    ) -> None:
        self.files: list[FileObject] = newest_first(files)
        self.ids: frozenset[str] = frozenset(f["id"] for f in self.files)
        #: Ids the service listed to us (a fetch, or a look for newer files), as opposed to
        #: files we added ourselves: only these mark how far the listing is known complete.
        self.seen: frozenset[str] = self.ids if seen is None else seen
        #: The newest ``created_at`` among them; deletes since do not lower it.
        self.seen_until: int | None = (
            (self.files[0]["created_at"] if self.files else None) if seen is None else seen_until
        )
        #: When the service was asked (``time.monotonic()``); edits keep the original time,
        #: so the listing expires as old as its fetch, not as its last edit.
        self.fetched_at = time.monotonic() if fetched_at is None else fetched_at
        self.by_purpose: dict[str, dict[str, list[FileObject]]] = {}
        for f in self.files:
            names = self.by_purpose.setdefault(f["purpose"], {})
            names.setdefault(f["filename"], []).append(f)

    def versions(self, purpose: str, filename: str) -> list[FileObject]:
        """Every live file named ``filename`` in ``purpose``, newest first."""
        now = time.time()
        return [
            f for f in self.by_purpose.get(purpose, {}).get(filename, ()) if not expired(f, now)
        ]

    def purposes(self) -> list[str]:
        return list(self.by_purpose)

    def latest(self, purpose: str) -> list[FileObject]:
        """The newest live file of each name in ``purpose``."""
        now = time.time()
        out = []
        for versions in self.by_purpose.get(purpose, {}).values():
            live = [f for f in versions if not expired(f, now)]
            if live:
                out.append(live[0])
        return out

    def all_versions(self, purpose: str) -> list[FileObject]:
        now = time.time()
        return [f for f in self.files if f["purpose"] == purpose and not expired(f, now)]

    def with_files(self, files: list[FileObject], *, listed: bool = False) -> Listing:
        """A new listing with ``files`` (newest first) added as the newest of their names;
        ``listed`` when the service listed them (rather than we wrote them)."""
        ids = {f["id"] for f in files}
        kept = [f for f in self.files if f["id"] not in ids]
        seen, until = self.seen, self.seen_until
        if listed and files:
            seen = seen | ids
            newest = max(f["created_at"] for f in files)
            until = newest if until is None else max(until, newest)
        return Listing([*files, *kept], self.fetched_at, seen, until)

    def without(self, file_ids: set[str]) -> Listing:
        kept = (f for f in self.files if f["id"] not in file_ids)
        return Listing(kept, self.fetched_at, self.seen, self.seen_until)


class MetadataCache:
    """Listings and File objects, with every invalidation in one place.

    Parameters
    ----------
    use_listings_cache : bool
        If false, every listing is fetched afresh (File objects by id are still cached:
        they are immutable).
    listings_expiry_time : float, optional
        Seconds a listing stays valid; ``None`` keeps it until invalidated.
    max_files : int
        How many File objects to keep by id.
    """

    _KEY = "all"

    def __init__(
        self,
        use_listings_cache: bool = True,
        listings_expiry_time: float | None = None,
        max_files: int = 100_000,
    ) -> None:
        self.use_listings_cache = use_listings_cache
        self.listings_expiry_time = listings_expiry_time
        ttl = listings_expiry_time if listings_expiry_time is not None else math.inf
        self._listings: cachetools.TTLCache = cachetools.TTLCache(maxsize=1, ttl=ttl)
        self._files: cachetools.LRUCache = cachetools.LRUCache(maxsize=max_files)
        self._lock = threading.RLock()
        # Ids deleted through this cache, so a look for newer files that raced with the
        # delete cannot bring them back (an LRU used as a bounded set).
        self._gone: cachetools.LRUCache = cachetools.LRUCache(maxsize=10_000)
        #: Counts the writes and deletes recorded (see :meth:`store_listing`).
        self._generation = 0

    def listing(self) -> Listing | None:
        """The cached listing, or ``None`` when absent, expired or disabled."""
        with self._lock:
            listing = self._listings.get(self._KEY)
            # TTLCache restarts its clock on every edit; the fetch time is what counts.
            ttl = self.listings_expiry_time
            age = None if listing is None else time.monotonic() - listing.fetched_at
            if age is not None and ttl is not None and age >= ttl:
                del self._listings[self._KEY]
                return None
            return listing

    def store_listing(self, files: Iterable[FileObject]) -> Listing:
        """Keep a complete listing; File objects absent from it are gone, so forget them.

        ``files`` may be the fetch itself (a lazy iterator). If a write or delete is
        recorded while it runs, the listing may predate it: it is returned, not kept.
        """
        with self._lock:
            generation = self._generation
        listing = Listing(files)
        with self._lock:
            if generation != self._generation:
                return listing
            if self.use_listings_cache:
                self._listings[self._KEY] = listing
            listed = {f["id"] for f in listing.files}
            for file_id in [i for i in self._files if i not in listed]:
                del self._files[file_id]
            for f in listing.files:
                self._files[f["id"]] = f
        return listing

    def file(self, file_id: str) -> FileObject | None:
        with self._lock:
            f = self._files.get(file_id)
        return None if f is None or expired(f) else f

    def store_file(self, file: FileObject) -> None:
        with self._lock:
            self._files[file["id"]] = file

    # -- invalidation: the only places cached state changes after a mutation --------------

    def added(self, file: FileObject) -> None:
        """A write completed: ``file`` now exists as the newest of its name."""
        with self._lock:
            self._generation += 1
            self._files[file["id"]] = file
            listing = self._listings.get(self._KEY)
            if listing is not None:
                self._listings[self._KEY] = listing.with_files([file])

    def found_newer(self, files: list[FileObject]) -> None:
        """Files created since the cached listing was fetched (newest first) were found."""
        with self._lock:
            files = [f for f in files if f["id"] not in self._gone]
            listing = self._listings.get(self._KEY)
            for f in files:
                self._files[f["id"]] = f
            if listing is not None and files:
                self._listings[self._KEY] = listing.with_files(files, listed=True)

    def removed(self, file_ids: Iterable[str]) -> None:
        """Files were deleted (or found to be gone)."""
        ids = set(file_ids)
        with self._lock:
            self._generation += 1
            for file_id in ids:
                self._files.pop(file_id, None)
                self._gone[file_id] = True
            listing = self._listings.get(self._KEY)
            if listing is not None:
                self._listings[self._KEY] = listing.without(ids)

    def clear(self) -> None:
        """Forget everything (``invalidate_cache()`` with no path)."""
        with self._lock:
            self._listings.clear()
            self._files.clear()

    def clear_listing(self) -> None:
        """Forget the listing only; File objects by id stay valid."""
        with self._lock:
            self._listings.clear()
