"""What names mean: paths resolved to File objects through the metadata cache and the service.

:class:`Catalog` is the one place that asks the service which files exist. It answers from
the cached listing where it can, looks only at files newer than the listing where it must
(a newest-first page that stops at the first file it already knows), and records every
delete through :class:`~openaifs.cache.MetadataCache`. Both the filesystem and the write
pipeline use it; neither lists files by hand.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import threading
from dataclasses import dataclass
from typing import Any

from openaifs.cache import FileObject, Listing, MetadataCache, expired, newest_first
from openaifs.client import APIClient
from openaifs.limits import KNOWN_PURPOSES, MAX_LIST_LIMIT, PROTOCOL
from openaifs.paths import ResolvedPath, is_valid_filename

logger = logging.getLogger("openaifs")

#: The fields of a File object that detail dicts carry.
FILE_FIELDS = ("id", "purpose", "filename", "created_at", "status", "expires_at")


def url(path: str) -> str:
    """``path`` (without protocol) as the ``openai://`` URL users see in messages."""
    return f"{PROTOCOL}://{path}"


def file_entry(file: FileObject, name: str | None = None) -> dict[str, Any]:
    """The detail dict of a file, named by its path (or by ``name``)."""
    if name is None:
        filename = file["filename"]
        name = f"{file['purpose']}/{filename}" if is_valid_filename(filename) else file["id"]
    entry = {"name": name, "type": "file", "size": file.get("bytes", file.get("size"))}
    for key in FILE_FIELDS:
        entry[key] = file.get(key)
    return entry


def dir_entry(name: str) -> dict[str, Any]:
    """The detail dict of a directory (the root, a purpose or a folder)."""
    return {"name": name, "type": "directory", "size": 0}


@dataclass(frozen=True)
class Found:
    """What :meth:`Catalog.lookup` found for a name: its live files (newest first) and the
    listing it looked in, which says whether the name is also a folder."""

    versions: list[FileObject]
    listing: Listing

    def is_folder(self, resolved: ResolvedPath) -> bool:
        return self.listing.is_folder(resolved.purpose, resolved.filename)


@dataclass(frozen=True)
class Mark:
    """How far the service's listing was known at one moment (see :meth:`Catalog.mark`)."""

    listing: Listing
    seen: int
    seen_until: int | None

    def before(self, file: FileObject) -> bool:
        """Whether ``file`` is known to predate the mark."""
        if self.listing.seen_by(file["id"], self.seen):
            return True
        return self.seen_until is not None and file["created_at"] < self.seen_until


