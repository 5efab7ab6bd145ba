"""``OpenAIFileSystem``: the OpenAI file store as an fsspec file system.

This module is the fsspec surface only: thin methods that resolve a path and hand the work
to the part that owns it. Names and listings: :mod:`openaifs.catalog` (over the caches of
:mod:`openaifs.cache`); writes: :mod:`openaifs.publish`; many files: :mod:`openaifs.transfer`;
file objects: :mod:`openaifs.file`; content: :mod:`openaifs.content`; HTTP:
:mod:`openaifs.client`; the path grammar: :mod:`openaifs.paths`.
"""

from __future__ import annotations

import datetime
import errno
import hashlib
import io
import os
from collections.abc import Callable
from typing import Any

from fsspec.callbacks import DEFAULT_CALLBACK, Callback
from fsspec.compression import compr
from fsspec.spec import AbstractFileSystem
from fsspec.utils import infer_compression

from openaifs import age, arguments, folders, paths, transfer
from openaifs.cache import FileObject, MetadataCache
from openaifs.catalog import Catalog, dir_entry, file_entry, url
from openaifs.client import APIClient
from openaifs.content import shared_content_cache
from openaifs.download import ContentReader, DownloadSettings
from openaifs.endpoint import resolve
from openaifs.file import LayeredWriteFile, OpenAIReadFile, OpenAIWriteFile
from openaifs.limits import KNOWN_PURPOSES, MiB
from openaifs.options import check_options
from openaifs.paths import ResolvedPath, parse_path
from openaifs.practices import PracticesMixin, check_expires_after
from openaifs.publish import Publisher, check_policy
from openaifs.resume import Journals
from openaifs.transaction import OpenAITransaction
from openaifs.upload import UploadSettings
from openaifs.writing import WriteMethods


