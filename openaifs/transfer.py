"""Many files at once: the source/destination plan of ``put``/``get``, and running it.

Used by :meth:`OpenAIFileSystem.put`/:meth:`~OpenAIFileSystem.get` and by the command line,
so both pair files the same way: fsspec's own rules, and a recursive ``get`` never writes
outside its target folder whatever names the service returns (it warns, naming each file
it skips and why).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import posixpath
import threading
import warnings
from collections.abc import Callable
from typing import Any

from fsspec.callbacks import DEFAULT_CALLBACK, Callback
from fsspec.implementations.local import LocalFileSystem, make_path_posix, trailing_sep
from fsspec.utils import other_paths

from openaifs import options, paths


def plan(
    fs: Any, source: Any, dest: Any, recursive: bool, maxdepth: int | None, *, direction: str
) -> list[tuple[str, str]]:
    """Source/destination pairs, as fsspec's own ``put``/``get``/``copy`` would form them.

    ``direction`` is ``"put"`` (local to remote), ``"get"`` (remote to local) or ``"copy"``
    (remote to remote). Only files are paired: folders need no transfer of their own.
    """
    if isinstance(source, list) and isinstance(dest, list):
        # Lists pair up as given (expand_path would sort the sources away from theirs).
        if len(source) != len(dest):
            raise ValueError("the lists of sources and destinations differ in length")
        local_source, local_dest = direction == "put", direction == "get"
        return [
            (_plain(fs, s, local_source), _plain(fs, d, local_dest))
            for s, d in zip(source, dest, strict=True)
        ]
    if direction == "put":
        sources, targets = _put_targets(fs, source, dest, recursive, maxdepth)
    else:
        sources, targets = _remote_targets(
            fs, source, dest, recursive, maxdepth, local=direction == "get"
        )
    if len(sources) != len(targets):
        raise ValueError("the lists of sources and destinations differ in length")
    pairs = list(zip(sources, targets, strict=True))
    _refuse_shared_names(pairs)
    return pairs


def _plain(fs: Any, path: str, local: bool) -> str:
    return make_path_posix(path) if local else fs._strip_protocol(path)


def _put_targets(
    fs: Any, source: Any, dest: Any, recursive: bool, maxdepth: int | None
) -> tuple[list[str], list[str]]:
    # fsspec's own put rules (trailing "/" on either side, existing destination folders).
    local = LocalFileSystem()
    source_is_str = isinstance(source, str)
    if source_is_str:
        source = make_path_posix(source)
    sources = local.expand_path(source, recursive=recursive, maxdepth=maxdepth)
    if source_is_str and (not recursive or maxdepth is not None):
        sources = [p for p in sources if not (trailing_sep(p) or local.isdir(p))]
    dest_is_dir = isinstance(dest, str) and (trailing_sep(dest) or fs.isdir(dest))
    dest = fs._strip_protocol(dest) if isinstance(dest, str) else dest
    if isinstance(dest, list):
        return sources, dest
    targets = _other_paths(sources, dest, source, dest_is_dir)
    # Folders need no upload: their files make them.
    pairs = [(s, t) for s, t in zip(sources, targets, strict=True) if not local.isdir(s)]
    return [s for s, _ in pairs], [t for _, t in pairs]


def _remote_targets(
    fs: Any, source: Any, dest: Any, recursive: bool, maxdepth: int | None, *, local: bool
) -> tuple[list[str], list[str]]:
    # fsspec's own get/copy rules; local destinations are then checked name by name.
    source_is_str = isinstance(source, str)
    try:
        sources = fs.expand_path(source, recursive=recursive, maxdepth=maxdepth)
    except FileNotFoundError:
        shown = ", ".join(f"openai://{fs._strip_protocol(s)}" for s in _as_list(source))
        raise FileNotFoundError(f"{shown}: no such file, and nothing matches") from None
    if source_is_str and (not recursive or maxdepth is not None):
        sources = [p for p in sources if not (trailing_sep(p) or fs.isdir(p))]
    if recursive and source_is_str:
        _warn_unpathable(fs, source)
    if isinstance(dest, list):
        return sources, dest
    if local:
        dest = make_path_posix(dest)
        dest_is_dir = trailing_sep(dest) or LocalFileSystem().isdir(dest)
    else:
        dest_is_dir = trailing_sep(dest) or fs.isdir(dest)
        dest = fs._strip_protocol(dest)
    if sources and all(paths.is_file_id(s) for s in sources) and dest_is_dir:
        # An id has no folder to keep: into a folder, the file takes its own name.
        targets = [posixpath.join(dest, _own_name(fs.info(s))) for s in sources]
    else:
        targets = _other_paths(sources, dest, source, dest_is_dir)
    # Folders need no copy (a name that is both keeps its file); a missing name stays, to
    # fail as fsspec's get does.
    pairs = [
        (s, t) for s, t in zip(sources, targets, strict=True) if fs.isfile(s) or not fs.isdir(s)
    ]
    if local:
        pairs = _contained(pairs, dest)
    return [s for s, _ in pairs], [t for _, t in pairs]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _own_name(info: dict[str, Any]) -> str:
    """The last segment of a file's name, or its id if the name cannot be a path."""
    filename = info.get("filename") or ""
    return filename.rsplit("/", 1)[-1] if paths.is_valid_filename(filename) else info["id"]