class Catalog:
    """Names to File objects, with the metadata cache in front of the service.

    Parameters
    ----------
    client : APIClient
        The service.
    metadata : MetadataCache
        The listing and File objects by id; every change to them goes through its methods.
    has_key : bool
        Whether an API key was configured (asking without one fails with a clear message).
    max_concurrency : int
        Deletes in flight at once are twice this (each is one small request).
    """

    def __init__(
        self, client: APIClient, metadata: MetadataCache, *, has_key: bool, max_concurrency: int
    ) -> None:
        self.client = client
        self.metadata = metadata
        self.has_key = has_key
        self.max_concurrency = max_concurrency
        self._listing_lock = threading.Lock()

    def require_key(self) -> None:
        if not self.has_key:
            raise PermissionError(
                "no API key: set OPENAI_API_KEY, or pass api_key= to the filesystem "
                "(storage_options={'api_key': ...} through pandas or dask)"
            )

    def listing(self, refresh: bool = False, path: str | None = None) -> Listing:
        """The listing of every file: the cached one unless ``refresh`` or expired."""
        if not refresh:
            cached = self.metadata.listing()
            if cached is not None:
                return cached
        self.require_key()
        with self._listing_lock:
            # Threads that asked at once share one listing (a cold put of many files).
            if not refresh:
                cached = self.metadata.listing()
                if cached is not None:
                    return cached
            return self.metadata.store_listing(self.client.list_files(order="desc", path=path))

    def check_purpose(self, purpose: str, listing: Listing | None = None) -> None:
        """Refuse a purpose that is neither known nor present in the data."""
        if purpose in KNOWN_PURPOSES:
            return
        if listing is None:
            listing = self.listing()
        if not listing.has_purpose(purpose):
            raise ValueError(
                f"{purpose!r} is not a purpose; expected one of {', '.join(KNOWN_PURPOSES)}"
            )

    def file_by_id(self, file_id: str, path: str, refresh: bool = False) -> FileObject:
        cached = None if refresh else self.metadata.file(file_id)
        if cached is not None:
            return cached
        self.require_key()
        try:
            file = self.client.retrieve_file(file_id, path=path)
        except FileNotFoundError:
            self.metadata.removed([file_id])
            raise
        self.metadata.store_file(file)
        return file

    def versions(
        self,
        resolved: ResolvedPath,
        refresh: bool = False,
        *,
        look_newer: bool = False,
        cached_only: bool = False,
    ) -> list[FileObject]:
        """Every live file of a name, newest first.

        A name the *cached* listing lacks is looked up afresh before it is called absent:
        another process (or the service, for outputs) may have written it since, and
        ``exists()`` must answer ``False`` only for a file that is truly absent.

        Parameters
        ----------
        refresh : bool
            List every file again (also notices files others deleted).
        look_newer : bool
            Also look at the files made since the cached listing, even when it knows the
            name: as fresh as a full listing for new files, at the cost of one small request
            (writes and deletes use this; a delete by someone else is then a 404, not harm).
        cached_only : bool
            With a cached listing, answer from it alone, even for a name it lacks (a
            replace-write looks at newer files after publishing anyway).
        """
        shown = url(resolved.unresolve())
        cached = None if refresh else self.metadata.listing()
        if cached is not None:
            found = cached.versions(resolved.purpose, resolved.filename)
            if (found and not look_newer) or cached_only:
                return found
            return self.made_since(cached, shown, resolved.purpose, resolved.filename)
        listing = self.listing(refresh=True, path=shown)
        return listing.versions(resolved.purpose, resolved.filename)

    def lookup(self, resolved: ResolvedPath, refresh: bool = False) -> Found:
        """What a name below a purpose is: a file, a folder, both (``a`` and ``a/b`` exist)
        or neither.

        A warm listing that knows the name as a file or a folder answers alone; otherwise
        the files made since it are looked at (one small request), as :meth:`versions` does.
        """
        purpose, name = resolved.purpose, resolved.filename
        cached = None if refresh else self.metadata.listing()
        if cached is not None:
            found = cached.versions(purpose, name)
            if found or cached.is_folder(purpose, name):
                return Found(found, cached)
            found = self.made_since(cached, url(resolved.unresolve()), purpose, name)
            return Found(found, cached)
        listing = self.listing(refresh=True, path=url(resolved.unresolve()))
        return Found(listing.versions(purpose, name), listing)

    def look_newer(self, shown: str) -> Listing:
        """Bring the cached listing up to date with the files made since it was fetched
        (one short look; a full listing if nothing is cached). Returns the listing."""
        cached = self.metadata.listing()
        if cached is None:
            return self.listing(refresh=True, path=shown)
        self._newer_than(self._mark_of(cached), shown)
        return cached

    def made_since(
        self, cached: Listing, shown: str, purpose: str, filename: str
    ) -> list[FileObject]:
        """The live versions of a name after looking at the files made since ``cached``
        was fetched: those found first, then those it already held. What the look finds
        joins the cached listing."""
        fresh = self.since(purpose, filename, self._mark_of(cached), shown)
        known = cached.versions(purpose, filename)
        ids = {f["id"] for f in known}
        return newest_first([*(f for f in fresh if f["id"] not in ids), *known])

    def mark(self) -> Mark | None:
        """What the service has listed to us so far (``None``: nothing cached).

        Writers take one before they publish, to look afterwards at exactly the files made
        meanwhile (:meth:`since`).
        """
        cached = self.metadata.listing()
        return None if cached is None else self._mark_of(cached)

    @staticmethod
    def fetched_mark(listing: Listing) -> Mark:
        """A mark of exactly what ``listing`` held when it was fetched (looks since may
        have added newer files to it)."""
        return Mark(listing, listing.fetched_mark, listing.fetched_until)

    @staticmethod
    def _mark_of(cached: Listing) -> Mark:
        return Mark(cached, cached.mark(), cached.seen_until)

    def since(self, purpose: str, filename: str, mark: Mark | None, shown: str) -> list[FileObject]:
        """Every live file of a name made since ``mark``, in the service's newest-first
        order (which breaks ``created_at`` ties by creation order)."""
        return self.since_each([(purpose, filename, mark)], shown)[0]

    def _newer_than(self, mark: Mark | None, shown: str) -> list[FileObject]:
        """The files of every purpose made since ``mark``, newest first; they join the
        cached listing.

        Listed newest first, files made since come before every file the service had
        listed to us by ``mark`` (those existed then): the look stops at the first of
        them, usually after one small request, so its cost is the number of files made
        meanwhile, not the size of the project. It trusts the service's order for files
        created in the same second, as the newest-of-a-name rule does. Files we wrote
        ourselves are no such stop: others may have written between our listing and our
        write. Every purpose is looked at, not just one: what the look records as seen
        must mean "the project is known up to here", or a later look would stop too
        early. Without a mark, it lists the project.
        """
        return self.metadata.found_newer(self._look([] if mark is None else [mark], shown))

    def since_each(
        self, wanted: list[tuple[str, str, Mark | None]], shown: str
    ) -> list[list[FileObject]]:
        """:meth:`since` for several ``(purpose, filename, mark)`` at once, with one look
        down to the first file every mark knows (what writers of many files share)."""
        marks = [mark for _, _, mark in wanted]
        scanned = self._look([] if None in marks else marks, shown)
        kept = {f["id"] for f in self.metadata.found_newer(scanned)}
        each = []
        for purpose, filename, mark in wanted:
            mine = []
            for f in scanned:
                if mark is not None and mark.before(f):
                    break
                if f["id"] in kept and (f["purpose"], f["filename"]) == (purpose, filename):
                    mine.append(f)
            each.append([f for f in mine if not expired(f)])
        return each

    def _look(self, marks: list[Mark], shown: str) -> list[FileObject]:
        """Files newest first, down to the first that every mark knows (all, with none).

        The first page holds 32 files: a writer among others of the same process finds
        theirs first, and a page of 8 then 16 cost it a second round trip.
        """
        self.require_key()
        scanned = []
        page = 32 if marks else MAX_LIST_LIMIT
        for f in self.client.list_files(order="desc", page_size=page, grow=True, path=shown):
            if marks and all(m.before(f) for m in marks):
                break
            scanned.append(f)
        return scanned

    def resolve_file(self, resolved: ResolvedPath, refresh: bool = False) -> FileObject:
        """The File object a file path or a file id means."""
        shown = url(resolved.unresolve())
        if resolved.is_file_id:
            return self.file_by_id(resolved.file_id, shown, refresh)
        if not resolved.is_named_file:
            raise IsADirectoryError(f"{shown}: is a directory")
        self.check_purpose(resolved.purpose)
        found = self.lookup(resolved, refresh)
        if not found.versions:
            if found.is_folder(resolved):
                raise IsADirectoryError(f"{shown}: is a folder")
            raise FileNotFoundError(f"{shown}: no such file")
        return found.versions[0]

    def delete_id(self, file_id: str, path: str) -> None:
        """Delete one file by id (a missing one raises :class:`FileNotFoundError`)."""
        self.require_key()
        try:
            self.client.delete_file(file_id, path=path)
        except FileNotFoundError:
            self.metadata.removed([file_id])  # not there to begin with
            raise
        self.metadata.removed([file_id])

    def delete_files(self, files: list[FileObject], path: str) -> None:
        """Delete ``files`` concurrently; files already gone count as deleted.

        Every delete that succeeded is recorded, even when another one failed.
        """
        if not files:
            return
        self.require_key()

        def delete(f: FileObject) -> str:
            try:
                self.client.delete_file(f["id"], path=path)
            except FileNotFoundError:
                pass
            return f["id"]

        deleted: list[str] = []
        try:
            # A delete is one small request, bound by the round trip, not bandwidth: as
            # many small files go at once (see ManyFiles._workers_for).
            with cf.ThreadPoolExecutor(min(len(files), 2 * self.max_concurrency)) as pool:
                futures = [pool.submit(delete, f) for f in files]
                for future in cf.as_completed(futures):
                    if future.exception() is None:
                        deleted.append(future.result())
            for future in futures:
                future.result()
        finally:
            self.metadata.removed(deleted)