class OpenAIFileSystem(WriteMethods, PracticesMixin, transfer.ManyFiles, AbstractFileSystem):
    """The OpenAI Files store as a file system.

    Paths: ``openai://`` (the purposes), ``openai://<purpose>`` (its files and folders),
    ``openai://<purpose>/<a>/<name>`` (the newest file named ``a/name``, or the folder of
    the names that start with ``a/name/``) and ``openai://file-…`` (one file by id).

    Parameters
    ----------
    api_key : str, optional
        Defaults to ``$OPENAI_API_KEY``. A key taken from the environment is not pickled.
    base_url : str, optional
        Defaults to ``$OPENAI_BASE_URL``, then ``https://api.openai.com/v1``.
    organization, project : str, optional
        Default to ``$OPENAI_ORG_ID`` and ``$OPENAI_PROJECT_ID``.
    azure_endpoint, api_version, azure_ad_token, azure_ad_token_provider : optional
        Azure OpenAI instead of ``base_url``, as the official SDK takes them (docs/azure.md).
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
    expires_after : int, timedelta or str, optional
        New files expire this long after creation unless a write says otherwise
        (``"7d"``, ``3600``, a :class:`~datetime.timedelta`; the service allows one hour
        to thirty days): a pipeline's scratch files clean themselves up.
    resume : bool
        Resume an interrupted upload of a local file (``put_file``/``put``) on the next
        identical call, sending only the parts the service does not have yet (default).
        Journals live under ``$XDG_CACHE_HOME/openaifs/uploads``; see
        :mod:`openaifs.resume`.
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
        azure_endpoint: str | None = None,
        api_version: str | None = None,
        azure_ad_token: str | None = None,
        azure_ad_token_provider: Callable[[], str] | None = None,
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
        resume: bool = True,
        expires_after: age.Duration | None = None,
        **kwargs: Any,
    ) -> None:
        check_options(type(self), kwargs)
        super().__init__(**kwargs)
        self.overwrite = check_policy(overwrite)
        self.endpoint = endpoint = resolve(
            api_key, base_url, azure_endpoint, api_version, azure_ad_token, azure_ad_token_provider
        )
        self.base_url = endpoint.base_url
        self.client = APIClient(
            endpoint.credential,
            self.base_url,
            query=endpoint.query,
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
            self.base_url, endpoint.identity, content_cache_dir, content_cache_size
        )
        self.metadata.on_removed.append(self.content_cache.discard)
        self.catalog = Catalog(
            self.client, self.metadata, has_key=endpoint.has_key, max_concurrency=max_concurrency
        )
        self.download_settings = DownloadSettings(max_attempts=self.client.max_retries + 3)
        self.reader = ContentReader(self.client, self.content_cache, self.download_settings)
        self.resume = resume
        self.publisher = Publisher(
            self.client,
            self.catalog,
            self.upload_settings,
            self.reader.iter,
            overwrite,
            journals=Journals(self.client, endpoint.identity),
            expires_after=check_expires_after(expires_after),
        )

    def __repr__(self) -> str:
        return f"OpenAIFileSystem(base_url={self.client.display_url!r}{self.endpoint.shown})"

    # -- paths ------------------------------------------------------------------------

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]
        arguments.check_path(path)
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
        if resolved.is_file_id:
            entries = [self.info(path, refresh=refresh)]
        else:
            entries = folders.ls_entries(self.catalog, resolved, refresh, versions)
        return entries if detail else [e["name"] for e in entries]

    def info(self, path: str, refresh: bool = False, **kwargs: Any) -> dict[str, Any]:
        """Details of a purpose, a folder, a file path or a file id.

        A name that is both a file and a folder (``a`` and ``a/b`` exist) is the file here;
        :meth:`isdir` still says it is a folder.
        """
        resolved = self._resolve(path)
        if resolved.is_root:
            return dir_entry("")
        if resolved.is_purpose:
            self.catalog.check_purpose(resolved.purpose)
            return dir_entry(resolved.purpose)
        if resolved.is_file_id:
            file, name = self._file(path, refresh)
            return file_entry(file, name)
        return folders.info_below(self.catalog, resolved, refresh)

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
        """Whether ``path`` is a directory: the root, an existing purpose, or a folder (some
        file's name starts with it)."""
        resolved = self._resolve(path)
        if resolved.is_root:
            return True
        if resolved.is_file_id or not self.exists(path):
            return False
        if resolved.is_purpose:
            return True
        return self.catalog.lookup(resolved).is_folder(resolved)

    def isfile(self, path: str) -> bool:
        """Whether ``path`` is an existing file (by name or id)."""
        resolved = self._resolve(path)
        return not (resolved.is_root or resolved.is_purpose) and (
            self.exists(path) and self.info(path)["type"] == "file"
        )

    def find(
        self,
        path: str,
        maxdepth: int | None = None,
        withdirs: bool = False,
        detail: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Every file (and with ``withdirs``, folder) below ``path``, from the one listing.

        Costs what lies below ``path`` and no request in a warm process. Files whose name
        cannot be a path are not below any path: ``ls`` of their purpose shows them.
        """
        if maxdepth is not None and maxdepth < 1:
            raise ValueError("maxdepth must be at least 1")
        resolved = self._resolve(path)
        refresh = bool(kwargs.get("refresh", False))
        if resolved.is_file_id:
            out = {resolved.file_id: self.info(path, refresh=refresh)}
        else:
            out = folders.find(self.catalog, resolved, maxdepth, refresh)
        names = sorted(n for n, e in out.items() if withdirs or e["type"] == "file")
        return {name: out[name] for name in names} if detail else names

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
        """Succeed, creating nothing: purposes always exist, and a folder exists while some
        file's name starts with it (as on S3). Its first file makes it appear."""
        resolved = self._resolve(path)
        if resolved.is_file_id:
            raise FileExistsError(f"{url(resolved.file_id)}: a file id cannot be a folder")
        if resolved.purpose is not None:
            self.catalog.check_purpose(resolved.purpose)

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        """As :meth:`mkdir`."""
        self.mkdir(path)

    def rmdir(self, path: str) -> None:
        """Nothing to remove: an empty folder does not exist, and purposes always do.
        A folder that holds files raises ``OSError`` (``rm(path, recursive=True)``)."""
        if self._resolve(path).is_named_file and self.isdir(path):
            shown = url(self._strip_protocol(path))
            raise OSError(errno.ENOTEMPTY, f"{shown}: folder not empty; use rm(recursive=True)")
        self.mkdir(path)

    # -- reading ------------------------------------------------------------------------

    def cat_file(
        self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any
    ) -> bytes:
        """The content of a file, or of bytes ``start``..``end`` of it."""
        arguments.check_range(start, end)

        def read(file: FileObject, name: str) -> bytes:
            size = file["bytes"]
            first = (
                0 if start is None else (max(0, size + start) if start < 0 else min(start, size))
            )
            last = size if end is None else (max(0, size + end) if end < 0 else min(end, size))
            if first >= last:
                return b""
            return b"".join(self.reader.iter(file, name, first, last))

        return self._by_name(path, read)

    def _by_name(self, path: str, action: Any) -> Any:
        """``action(file, name)`` on the file ``path`` means; if a name's file turns out to
        be gone (another thread or process replaced it since we cached it), the name is
        resolved afresh once."""
        file, name = self._file(path)
        try:
            return action(file, name)
        except FileNotFoundError:
            if self._resolve(path).is_file_id:
                raise
            self.metadata.removed([file["id"]])
            file, name = self._file(path)
            return action(file, name)

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
        try:
            self._file(rpath)
        except IsADirectoryError:  # the root, a purpose or a folder
            os.makedirs(lpath, exist_ok=True)
            return
        if outfile is None:
            arguments.check_local_target(lpath, rpath)
        self._by_name(
            rpath, lambda file, name: self._download(file, name, lpath, callback, outfile)
        )

    def _download(
        self, file: FileObject, name: str, lpath: str, callback: Callback, outfile: Any
    ) -> None:
        callback.set_size(file["bytes"])

        def copy_to(out: Any) -> None:
            for chunk in self.reader.iter(file, name):
                out.write(chunk)
                callback.relative_update(len(chunk))

        if outfile is not None:
            copy_to(outfile)
            return
        self.reader.to_file(file, name, lpath, on_progress=callback.relative_update)

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
        callback: Callback | None = None,
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
        callback : fsspec.callbacks.Callback, optional
            Writing: told of the bytes as they are sent (while writing when ``size`` is
            given, else at ``close``), for a progress bar.
        autocommit : bool, optional
            Writing: ``False`` defers publishing to the end of ``fs.transaction``.
        encoding, errors, newline : str, optional
            Text modes: as for the built-in :func:`open`.
        cache_type : str, optional
            Reading: one of fsspec's read caches.

        Raises
        ------
        ValueError
            For a mode openaifs does not support (appending, ``"+"``), a write-only option
            when reading, a text option in a binary mode, a negative ``size`` or an
            ``expires_after`` out of the service's range; before any request.
        TypeError
            For an unknown option (with the option meant, for a near miss).
        """
        write_options = {
            "size": size,
            "overwrite": overwrite,
            "expires_after": expires_after,
            "mime_type": mime_type,
            "callback": callback,
        }
        arguments.check_open_arguments(
            mode, block_size, cache_options, compression, write_options, kwargs
        )
        if "r" in mode:
            return super().open(path, mode, block_size, cache_options, compression, **kwargs)
        text = {k: kwargs.pop(k) for k in ("encoding", "errors", "newline") if k in kwargs}
        autocommit = kwargs.pop("autocommit", not self._intrans)
        policy = "error" if "x" in mode else overwrite
        target = self._target(path, policy, size, expires_after, mime_type)
        raw = self._writer(target, size, autocommit, callback)
        outer: Any = raw
        if compression == "infer":
            compression = infer_compression(path)
        if compression is not None:
            outer = compr[compression](outer, mode="wb")
        if "b" not in mode:
            outer = io.TextIOWrapper(outer, **text)
        return raw if outer is raw else LayeredWriteFile(outer, raw)

    def _target(self, path: str, policy: Any, size: Any, expires: Any, mime: Any) -> Any:
        """Check a write's options and where it goes, before any byte is sent."""
        arguments.check_write_options(expires, mime)
        return self.publisher.target(self._resolve(path), policy, expires, mime, size)

    def _writer(
        self,
        target: Any,
        size: int | None,
        autocommit: bool = True,
        callback: Callback | None = None,
    ) -> OpenAIWriteFile:
        """A binary writer; inside a transaction, it joins it."""
        autocommit = autocommit and not self._intrans
        writer = OpenAIWriteFile(
            self,
            target.path,
            target,
            self.publisher,
            size=size,
            autocommit=autocommit,
            callback=callback,
        )
        if self._intrans:
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
        older_than: age.Duration | None = None,
        dry_run: bool = False,
        **kwargs: Any,
    ) -> list[dict[str, Any]] | None:
        """Delete files: names (every file of each name), ids, lists and globs.

        Lists the project at most once, however many names are given (a warm process,
        not at all: each name costs one small look at files newer than the cache).

        Parameters
        ----------
        recursive : bool
            Needed to delete a folder (every file below it) or everything in a purpose. A
            name that is both a file and a folder loses only the file without it.
        confirm : bool
            Also needed to delete everything in a purpose: a purpose-wide delete is
            refused without it (unless ``older_than`` selects the files).
        older_than : timedelta, float or str, optional
            Only files created longer ago than this: seconds, a
            :class:`~datetime.timedelta`, or ``"30d"``, ``"12h"``, ``"90s"`` (see
            :mod:`openaifs.age`).
        dry_run : bool
            Delete nothing; return the details of the files that would go.

        Returns
        -------
        list of dict or None
            With ``dry_run``, the files that would be deleted; else ``None``.
        """
        targets = path if isinstance(path, list) else [path]
        shown = ", ".join(url(self._strip_protocol(t)) for t in targets)
        selecting = older_than is not None or dry_run
        limit = None if older_than is None else age.parse_duration(older_than)
        files: list[FileObject] = []
        named = []
        for target in targets:
            resolved = self._resolve(target)
            if resolved.is_file_id and not selecting:
                # One exact file: deleting one that is not there is an error.
                self.catalog.delete_id(resolved.file_id, url(resolved.file_id))
            elif resolved.is_file_id:
                files.append(self.catalog.file_by_id(resolved.file_id, url(resolved.file_id)))
            elif resolved.is_named_file and not paths.has_magic(resolved.filename):
                named.append(resolved)
            else:
                files.extend(self._to_delete(target, recursive, confirm or limit is not None))
        if named:
            # Every name from one look at what is newer than the cache (or one listing).
            listing = self.catalog.look_newer(url(named[0].unresolve()))
            for resolved in named:
                self.catalog.check_purpose(resolved.purpose, listing)
                files.extend(folders.to_delete(listing, resolved, recursive))
        if limit is not None:
            files = age.older_than(files, limit, age.newest_seen(self))
        if dry_run:
            unique = {f["id"]: f for f in files}
            return [file_entry(f, f["id"]) for f in unique.values()]
        self.catalog.delete_files(files, shown)
        return None

    def _to_delete(self, target: str, recursive: bool, confirm: bool) -> list[FileObject]:
        """The files a purpose (or the root), or a glob, deletes."""
        return folders.to_delete_many(
            self.catalog, self._resolve(target), recursive, confirm, self.glob
        )