def _other_paths(sources: list[str], dest: str, source: Any, dest_is_dir: bool) -> list[str]:
    """Destinations of ``sources`` under ``dest``, as fsspec pairs them."""
    if not sources:
        return []
    source_is_str = isinstance(source, str)
    exists = source_is_str and (
        (paths.has_magic(source) and len(sources) == 1)
        or (not paths.has_magic(source) and dest_is_dir and not trailing_sep(source))
    )
    return other_paths(sources, dest, exists=exists, flatten=not source_is_str)


def _warn_unpathable(fs: Any, source: str) -> None:
    """Name each file a recursive get of a purpose (or the root) leaves out, and why."""
    resolved = fs._resolve(source)
    if resolved.is_file_id or resolved.is_named_file:
        return  # names inside a folder are paths by construction
    listing = fs.catalog.listing()
    for purpose in [resolved.purpose] if resolved.purpose else listing.purposes():
        for f in listing.folder(purpose, "")[0]:
            if not paths.is_valid_filename(f["filename"]):
                warnings.warn(
                    f"skipped openai://{f['id']} (filename {f['filename']!r} in {purpose}): "
                    "the name cannot be a path (an empty, '.' or '..' segment, or a leading "
                    "or trailing '/'); reach it by its id",
                    UnsafeNameWarning,
                    stacklevel=4,
                )


class UnsafeNameWarning(UserWarning):
    """A file a recursive ``get`` did not write: its name is not a safe local path."""


def _contained(pairs: list[tuple[str, str]], dest: str) -> list[tuple[str, str]]:
    """The pairs whose local path lies inside ``dest`` and is not also another's folder.

    Names come from the service and other clients may send any; the grammar already keeps
    ``..`` out, and this checks the local result itself (``\\`` is a separator on Windows).
    """
    root = os.path.abspath(dest)
    folders = {os.path.dirname(os.path.abspath(t)) for _, t in pairs}
    kept = []
    for remote, local in pairs:
        full = os.path.abspath(local)
        if os.path.commonpath([root, full]) != root:
            why = f"it would be written outside {dest!r}, at {full!r}"
        elif full in folders:
            why = "the name is also a folder here, and a local file system cannot hold both"
        else:
            kept.append((remote, local))
            continue
        warnings.warn(f"skipped openai://{remote}: {why}", UnsafeNameWarning, stacklevel=4)
    return kept


