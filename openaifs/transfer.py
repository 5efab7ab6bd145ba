"""Many files at once: the source/destination plan of ``put``/``get``, and running it.

Used by :meth:`OpenAIFileSystem.put`/:meth:`~OpenAIFileSystem.get` and by the command line,
so both pair files the same way (fsspec's own rules, with openaifs's flat purposes).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import threading
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
    if put:
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
    sources = [
        p for p in fs.expand_path(source, recursive=recursive, maxdepth=maxdepth) if not fs.isdir(p)
    ]
    if isinstance(dest, list):
        return sources, dest
    dest = make_path_posix(dest)
    # A purpose (or the root) is a folder: it goes into one, as in fsspec, even when it
    # holds a single file; no file at all copies nothing.
    resolved = fs._resolve(source) if isinstance(source, str) else None
    source_is_dir = resolved is not None and not (resolved.filename or resolved.is_file_id)
    into_dir = dest.endswith("/") or os.path.isdir(dest) or len(sources) != 1 or source_is_dir
    if into_dir:
        return sources, [os.path.join(dest, p.rsplit("/", 1)[-1]) for p in sources]
    return sources, [dest]


def _flat_target(fs: Any, target: str, dest: str) -> str:
    """Map a destination under a purpose onto the flat purpose directory."""
    resolved = fs._resolve(dest)
    if resolved.is_purpose or resolved.is_root:
        name = target.rstrip("/").rsplit("/", 1)[-1]
        purpose = resolved.purpose or name
        return f"{purpose}/{name}"
    return target


def _refuse_shared_names(pairs: list[tuple[str, str]]) -> None:
    # A purpose is flat: a/x.txt and b/x.txt would both become <purpose>/x.txt, and one
    # would silently replace the other. Refuse before sending anything.
    seen: dict[str, str] = {}
    for local_path, remote in pairs:
        if remote in seen:
            raise ValueError(
                f"{seen[remote]!r} and {local_path!r} would both be written to "
                f"'openai://{remote}' (a purpose is a flat directory)"
            )
        seen[remote] = local_path


def run_each(
    func: Callable[..., Any], pairs: list[tuple[Any, ...]], callback: Callback, workers: int
) -> None:
    """Run ``func(*pair)`` for every pair, ``workers`` at a time.

    The first failure (or Ctrl-C) stops the transfers not yet started — a worker that
    fails says so before it picks up anything else — waits for those under way (each
    cleans up after itself), then is raised.
    """
    stop = threading.Event()

    def guarded(*pair: Any) -> Any:
        if stop.is_set():
            raise cf.CancelledError()
        try:
            return func(*pair)
        except BaseException:
            stop.set()
            raise

    workers = max(1, min(len(pairs), workers))
    pool = cf.ThreadPoolExecutor(workers, thread_name_prefix="openaifs-file")
    futures = [pool.submit(guarded, *pair) for pair in pairs]
    try:
        for future in futures:
            try:
                future.result()
            except cf.CancelledError:
                continue  # skipped after another's failure, which is raised below
            callback.relative_update(1)
    except BaseException:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    for future in futures:
        if not future.cancelled() and future.exception() is not None:
            raise future.exception()
