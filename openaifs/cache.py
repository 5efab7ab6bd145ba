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
from collections.abc import Iterable, Iterator
from typing import Any

import cachetools

from openaifs.paths import folders_of, is_valid_filename

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


class Folder:
    """What one folder holds directly: its files' names (each with its list of versions, the
    same list the listing keeps by name) and its sub-folders' paths (full, from the purpose).
    A purpose's own folder, ``""``, also holds the names that cannot be paths."""

    __slots__ = ("files", "folders")

    def __init__(self) -> None:
        self.files: dict[str, list[FileObject]] = {}
        self.folders: set[str] = set()


def _chain(name: str) -> list[str]:
    """The folders a filename lies in, outermost first; none for a name that is no path."""
    if "/" not in name or not is_valid_filename(name):
        return []
    return folders_of(name)


def _newest_live(versions: list[FileObject], now: float) -> FileObject | None:
    # Inline rather than expired(): this runs once per name in every folder view.
    for f in versions:
        expires_at = f.get("expires_at")
        if expires_at is None or expires_at > now:
            return f
    return None


class Listing:
    """Every file of the project, indexed by purpose and filename, edited in place.

    Writes and deletes change the index where they land (a name's list of versions, and
    the folders of that name), so recording one costs the same in a purpose of 100 files or
    100,000, and a folder's view costs what the folder holds. Every method takes the
    listing's own lock: readers may run while another thread records a write.

    Parameters
    ----------
    files : iterable of dict
        File objects, newest first (as ``GET /files?order=desc`` returns them).
    fetched_at : float, optional
        When the service was asked (``time.monotonic()``); the listing expires as old as
        its fetch, not as its last edit.
    """

    def __init__(self, files: Iterable[FileObject], fetched_at: float | None = None) -> None:
        self._lock = threading.RLock()
        self.fetched_at = time.monotonic() if fetched_at is None else fetched_at
        #: purpose -> filename -> versions, newest first.
        self.by_purpose: dict[str, dict[str, list[FileObject]]] = {}
        #: purpose -> folder path (``""``: the purpose) -> what it holds directly. A folder
        #: is here exactly while some name lies in it.
        self._folders: dict[str, dict[str, Folder]] = {}
        self._by_id: dict[str, FileObject] = {}
        #: Ids the service listed to us (a fetch, or a look for newer files), as opposed to
        #: files we added ourselves: only these mark how far the listing is known complete.
        #: Each maps to the count of files seen when it was first seen (see :meth:`mark`).
        self.seen: dict[str, int] = {}
        #: The newest ``created_at`` among them; deletes since do not lower it.
        self.seen_until: int | None = None
        self.add(newest_first(files), listed=True, newest=False)
        #: :meth:`mark` and ``seen_until`` as fetched, before any look added to them.
        self.fetched_mark = len(self.seen)
        self.fetched_until = self.seen_until

    def add(self, files: list[FileObject], *, listed: bool, newest: bool = True) -> None:
        """Index ``files`` (newest first). ``newest``: each is the newest of its name even
        on a ``created_at`` tie (a file we just wrote, or found newer than what we knew);
        ``listed``: the service listed them (rather than we wrote them)."""
        with self._lock:
            for f in reversed(files) if newest else files:
                old = self._by_id.pop(f["id"], None)
                if old is not None:
                    self._drop(old)
                names = self.by_purpose.setdefault(f["purpose"], {})
                versions = names.get(f["filename"])
                if versions is None:
                    versions = names[f["filename"]] = []
                    self._file_in_folders(f["purpose"], f["filename"], versions)
                # Stable sort keeps insertion order on ties: in front when newest.
                if newest:
                    versions.insert(0, f)
                else:
                    versions.append(f)
                versions.sort(key=lambda v: -v.get("created_at", 0))
                self._by_id[f["id"]] = f
                if listed:
                    self.seen.setdefault(f["id"], len(self.seen) + 1)
                    created = f.get("created_at", 0)
                    if self.seen_until is None or created > self.seen_until:
                        self.seen_until = created

    def remove(self, file_ids: Iterable[str]) -> None:
        """Drop deleted files from the index."""
        with self._lock:
            for file_id in file_ids:
                f = self._by_id.pop(file_id, None)
                if f is not None:
                    self._drop(f)

    def _drop(self, f: FileObject) -> None:
        names = self.by_purpose.get(f["purpose"], {})
        versions = names.get(f["filename"], [])
        versions[:] = [v for v in versions if v["id"] != f["id"]]
        if not versions and names.pop(f["filename"], None) is not None:
            self._file_out_of_folders(f["purpose"], f["filename"])

    def _file_in_folders(self, purpose: str, name: str, versions: list[FileObject]) -> None:
        """Record a new name in its folder, and each folder in its parent (O(depth))."""
        folders = self._folders.setdefault(purpose, {})
        chain = _chain(name)
        folders.setdefault(chain[-1] if chain else "", Folder()).files[name] = versions
        for path in chain:
            folders.setdefault(path.rpartition("/")[0], Folder()).folders.add(path)

    def _file_out_of_folders(self, purpose: str, name: str) -> None:
        """Forget a name that has no file left; folders left empty go too."""
        folders = self._folders.get(purpose, {})
        chain = _chain(name)
        path = chain[-1] if chain else ""
        folder = folders.get(path)
        if folder is None:
            return
        folder.files.pop(name, None)
        while path and not (folder.files or folder.folders):
            del folders[path]
            path_parent = path.rpartition("/")[0]
            folder = folders[path_parent]
            folder.folders.discard(path)
            path = path_parent

    def mark(self) -> int:
        """A mark of what has been seen so far, for :meth:`seen_by`."""
        with self._lock:
            return len(self.seen)

    def seen_by(self, file_id: str, mark: int) -> bool:
        """Whether the service had listed ``file_id`` to us by the time of ``mark``: such a
        file existed then, so every file made since is listed before it (newest first)."""
        with self._lock:
            return 0 < self.seen.get(file_id, 0) <= mark

    def __contains__(self, file_id: str) -> bool:
        with self._lock:
            return file_id in self._by_id

    def has_purpose(self, purpose: str) -> bool:
        with self._lock:
            return purpose in self.by_purpose

    def versions(self, purpose: str, filename: str) -> list[FileObject]:
        """Every live file named ``filename`` in ``purpose``, newest first."""
        now = time.time()
        with self._lock:
            found = self.by_purpose.get(purpose, {}).get(filename, ())
            return [f for f in found if not expired(f, now)]

    def purposes(self) -> list[str]:
        with self._lock:
            return [p for p, names in self.by_purpose.items() if names]

    def latest(self, purpose: str) -> list[FileObject]:
        """The newest live file of each name in ``purpose``."""
        now = time.time()
        out = []
        with self._lock:
            for versions in self.by_purpose.get(purpose, {}).values():
                live = next((f for f in versions if not expired(f, now)), None)
                if live is not None:
                    out.append(live)
        return out

    def all_versions(self, purpose: str) -> list[FileObject]:
        """Every live file of ``purpose``, newest first."""
        now = time.time()
        with self._lock:
            files = [
                f
                for versions in self.by_purpose.get(purpose, {}).values()
                for f in versions
                if not expired(f, now)
            ]
        return newest_first(files)

    def _walk(self, purpose: str, path: str) -> Iterator[Folder]:
        """Folder ``path`` and every folder below it, depth first, lazily."""
        folders = self._folders.get(purpose, {})
        stack = [path]
        while stack:
            folder = folders.get(stack.pop())
            if folder is not None:
                yield folder
                stack.extend(folder.folders)

    def _has_live(self, purpose: str, path: str, now: float) -> bool:
        """Whether folder ``path`` holds a live file (depth first: usually the first look)."""
        return any(
            _newest_live(v, now)
            for folder in self._walk(purpose, path)
            for v in folder.files.values()
        )

    def is_folder(self, purpose: str, path: str) -> bool:
        """Whether folder ``path`` (not ``""``) of ``purpose`` exists: a live file lies in it."""
        with self._lock:
            return bool(path) and self._has_live(purpose, path, time.time())

    def folder(self, purpose: str, path: str) -> tuple[list[FileObject], list[str]]:
        """What folder ``path`` (``""``: the purpose) holds directly: the newest live file
        of each name, and the paths of its sub-folders that hold a live file."""
        now = time.time()
        with self._lock:
            folder = self._folders.get(purpose, {}).get(path)
            if folder is None:
                return [], []
            files = [f for v in folder.files.values() if (f := _newest_live(v, now)) is not None]
            subs = [p for p in folder.folders if self._has_live(purpose, p, now)]
        return files, subs

    def below(
        self, purpose: str, path: str, maxdepth: int | None = None
    ) -> tuple[list[FileObject], list[str]]:
        """Everything below folder ``path`` (``""``: the purpose), ``maxdepth`` levels deep:
        the newest live file of each name that is a path (names that cannot be one are left
        to :meth:`folder`), and the folders that hold one. Costs what lies below."""
        now = time.time()
        files: list[FileObject] = []
        subs: list[str] = []
        with self._lock:
            folders = self._folders.get(purpose, {})
            stack = [(path, 1)]
            while stack:
                at, depth = stack.pop()
                folder = folders.get(at)
                if folder is None:
                    continue
                for name, versions in folder.files.items():
                    f = _newest_live(versions, now)
                    # Only a purpose's own folder holds names that are no paths.
                    if f is not None and (at or is_valid_filename(name)):
                        files.append(f)
                for sub in folder.folders:
                    if self._has_live(purpose, sub, now):
                        subs.append(sub)
                        if maxdepth is None or depth < maxdepth:
                            stack.append((sub, depth + 1))
        return files, subs

    def versions_below(self, purpose: str, path: str) -> list[FileObject]:
        """Every live file at or below folder ``path`` (``""``: every file of the purpose,
        names that cannot be paths included), newest first."""
        if not path:
            return self.all_versions(purpose)
        now = time.time()
        found: list[FileObject] = []
        with self._lock:
            for folder in self._walk(purpose, path):
                for versions in folder.files.values():
                    found.extend(f for f in versions if not expired(f, now))
        return newest_first(found)

    def all_files(self) -> list[FileObject]:
        """Every file indexed, live or not."""
        with self._lock:
            return list(self._by_id.values())


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
        #: Called with the ids of deleted files (the content cache drops their copies).
        self.on_removed: list[Any] = []

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
            for file_id in [i for i in self._files if i not in listing]:
                del self._files[file_id]
            for f in listing.all_files():
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
                listing.add([file], listed=False)

    def found_newer(self, files: list[FileObject]) -> list[FileObject]:
        """Files created since the cached listing was fetched (newest first) were found;
        returns those not deleted through this cache meanwhile."""
        with self._lock:
            files = [f for f in files if f["id"] not in self._gone]
            listing = self._listings.get(self._KEY)
            for f in files:
                self._files[f["id"]] = f
            if listing is not None and files:
                listing.add(files, listed=True)
        return files

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
                listing.remove(ids)
        for listener in self.on_removed:
            listener(ids)

    def clear(self) -> None:
        """Forget everything (``invalidate_cache()`` with no path)."""
        with self._lock:
            self._listings.clear()
            self._files.clear()

    def clear_listing(self) -> None:
        """Forget the listing only; File objects by id stay valid."""
        with self._lock:
            self._listings.clear()
