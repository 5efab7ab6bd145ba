"""``OpenAIFileSystem``: the OpenAI file store as an fsspec file system.

This module is the fsspec surface only: thin methods that resolve a path and hand the work
to the part that owns it. Names and listings: :mod:`openaifs.catalog` (over the caches of
:mod:`openaifs.cache`); writes: :mod:`openaifs.publish`; many files: :mod:`openaifs.transfer`;
file objects: :mod:`openaifs.file`; content: :mod:`openaifs.content`; HTTP:
:mod:`openaifs.client`; the path grammar: :mod:`openaifs.paths`.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import os
import uuid
from typing import Any

from fsspec.callbacks import DEFAULT_CALLBACK, Callback
from fsspec.compression import compr
from fsspec.spec import AbstractFileSystem
from fsspec.utils import infer_compression

from openaifs import paths, transfer
from openaifs.cache import FileObject, MetadataCache
from openaifs.catalog import Catalog, dir_entry, file_entry, url
from openaifs.client import DEFAULT_BASE_URL, APIClient
from openaifs.content import ContentReader, shared_content_cache
from openaifs.file import LayeredWriteFile, OpenAIReadFile, OpenAIWriteFile
from openaifs.limits import KNOWN_PURPOSES, MiB
from openaifs.options import check_options
from openaifs.paths import ResolvedPath, parse_path
from openaifs.publish import Publisher, check_policy
from openaifs.transaction import OpenAITransaction
from openaifs.upload import UploadSettings


class OpenAIFileSystem(AbstractFileSystem):
    """The OpenAI Files store as a file system.

    Paths: ``openai://`` (the purposes), ``openai://<purpose>`` (a flat directory),
    ``openai://<purpose>/<filename>`` (the newest file of that name) and
    ``openai://file-…`` (one file by id).

    Parameters
    ----------
    api_key : str, optional
        Defaults to ``$OPENAI_API_KEY``. A key taken from the environment is not pickled.
    base_url : str, optional
        Defaults to ``$OPENAI_BASE_URL``, then ``https://api.openai.com/v1``.
    organization, project : str, optional
        Default to ``$OPENAI_ORG_ID`` and ``$OPENAI_PROJECT_ID``.
    connect_timeout, read_timeout : float
        Seconds to wait for a connection, and between bytes of an answer.
    max_retries : int
        Further attempts after a connection error, timeout, 408, 409, 429 or 5xx.
    backoff_initial, backoff_max : float
        Seconds before the first retry, doubling (with jitter) up to ``backoff_max``,
        unless the service asks for a delay with ``retry-after-ms``/``retry-after``.
    use_listings_cache : bool
        Cache the listing of files (one ``GET /files`` for every purpose).
    listings_expiry_time : float, optional
        Seconds a cached listing stays valid (default 60; ``None``: until invalidated).
    max_cached_files : int
        File objects kept by id (they are immutable).
    part_size : int
        Bytes per Uploads API part, at most 64 MiB (default 32 MiB).
    upload_threshold : int, optional
        Content up to this size goes in one ``POST /files`` (default: ``part_size``).
    max_concurrency : int
        Parts, or files, in flight at once.
    checksum : bool
        Send the md5 of the whole content when completing an Upload, for the service to
        check (default). About 2 s of CPU per GiB on each side.
    overwrite : {"replace", "keep", "error"}
        What writing to an existing name does by default (see :meth:`open`).
    content_cache_dir : str, optional
        Where local copies of content live for random access (default: a private
        temporary directory removed at exit).
    content_cache_size : int
        The most bytes of local copies kept (least recently used go first).
    """

    protocol = "openai"
    root_marker = ""
    transaction_type = OpenAITransaction

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 120.0,
        max_retries: int = 2,
        backoff_initial: float = 0.5,
        backoff_max: float = 8.0,
        use_listings_cache: bool = True,
        listings_expiry_time: float | None = 60.0,
        max_cached_files: int = 100_000,
        part_size: int = 32 * MiB,
        upload_threshold: int | None = None,
        max_concurrency: int = 8,
        checksum: bool = True,
        overwrite: str = "replace",
        content_cache_dir: str | None = None,
        content_cache_size: int = 10 * 2**30,
        **kwargs: Any,
    ) -> None:
        check_options(type(self), kwargs)
        super().__init__(**kwargs)
        self.overwrite = check_policy(overwrite)
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self.client = APIClient(
            key or "",
            self.base_url,
            organization=organization or os.environ.get("OPENAI_ORG_ID"),
            project=project or os.environ.get("OPENAI_PROJECT_ID"),
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_retries=max_retries,
            backoff_initial=backoff_initial,
            backoff_max=backoff_max,
            pool_size=max(16, 2 * max_concurrency),
        )
        self.upload_settings = UploadSettings(
            part_size=part_size,
            threshold=part_size if upload_threshold is None else upload_threshold,
            concurrency=max_concurrency,
            checksum=checksum,
        )
        self.max_concurrency = max_concurrency
        self.metadata = MetadataCache(use_listings_cache, listings_expiry_time, max_cached_files)
        self.content_cache = shared_content_cache(
            self.base_url, key or "", content_cache_dir, content_cache_size
        )
        self.metadata.on_removed.append(self.content_cache.discard)
        self.catalog = Catalog(
            self.client, self.metadata, has_key=bool(key), max_concurrency=max_concurrency
        )
        self.reader = ContentReader(self.client, self.content_cache)
        self.publisher = Publisher(
            self.client, self.catalog, self.upload_settings, self.reader.iter, overwrite
        )

    def __repr__(self) -> str:
        return f"OpenAIFileSystem(base_url={self.client.display_url!r})"

    # -- paths ------------------------------------------------------------------------

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]
        return paths.strip_protocol(os.fspath(path) if hasattr(path, "__fspath__") else path)

    @classmethod
    def _parent(cls, path: str) -> str:
        path = cls._strip_protocol(path)
        return path.rpartition("/")[0] if "/" in path else ""

    def _resolve(self, path: str) -> ResolvedPath:
        return parse_path(self._strip_protocol(path))

    def _file(self, path: str, refresh: bool = False) -> tuple[FileObject, str]:
        """The File object ``path`` means, and the name it goes by."""
        resolved = self._resolve(path)
        file = self.catalog.resolve_file(resolved, refresh)
        return file, resolved.unresolve()

    # -- listings and metadata -----------------------------------------------------------

    def ls(
        self,
        path: str,
        detail: bool = True,
        refresh: bool = False,
        versions: bool = False,
        **kwargs: Any,
    ) -> list[Any]:
        """List the purposes, the files of a purpose, or one file.

        Parameters
        ----------
        path : str
            ``openai://``, ``openai://<purpose>``, a file path or a file id.
        detail : bool
            Return detail dicts rather than names.
        refresh : bool
            Fetch the listing afresh instead of using the cache.
        versions : bool
            List every file, including older files that share a name with a newer one;
            each entry is then named by its id path (``file-…``), newest first.
        """
        resolved = self._resolve(path)
        if resolved.is_root:
            listing = self.catalog.listing(refresh, path=url(""))
            names = list(KNOWN_PURPOSES) + sorted(set(listing.purposes()) - set(KNOWN_PURPOSES))
            entries = [dir_entry(name) for name in names]
        elif resolved.is_purpose:
            listing = self.catalog.listing(refresh, path=url(resolved.purpose))
            self.catalog.check_purpose(resolved.purpose, listing)
            if versions:
                files = listing.all_versions(resolved.purpose)
                entries = [file_entry(f, f["id"]) for f in files]
            else:
                files = listing.latest(resolved.purpose)
                entries = sorted((file_entry(f) for f in files), key=lambda e: e["name"])
        elif resolved.is_file_id:
            entries = [self.info(path, refresh=refresh)]
        else:
            self.catalog.check_purpose(resolved.purpose)
            files = self.catalog.versions(resolved, refresh)
            if not files:
                raise FileNotFoundError(f"{url(resolved.unresolve())}: no such file")
            entries = (
                [file_entry(f, f["id"]) for f in files] if versions else [file_entry(files[0])]
            )
        return entries if detail else [e["name"] for e in entries]

    def info(self, path: str, refresh: bool = False, **kwargs: Any) -> dict[str, Any]:
        """Details of a purpose, a file path or a file id."""
        resolved = self._resolve(path)
        if resolved.is_root:
            return dir_entry("")
        if resolved.is_purpose:
            self.catalog.check_purpose(resolved.purpose)
            return dir_entry(resolved.purpose)
        file, name = self._file(path, refresh)
        return file_entry(file, name)

    def exists(self, path: str, **kwargs: Any) -> bool:
        """Whether ``path`` exists. Only a truly absent file answers ``False``: an
        authentication failure or a network error raises."""
        try:
            self.info(path)
        except FileNotFoundError:
            return False
        except ValueError:
            resolved = self._resolve(path)  # a malformed path raises here
            if resolved.purpose is not None and resolved.purpose not in KNOWN_PURPOSES:
                return False
            raise
        return True

    def isdir(self, path: str) -> bool:
        """Whether ``path`` is a directory (the root or an existing purpose)."""
        resolved = self._resolve(path)
        if resolved.is_root:
            return True
        return resolved.is_purpose and self.exists(path)

    def isfile(self, path: str) -> bool:
        """Whether ``path`` is an existing file (by name or id)."""
        resolved = self._resolve(path)
        return (resolved.is_file_id or resolved.is_named_file) and self.exists(path)

    def size(self, path: str) -> int:
        """The size of a file in bytes."""
        return self.info(path)["size"]

    def created(self, path: str) -> datetime.datetime:
        """When the file was created (UTC)."""
        created_at = self.info(path).get("created_at")
        if created_at is None:
            raise IsADirectoryError(f"{url(self._strip_protocol(path))}: is a directory")
        return datetime.datetime.fromtimestamp(created_at, tz=datetime.timezone.utc)

    def modified(self, path: str) -> datetime.datetime:
        """The same as :meth:`created`: a file's content never changes."""
        return self.created(path)

    def ukey(self, path: str) -> str:
        """The file id: content never changes, so the id identifies it exactly."""
        return self._file(path)[0]["id"]

    def checksum(self, path: str) -> int:
        """A number that changes whenever the file a path means changes (from its id)."""
        return int(hashlib.sha256(self.ukey(path).encode()).hexdigest()[:16], 16)

    def clear_content_cache(self) -> None:
        """Remove every local copy of content kept for random access."""
        self.content_cache.clear()

    def invalidate_cache(self, path: str | None = None) -> None:
        """Forget cached listings (and, with no path, cached File objects too)."""
        if path is None:
            self.metadata.clear()
        else:
            self.metadata.clear_listing()
        super().invalidate_cache(path)

    def mkdir(self, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        """Purposes always exist; nothing else can be a directory."""
        resolved = self._resolve(path)
        if resolved.is_root or resolved.is_purpose:
            if resolved.is_purpose:
                self.catalog.check_purpose(resolved.purpose)
            return
        raise ValueError(
            f"{url(resolved.unresolve())}: a purpose is a flat directory; "
            "only purposes are directories"
        )

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        """As :meth:`mkdir`."""
        self.mkdir(path)

    def rmdir(self, path: str) -> None:
        """Purposes cannot be removed; this does nothing for them."""
        self.mkdir(path)

    # -- reading ------------------------------------------------------------------------

    def cat_file(
        self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any
    ) -> bytes:
        """The content of a file, or of bytes ``start``..``end`` of it."""
        file, name = self._file(path)
        size = file["bytes"]
        start = 0 if start is None else (max(0, size + start) if start < 0 else min(start, size))
        end = size if end is None else (max(0, size + end) if end < 0 else min(end, size))
        if start >= end:
            return b""
        return b"".join(self.reader.iter(file, name, start, end))

    def get_file(
        self,
        rpath: str,
        lpath: str,
        callback: Callback = DEFAULT_CALLBACK,
        outfile: Any = None,
        **kwargs: Any,
    ) -> None:
        """Stream a file's content to ``lpath``.

        The content goes to a temporary name beside ``lpath`` and is renamed into place
        only when complete: a failed download leaves no partial file, and an earlier file
        at ``lpath`` stays as it was.
        """
        resolved = self._resolve(rpath)
        if resolved.is_root or resolved.is_purpose:
            os.makedirs(lpath, exist_ok=True)
            return
        file, name = self._file(rpath)
        callback.set_size(file["bytes"])

        def copy_to(out: Any) -> None:
            for chunk in self.reader.iter(file, name):
                out.write(chunk)
                callback.relative_update(len(chunk))

        if outfile is not None:
            copy_to(outfile)
            return
        partial = f"{lpath}.openaifs-{uuid.uuid4().hex[:8]}.partial"
        try:
            with open(partial, "xb") as out:
                copy_to(out)
            os.replace(partial, lpath)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
            raise

    def open(
        self,
        path: str,
        mode: str = "rb",
        block_size: int | None = None,
        cache_options: dict | None = None,
        compression: str | None = None,
        *,
        size: int | None = None,
        overwrite: str | None = None,
        expires_after: int | None = None,
        mime_type: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Open a file for reading or writing.

        In every write mode — binary, text, compressed — the file is published only by a
        clean close: an exception inside ``with``, or one propagating while ``close()`` is
        called (``fsspec.open``, pandas), discards the write and keeps the previous version.

        Parameters
        ----------
        path : str
            A file path (``openai://<purpose>/<filename>``) or, for reading, a file id.
        mode : {"rb", "r", "wb", "w", "xb", "x"}
            ``"x"`` modes raise :class:`FileExistsError` if the name exists.
        block_size : int, optional
            Reading: bytes fetched per request to the cache (positive). Writing: ignored
            (parts are ``part_size``).
        cache_options : dict, optional
            Reading: options of fsspec's read cache.
        compression : str, optional
            A compression fsspec knows (``"gzip"``, ``"infer"``, …).
        size : int, optional
            Writing: the total size, if known. Parts then go up while you write instead
            of being spooled to a temporary file first.
        overwrite : {"replace", "keep", "error"}, optional
            Writing to an existing name (default: the filesystem's ``overwrite``).
        expires_after : int, optional
            Writing: seconds after creation at which the new file expires.
        mime_type : str, optional
            Writing: the MIME type sent (default: guessed from the filename).
        autocommit : bool, optional
            Writing: ``False`` defers publishing to the end of ``fs.transaction``.
        """
        check_open_arguments(mode, block_size, cache_options, size, kwargs)
        if "r" in mode:
            return super().open(path, mode, block_size, cache_options, compression, **kwargs)
        text = {k: kwargs.pop(k) for k in ("encoding", "errors", "newline") if k in kwargs}
        autocommit = kwargs.pop("autocommit", not self._intrans)
        exclusive = "x" in mode
        target = self.publisher.target(
            self._resolve(path),
            "error" if exclusive else overwrite,
            expires_after,
            mime_type,
            size,
        )
        raw = self._writer(target, size, autocommit)
        outer: Any = raw
        if compression == "infer":
            compression = infer_compression(path)
        if compression is not None:
            outer = compr[compression](outer, mode="wb")
        if "b" not in mode:
            outer = io.TextIOWrapper(outer, **text)
        return raw if outer is raw else LayeredWriteFile(outer, raw)

    def _writer(self, target: Any, size: int | None, autocommit: bool = True) -> OpenAIWriteFile:
        """A binary writer; inside a transaction, it joins it."""
        autocommit = autocommit and not self._intrans
        writer = OpenAIWriteFile(
            self, target.path, target, self.publisher, size=size, autocommit=autocommit
        )
        if not autocommit:
            self.transaction.files.append(writer)
        return writer

    def _open(
        self,
        path: str,
        mode: str = "rb",
        block_size: int | None = None,
        autocommit: bool = True,
        cache_options: dict | None = None,
        **kwargs: Any,
    ) -> Any:
        """Open a file for reading (writing goes through :meth:`open`)."""
        if mode != "rb":
            return self.open(path, mode, block_size, cache_options, autocommit=autocommit, **kwargs)
        file, name = self._file(path)
        return OpenAIReadFile(
            self,
            name,
            file_entry(file, name),
            self.reader,
            block_size=block_size or 4 * MiB,
            cache_options=cache_options,
            **kwargs,
        )

    # -- writing ------------------------------------------------------------------------

    def pipe_file(
        self,
        path: str,
        value: bytes,
        mode: str = "overwrite",
        *,
        overwrite: str | None = None,
        expires_after: int | None = None,
        mime_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Write ``value`` to ``path`` (``mode="create"`` raises if the name exists)."""
        size = len(value)
        target = self.publisher.target(
            self._resolve(path),
            "error" if mode == "create" else overwrite,
            expires_after,
            mime_type,
            size,
        )
        if size <= self.upload_settings.threshold and not self._intrans:
            self.publisher.publish(target, self.publisher.send_bytes(target, value))
            return
        view = memoryview(value)
        step = self.upload_settings.part_size
        with self._writer(target, size) as f:
            # A part at a time: one write of everything would be copied whole into the
            # writer's buffer before the first part went out.
            for start in range(0, size, step):
                f.write(view[start : start + step])

    def put_file(
        self,
        lpath: str,
        rpath: str,
        callback: Callback = DEFAULT_CALLBACK,
        mode: str = "overwrite",
        *,
        overwrite: str | None = None,
        expires_after: int | None = None,
        mime_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Upload a local file; parts of a large one go up in parallel, straight from disk."""
        if os.path.isdir(lpath):
            return
        size = os.path.getsize(lpath)
        target = self.publisher.target(
            self._resolve(rpath),
            "error" if mode == "create" else overwrite,
            expires_after,
            mime_type,
            size,
        )
        callback.set_size(size)
        if self._intrans:
            with open(lpath, "rb") as source, self._writer(target, size) as out:
                while chunk := source.read(self.upload_settings.part_size):
                    out.write(chunk)
                    callback.relative_update(len(chunk))
            return
        file = self.publisher.send_local(target, lpath, size, on_progress=callback.relative_update)
        self.publisher.publish(target, file)

    def cp_file(self, path1: str, path2: str, **kwargs: Any) -> None:
        """Copy a file. The service has no copy: the content streams down and back up,
        through the Uploads API in parallel parts when large, with bounded memory."""
        file, name = self._file(path1)
        size = file["bytes"]
        target = self.publisher.target(
            self._resolve(path2),
            kwargs.get("overwrite"),
            kwargs.get("expires_after"),
            kwargs.get("mime_type"),
            size,
        )
        with self._writer(target, size) as out:
            for chunk in self.reader.iter(file, name):
                out.write(chunk)

    # -- deleting -----------------------------------------------------------------------

    def rm_file(self, path: str) -> None:
        """Delete one file: every file of a name, or one file by id."""
        self.rm(path)

    def rm(
        self,
        path: Any,
        recursive: bool = False,
        maxdepth: int | None = None,
        *,
        confirm: bool = False,
        **kwargs: Any,
    ) -> None:
        """Delete files: names (every file of each name), ids, lists and globs.

        Lists the project at most once, however many names are given (a warm process,
        not at all: each name costs one small look at files newer than the cache).

        Parameters
        ----------
        recursive : bool
            Needed to delete everything in a purpose.
        confirm : bool
            Also needed to delete everything in a purpose: a purpose-wide delete is
            refused without it.
        """
        targets = path if isinstance(path, list) else [path]
        files: list[FileObject] = []
        named = []
        for target in targets:
            resolved = self._resolve(target)
            if resolved.is_file_id:
                # One exact file: deleting one that is not there is an error.
                self.catalog.delete_id(resolved.file_id, url(resolved.file_id))
            elif resolved.is_named_file and not paths.has_magic(resolved.filename):
                named.append(resolved)
            else:
                files.extend(self._to_delete(target, recursive, confirm))
        if named:
            # Every name from one look at what is newer than the cache (or one listing).
            listing = self.catalog.look_newer(url(named[0].unresolve()))
            for resolved in named:
                self.catalog.check_purpose(resolved.purpose, listing)
                versions = listing.versions(resolved.purpose, resolved.filename)
                if not versions:
                    raise FileNotFoundError(f"{url(resolved.unresolve())}: no such file")
                files.extend(versions)
        self.catalog.delete_files(files, ", ".join(url(self._strip_protocol(t)) for t in targets))

    def _to_delete(self, target: str, recursive: bool, confirm: bool) -> list[FileObject]:
        """The files a purpose (or the root) or a glob deletes."""
        resolved = self._resolve(target)
        shown = url(resolved.unresolve())
        if resolved.is_root or resolved.is_purpose:
            if not recursive:
                raise IsADirectoryError(f"{shown}: is a directory; use recursive=True")
            if not confirm:
                raise PermissionError(
                    f"{shown}: deleting every file of a purpose needs confirm=True "
                    "as well as recursive=True"
                )
            listing = self.catalog.listing(refresh=True)
            purposes = [resolved.purpose] if resolved.is_purpose else listing.purposes()
            return [f for purpose in purposes for f in listing.all_versions(purpose)]
        matched = self.glob(target)
        if not matched:
            raise FileNotFoundError(f"{shown}: nothing matches")
        return [f for name in matched for f in self.catalog.versions(self._resolve(name))]

    # -- many files at once --------------------------------------------------------------

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
        pairs = transfer.plan(self, lpath, rpath, recursive, maxdepth, put=True)
        callback.set_size(len(pairs))
        transfer.run_each(
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
        pairs = transfer.plan(self, rpath, lpath, recursive, maxdepth, put=False)
        callback.set_size(len(pairs))
        for _, lp in pairs:
            parent = os.path.dirname(lp)
            if parent:
                os.makedirs(parent, exist_ok=True)
        transfer.run_each(
            lambda rp, lp: self.get_file(rp, lp, **kwargs), pairs, callback, self._file_workers
        )

    @property
    def _file_workers(self) -> int:
        return self.max_concurrency // 2 or 1


def check_open_arguments(
    mode: str,
    block_size: Any,
    cache_options: Any,
    size: Any,
    kwargs: dict[str, Any],
) -> None:
    """Refuse a misused argument of :meth:`OpenAIFileSystem.open` before any request."""
    allowed = {"r", "rb", "rt", "w", "wb", "wt", "x", "xb", "xt"}
    if mode not in allowed:
        hint = " (appending is impossible: a file's content never changes)" if "a" in mode else ""
        raise ValueError(
            f"mode {mode!r} is not supported{hint}: use one of 'rb', 'r', 'wb', 'w', 'xb', 'x'"
        )
    if block_size is not None and (
        isinstance(block_size, bool) or not isinstance(block_size, int) or block_size <= 0
    ):
        raise ValueError(f"block_size must be a positive number of bytes, not {block_size!r}")
    if cache_options is not None and not isinstance(cache_options, dict):
        raise TypeError(f"cache_options must be a dict, not {type(cache_options).__name__}")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise ValueError(f"size must be a number of bytes >= 0, not {size!r}")
    cache_type = kwargs.get("cache_type")
    if cache_type is not None:
        from fsspec.caching import caches

        if cache_type not in caches:
            known = ", ".join(sorted(str(c) for c in caches))
            raise ValueError(f"cache_type {cache_type!r} is not one of fsspec's: {known}")
