"""Many files at once: the source/destination plan of ``put``/``get``, and running it.

Used by :meth:`OpenAIFileSystem.put`/:meth:`~OpenAIFileSystem.get` and by the command line,
so both pair files the same way (fsspec's own rules, with openaifs's flat purposes).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
from collections.abc import Callable
from typing import Any

from fsspec.callbacks import Callback
from fsspec.implementations.local import LocalFileSystem, make_path_posix
from fsspec.utils import other_paths

from openaifs import paths


def plan(
    fs: Any, source: Any, dest: Any, recursive: bool, maxdepth: int | None, *, put: bool
) -> list[tuple[str, str]]:
    """Source/destination pairs, as fsspec's own ``put``/``get`` would form them."""
    if isinstance(source, list) and isinstance(dest, list):
        # Lists pair up as given (expand_path would sort the sources away from theirs).
        if len(source) != len(dest):
            raise ValueError("the lists of sources and destinations differ in length")
        if put:
            return [
                (make_path_posix(s), fs._strip_protocol(d))
                for s, d in zip(source, dest, strict=True)
            ]
        return [
            (fs._strip_protocol(s), make_path_posix(d)) for s, d in zip(source, dest, strict=True)
        ]
    if put:
        sources, targets = _put_targets(fs, source, dest, recursive, maxdepth)
    else:
        sources, targets = _get_targets(fs, source, dest, recursive, maxdepth)
    if len(sources) != len(targets):
        raise ValueError("the lists of sources and destinations differ in length")
    pairs = list(zip(sources, targets, strict=True))
    _refuse_shared_names(pairs)
    return pairs


def _put_targets(
    fs: Any, source: Any, dest: Any, recursive: bool, maxdepth: int | None
) -> tuple[list[str], list[str]]:
    local = LocalFileSystem()
    into_dir = isinstance(dest, str) and dest.endswith("/")
    dest = fs._strip_protocol(dest) if isinstance(dest, str) else dest
    sources = local.expand_path(source, recursive=recursive, maxdepth=maxdepth)
    sources = [p for p in sources if not local.isdir(p)]
    if isinstance(dest, list):
        return sources, dest
    if (
        isinstance(source, str)
        and len(sources) == 1
        and not local.isdir(source)
        and not paths.has_magic(source)
        and not into_dir
        and not fs.isdir(dest)
    ):
        # One file to a path that is not a directory: that path is its new name.
        return sources, [dest]
    exists = isinstance(source, str) and local.isdir(source) and not source.endswith("/")
    targets = other_paths(sources, dest, exists=exists and fs.exists(dest), flatten=not recursive)
    return sources, [_flat_target(fs, t, dest) for t in targets]


def _get_targets(
    fs: Any, source: Any, dest: Any, recursive: bool, maxdepth: int | None
) -> tuple[list[str], list[str]]:
    sources = _remote_files(fs, source, recursive, maxdepth)
    if isinstance(dest, list):
        return sources, dest
    dest = make_path_posix(dest)
    into_dir = dest.endswith("/") or os.path.isdir(dest) or _into_folder(fs, source, sources)
    if into_dir:
        return sources, [os.path.join(dest, _name_of(fs, p)) for p in sources]
    return sources, [dest]


def plan_copy(
    fs: Any, source: Any, dest: str, recursive: bool, maxdepth: int | None = None
) -> list[tuple[str, str]]:
    """Source/destination pairs of a copy within the store (``openai://`` to ``openai://``).

    A purpose as destination receives each file under its own name; any other destination
    is the new name of the one file copied.
    """
    sources = _remote_files(fs, source, recursive, maxdepth)
    target = fs._resolve(dest)
    if target.is_purpose:
        pairs = [(p, f"{target.purpose}/{_name_of(fs, p)}") for p in sources]
    elif len(sources) == 1 and not _into_folder(fs, source, sources):
        pairs = [(sources[0], target.unresolve())]
    else:
        raise ValueError(f"openai://{target.unresolve()}: copying several files needs a purpose")
    _refuse_shared_names(pairs)
    return pairs


def _remote_files(fs: Any, source: Any, recursive: bool, maxdepth: int | None) -> list[str]:
    """The files ``source`` (paths, ids, globs, purposes) names in the store."""
    try:
        expanded = fs.expand_path(source, recursive=recursive, maxdepth=maxdepth)
    except FileNotFoundError:
        shown = ", ".join(f"openai://{fs._strip_protocol(s)}" for s in _as_list(source))
        raise FileNotFoundError(f"{shown}: no such file, and nothing matches") from None
    return [p for p in expanded if not fs.isdir(p)]


def _into_folder(fs: Any, source: Any, sources: list[str]) -> bool:
    """Whether the files go into a folder rather than one becoming the destination: several
    files, or a purpose or a glob (a folder, as in fsspec, even when it holds one file)."""
    if len(sources) != 1 or not isinstance(source, str):
        return True
    resolved = fs._resolve(source)
    if resolved.is_file_id:
        return False
    return resolved.filename is None or paths.has_magic(resolved.filename)


def _name_of(fs: Any, remote: str) -> str:
    """The name a file takes in a folder: its filename (also for an id path), or its id when
    the filename cannot be one path segment."""
    resolved = fs._resolve(remote)
    if resolved.is_file_id:
        filename = fs.info(remote).get("filename") or ""
        return filename if paths.is_valid_filename(filename) else resolved.file_id
    return remote.rsplit("/", 1)[-1]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _flat_target(fs: Any, target: str, dest: str) -> str:
    """Map a destination under a purpose onto the flat purpose directory."""
    resolved = fs._resolve(dest)
    if resolved.is_purpose or resolved.is_root:
        name = target.rstrip("/").rsplit("/", 1)[-1]
        purpose = resolved.purpose or name
        return f"{purpose}/{name}"
    return target


def _refuse_shared_names(pairs: list[tuple[str, str]]) -> None:
    # A purpose is flat: a/x.txt and b/x.txt would both become <purpose>/x.txt (and two
    # purposes' x.txt one local x.txt), and one would silently replace the other. Refuse
    # before sending anything.
    seen: dict[str, str] = {}
    for source, target in pairs:
        if target in seen:
            raise ValueError(f"{seen[target]!r} and {source!r} would both be written to {target!r}")
        seen[target] = source


def run_each(
    func: Callable[..., Any], pairs: list[tuple[Any, ...]], callback: Callback, workers: int
) -> None:
    """Run ``func(*pair)`` for every pair, ``workers`` at a time.

    The first failure (or Ctrl-C) stops the transfers not yet started, waits for those
    under way (each cleans up after itself), then is raised. One pair runs in the calling
    thread, so that Ctrl-C reaches it and cancels the transfer at once.
    """
    if len(pairs) == 1:
        func(*pairs[0])
        callback.relative_update(1)
        return
    workers = max(1, min(len(pairs), workers))
    pool = cf.ThreadPoolExecutor(workers, thread_name_prefix="openaifs-file")
    try:
        for future in [pool.submit(func, *pair) for pair in pairs]:
            future.result()
            callback.relative_update(1)
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
