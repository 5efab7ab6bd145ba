"""Folder views: what a purpose, a folder or a name below a purpose holds, from the listing.

A ``/`` in a filename makes folders (as on S3): a folder exists while some file's name
starts with it. Every view here reads the one cached listing through the
:class:`~openaifs.catalog.Catalog` (its folder index costs what a folder holds, not what the
purpose holds), so ``ls``, ``info`` and ``find`` of folders make no request in a warm
process. The filesystem's methods delegate here; nothing here writes.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from openaifs.cache import FileObject, Listing
from openaifs.catalog import Catalog, dir_entry, file_entry, url
from openaifs.limits import KNOWN_PURPOSES
from openaifs.paths import ResolvedPath, parse_path

Entry = dict[str, Any]


def ls_entries(
    catalog: Catalog, resolved: ResolvedPath, refresh: bool, versions: bool
) -> list[Entry]:
    """``ls`` of the root, a purpose, a folder or a name (not a file id)."""
    if resolved.is_root:
        listing = catalog.listing(refresh, path=url(""))
        names = list(KNOWN_PURPOSES) + sorted(set(listing.purposes()) - set(KNOWN_PURPOSES))
        return [dir_entry(name) for name in names]
    if versions:
        return [file_entry(f, f["id"]) for f in all_versions(catalog, resolved, refresh)]
    purpose = resolved.purpose
    if resolved.is_purpose:
        listing = catalog.listing(refresh, path=url(purpose))
        catalog.check_purpose(purpose, listing)
        folder = ""
    else:
        catalog.check_purpose(purpose)
        found = catalog.lookup(resolved, refresh)
        if not found.is_folder(resolved):
            if not found.versions:
                raise FileNotFoundError(f"{url(resolved.unresolve())}: no such file")
            return [file_entry(found.versions[0])]
        listing, folder = found.listing, resolved.filename
    files, folders = listing.folder(purpose, folder)
    # A name that is both a file and a folder is listed as both (as on S3), the folder
    # first: the sort by name is stable.
    entries = [dir_entry(f"{purpose}/{sub}") for sub in folders]
    entries += [file_entry(f) for f in files]
    return sorted(entries, key=operator.itemgetter("name"))


def all_versions(catalog: Catalog, resolved: ResolvedPath, refresh: bool) -> list[FileObject]:
    """``ls(versions=True)``: every file of a name, and every file at or below a folder or
    a purpose, newest first."""
    catalog.check_purpose(resolved.purpose)
    if resolved.is_purpose:
        listing = catalog.listing(refresh, path=url(resolved.purpose))
        return listing.versions_below(resolved.purpose, "")
    found = catalog.lookup(resolved, refresh)
    files = list(found.versions)
    if found.is_folder(resolved):
        files += found.listing.versions_below(resolved.purpose, resolved.filename)
    if not files:
        raise FileNotFoundError(f"{url(resolved.unresolve())}: no such file")
    return files


def info_below(catalog: Catalog, resolved: ResolvedPath, refresh: bool) -> Entry:
    """``info`` of a name below a purpose: the file, else the folder. A name that is both
    is the file here (``isdir`` still says it is a folder)."""
    catalog.check_purpose(resolved.purpose)
    found = catalog.lookup(resolved, refresh)
    if found.versions:
        return file_entry(found.versions[0], resolved.unresolve())
    if found.is_folder(resolved):
        return dir_entry(resolved.unresolve())
    raise FileNotFoundError(f"{url(resolved.unresolve())}: no such file")


def find(
    catalog: Catalog, resolved: ResolvedPath, maxdepth: int | None, refresh: bool
) -> dict[str, Entry]:
    """Every file and folder below the root, a purpose or a folder (a file: itself),
    ``maxdepth`` levels deep, by name (unsorted). Files whose names cannot be paths are
    below no path: ``ls`` of their purpose shows them."""
    out: dict[str, Entry] = {}
    if resolved.is_root:
        listing = catalog.listing(refresh, path=url(""))
        for entry in ls_entries(catalog, resolved, refresh, versions=False):
            out[entry["name"]] = entry
            if maxdepth is None or maxdepth > 1:
                deeper = None if maxdepth is None else maxdepth - 1
                _found_below(out, listing, entry["name"], "", deeper)
    elif resolved.is_purpose:
        listing = catalog.listing(refresh, path=url(resolved.purpose))
        catalog.check_purpose(resolved.purpose, listing)
        _found_below(out, listing, resolved.purpose, "", maxdepth)
    else:
        catalog.check_purpose(resolved.purpose)
        found = catalog.lookup(resolved, refresh)
        if found.is_folder(resolved):
            _found_below(out, found.listing, resolved.purpose, resolved.filename, maxdepth)
        elif found.versions:
            out[resolved.unresolve()] = file_entry(found.versions[0], resolved.unresolve())
    return out


def _found_below(
    out: dict[str, Entry], listing: Listing, purpose: str, folder: str, maxdepth: int | None
) -> None:
    files, folders = listing.below(purpose, folder, maxdepth)
    for sub in folders:
        out[f"{purpose}/{sub}"] = dir_entry(f"{purpose}/{sub}")
    # A name that is both: the file wins the one key (a find result is keyed by name).
    for f in files:
        entry = file_entry(f)
        out[entry["name"]] = entry


def to_delete_many(
    catalog: Catalog,
    resolved: ResolvedPath,
    recursive: bool,
    confirm: bool,
    glob: Callable[[str], list[str]],
) -> list[FileObject]:
    """The files ``rm`` of a purpose (or the root) or of a glob deletes."""
    shown = url(resolved.unresolve())
    if resolved.is_root or resolved.is_purpose:
        if not recursive:
            raise IsADirectoryError(f"{shown}: is a directory; use recursive=True")
        if not confirm:
            raise PermissionError(
                f"{shown}: deleting every file of a purpose needs confirm=True "
                "as well as recursive=True"
            )
        listing = catalog.listing(refresh=True)
        purposes = [resolved.purpose] if resolved.is_purpose else listing.purposes()
        return [f for purpose in purposes for f in listing.all_versions(purpose)]
    matched = glob(resolved.unresolve())
    if not matched:
        raise FileNotFoundError(f"{shown}: nothing matches")
    listing = catalog.listing()
    files = []
    for name in matched:
        files += to_delete(listing, parse_path(name), recursive, skip_folder=True)
    return files


def to_delete(
    listing: Listing, resolved: ResolvedPath, recursive: bool, skip_folder: bool = False
) -> list[FileObject]:
    """What ``rm`` of one name deletes: its files, and with ``recursive`` every file below
    the folder of that name. A folder without ``recursive`` is refused (or, for a glob's
    match, ``skip_folder``, left alone)."""
    shown = url(resolved.unresolve())
    versions = listing.versions(resolved.purpose, resolved.filename)
    if listing.is_folder(resolved.purpose, resolved.filename):
        if recursive:
            below = listing.versions_below(resolved.purpose, resolved.filename)
            known = {f["id"] for f in versions}
            versions = versions + [f for f in below if f["id"] not in known]
        elif not versions and not skip_folder:
            raise IsADirectoryError(f"{shown}: is a folder; use recursive=True")
    if not versions and not skip_folder:
        raise FileNotFoundError(f"{shown}: no such file")
    return versions
