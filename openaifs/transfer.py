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

from fsspec.callbacks import DEFAULT_CALLBACK, Callback
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
    fs: Any, source: Any, dest: Any, recursive: bool, maxdepth: int | None = None
) -> list[tuple[str, str]]:
    """Source/destination pairs of a copy within the store (``openai://`` to ``openai://``).

    A purpose as destination receives each file under its own name; any other destination
    is the new name of the one file copied; two lists pair up as given.
    """
    if isinstance(source, list) and isinstance(dest, list):
        if len(source) != len(dest):
            raise ValueError("the lists of sources and destinations differ in length")
        pairs = zip(source, dest, strict=True)
        return [(fs._strip_protocol(s), fs._strip_protocol(d)) for s, d in pairs]
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

    The first failure (or Ctrl-C) stops the transfers not yet started — a worker that
    fails says so before it picks up anything else — waits for those under way (each
    cleans up after itself), then is raised. One pair runs in the calling thread, so that
    Ctrl-C reaches it and cancels the transfer at once.
    """
    if len(pairs) == 1:
        func(*pairs[0])
        callback.relative_update(1)
        return
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


class ManyFiles:
    """The many-file methods of :class:`~openaifs.core.OpenAIFileSystem` (``put``, ``get``,
    ``copy``, ``mv``): each plans its pairs here and runs the one-file method on each."""

    max_concurrency: int

    def put(
        self,
        lpath: Any,
        rpath: Any,
        recursive: bool = False,
        callback: Callback = DEFAULT_CALLBACK,
        maxdepth: int | None = None,
        **kwargs: Any,
    ) -> None:
        """Upload local files (lists, globs, folders) to a purpose, several at once."""
        pairs = plan(self, lpath, rpath, recursive, maxdepth, put=True)
        callback.set_size(len(pairs))
        run_each(
            lambda lp, rp: self.put_file(lp, rp, **kwargs), pairs, callback, self._file_workers
        )

    def get(
        self,
        rpath: Any,
        lpath: Any,
        recursive: bool = False,
        callback: Callback = DEFAULT_CALLBACK,
        maxdepth: int | None = None,
        **kwargs: Any,
    ) -> None:
        """Download files (lists, globs, purposes) to local paths, several at once."""
        pairs = plan(self, rpath, lpath, recursive, maxdepth, put=False)
        callback.set_size(len(pairs))
        for _, lp in pairs:
            parent = os.path.dirname(lp)
            if parent:
                os.makedirs(parent, exist_ok=True)
        run_each(
            lambda rp, lp: self.get_file(rp, lp, **kwargs), pairs, callback, self._file_workers
        )

    @property
    def _file_workers(self) -> int:
        return self.max_concurrency // 2 or 1

    def copy(
        self,
        path1: Any,
        path2: str,
        recursive: bool = False,
        maxdepth: int | None = None,
        on_error: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Copy files within the store (also :meth:`cp`), several at once.

        One file goes to a new name, or into a purpose under its own name; with
        ``recursive=True`` every file of a purpose goes into another purpose; a glob or a
        list of paths goes into a purpose. The service has no copy: each file's content
        streams down and back up (:meth:`cp_file`), and each copy is a new file, with a
        new id.

        Parameters
        ----------
        path1 : str or list of str
            Files, ids, globs, or (with ``recursive``) a purpose.
        path2 : str
            A purpose (``openai://<purpose>``) or, for one file, its new path.
        overwrite, expires_after, mime_type
            As for :meth:`open`.
        """
        for source in path1 if isinstance(path1, list) else [path1]:
            resolved = self._resolve(source)
            if (resolved.is_purpose or resolved.is_root) and not recursive:
                shown = f"openai://{resolved.unresolve()}"
                raise IsADirectoryError(f"{shown}: is a directory; use recursive=True")
        pairs = plan_copy(self, path1, path2, recursive, maxdepth)
        run_each(
            lambda a, b: self.cp_file(a, b, **kwargs), pairs, DEFAULT_CALLBACK, self._file_workers
        )

    def mv(
        self,
        path1: Any,
        path2: str,
        recursive: bool = False,
        maxdepth: int | None = None,
        *,
        confirm: bool = False,
        **kwargs: Any,
    ) -> None:
        """Move files: :meth:`copy`, then :meth:`rm` of the sources.

        The service has no rename: a moved file is a new file with a new id, and every
        file of the source's name is deleted. Moving every file of a purpose needs
        ``recursive=True`` and ``confirm=True``, as :meth:`rm` does; that is checked
        before anything is copied.

        Parameters
        ----------
        overwrite, expires_after, mime_type
            As for :meth:`open`.
        """
        if path1 == path2:
            return
        for source in path1 if isinstance(path1, list) else [path1]:
            resolved = self._resolve(source)
            if resolved.is_purpose or resolved.is_root:
                self._to_delete(source, recursive, confirm)  # raises without both
        self.copy(path1, path2, recursive=recursive, maxdepth=maxdepth, **kwargs)
        self.rm(path1, recursive=recursive, confirm=confirm)