def _refuse_shared_names(pairs: list[tuple[str, str]]) -> None:
    # Two sources flattened onto one name (a list or a glob of files from several local
    # folders) would silently replace each other. Refuse before sending anything.
    seen: dict[str, str] = {}
    for local_path, remote in pairs:
        if remote in seen:
            raise ValueError(
                f"{seen[remote]!r} and {local_path!r} would both be written to 'openai://{remote}'"
            )
        seen[remote] = local_path


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


class ManyFiles:
    """The many-file methods of :class:`~openaifs.core.OpenAIFileSystem` (``put``, ``get``,
    ``copy``, ``mv``): each plans its pairs here and runs the one-file method on each."""

    max_concurrency: int
    upload_settings: Any

    def put(
        self,
        lpath: Any,
        rpath: Any,
        recursive: bool = False,
        callback: Callback = DEFAULT_CALLBACK,
        maxdepth: int | None = None,
        **kwargs: Any,
    ) -> None:
        """Upload local files (lists, globs, folders) to a purpose, several at once.

        Many small files are published together: each is sent (one ``POST /files``) and
        recorded at once, and one look at the files made meanwhile then applies every
        ``replace``, instead of a look per file after each (exclusive writes, and any
        write with ``wait=True``, are still settled each on its own).
        """
        pairs = plan(self, lpath, rpath, recursive, maxdepth, direction="put")
        callback.set_size(len(pairs))
        sizes = [os.path.getsize(lp) for lp, _ in pairs]
        workers = self._workers_for(sizes)
        together = (
            len(pairs) > 1
            and max(sizes, default=0) <= self.upload_settings.threshold
            and not kwargs.get("wait")
            and not self._intrans
        )
        if not together:
            run_each(lambda lp, rp: self.put_file(lp, rp, **kwargs), pairs, callback, workers)
            return
        options.refuse_filesystem_options(type(self), "put", kwargs)
        # What put_file takes (other keywords it ignores, as fsspec's own backends do).
        accepted = ("mode", "overwrite", "expires_after", "mime_type", "resume")
        per_file = {k: v for k, v in kwargs.items() if k in accepted}
        sent: list[tuple[Any, Any]] = []
        lock = threading.Lock()

        def send(lp: str, rp: str) -> None:
            made = self._send_file(lp, rp, **per_file)
            if made is None:
                return
            if made[0].overwrite == "error":  # an exclusive race is settled on its own
                self.publisher.publish(*made)
                return
            with lock:
                sent.append(made)

        try:
            run_each(send, pairs, callback, workers)
        finally:
            # Even after a failure: the files sent are made, and their policy applies.
            self.publisher.publish_many(sent)

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
        pairs = plan(self, rpath, lpath, recursive, maxdepth, direction="get")
        callback.set_size(len(pairs))
        for _, lp in pairs:
            parent = os.path.dirname(lp)
            if parent:
                os.makedirs(parent, exist_ok=True)
        run_each(
            lambda rp, lp: self.get_file(rp, lp, **kwargs),
            pairs,
            callback,
            self._workers_for([self.size(rp) for rp, _ in pairs]),
        )

    @property
    def _file_workers(self) -> int:
        return self.max_concurrency // 2 or 1

    def _workers_for(self, sizes: list[int]) -> int:
        """Files in flight at once: many small files are bound by latency, not bandwidth,
        so more of them go at once (each is one request); large ones bring their own parts
        or ranges in parallel, so fewer."""
        small = self.upload_settings.threshold
        if sizes and max(sizes) <= small:
            return 2 * self.max_concurrency
        return self._file_workers

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

        fsspec's rules: one file goes to a new name, or into a folder (a purpose, or a path
        ending in ``/``) under its own name; with ``recursive=True`` a folder's or a
        purpose's tree is copied below the destination; a glob or a list of paths goes
        into a folder. The service has no copy: each file's content
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
        pairs = plan(self, path1, path2, recursive, maxdepth, direction="copy")
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
