"""``OpenAIFileSystem``: the OpenAI file store as an fsspec file system.

This module holds the fsspec semantics only: names, listings, the metadata cache, the
overwrite policy. HTTP lives in :mod:`openaifs.client`, the path grammar in
:mod:`openaifs.paths`, file objects in :mod:`openaifs.file`.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime
import hashlib
import io
import logging
import mimetypes
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from fsspec.callbacks import DEFAULT_CALLBACK, Callback
from fsspec.compression import compr
from fsspec.spec import AbstractFileSystem
from fsspec.utils import infer_compression

from openaifs import paths
from openaifs.cache import FileObject, Listing, MetadataCache, expired, newest_first
from openaifs.client import DEFAULT_BASE_URL, APIClient
from openaifs.content import ContentCache, iter_content
from openaifs.file import LayeredWriteFile, OpenAIReadFile, OpenAIWriteFile
from openaifs.paths import (
    KNOWN_PURPOSES,
    OUTPUT_PURPOSES,
    WRITABLE_PURPOSES,
    ResolvedPath,
    is_valid_filename,
    parse_path,
)
from openaifs.upload import (
    MultipartUpload,
    UploadSettings,
    check_size,
    md5_of_file,
    upload_bytes,
    upload_local_file,
)

logger = logging.getLogger("openaifs")

MiB = 2**20
OVERWRITE_POLICIES = ("replace", "keep", "error")
NO_TRANSACTIONS = (
    "transactions are not supported: the service cannot hold a file back, so openaifs "
    "publishes each file when it is closed"
)
#: The fields of a File object that detail dicts carry.
FILE_FIELDS = ("id", "purpose", "filename", "created_at", "status", "expires_at")


def mime_type_for(filename: str) -> str:
    """The MIME type sent for ``filename``: ``text/jsonl`` for JSON Lines (as the service's
    own examples send for fine-tune files), else a guess from the extension."""
    lowered = filename.lower()
    if lowered.endswith(".jsonl"):
        return "text/jsonl"
    guessed, _ = mimetypes.guess_type(lowered)
    return guessed or "application/octet-stream"


@dataclass
class WriteTarget:
    """Everything a write needs to know about where it goes, fixed when the file is opened."""

    path: str
    purpose: str
    filename: str
    overwrite: str
    mime_type: str
    expires_after: int | None
    #: Ids of the files that held this name before the write started.
    earlier_ids: set[str] = field(default_factory=set)


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
        super().__init__(**kwargs)
        if overwrite not in OVERWRITE_POLICIES:
            raise ValueError(f"overwrite must be one of {OVERWRITE_POLICIES}, not {overwrite!r}")
        self.overwrite = overwrite
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
        self._has_key = bool(key)
        self.upload_settings = UploadSettings(
            part_size=part_size,
            threshold=part_size if upload_threshold is None else upload_threshold,
            concurrency=max_concurrency,
            checksum=checksum,
        )
        self.max_concurrency = max_concurrency
        self.metadata = MetadataCache(use_listings_cache, listings_expiry_time, max_cached_files)
        self.content_cache = ContentCache(content_cache_dir, content_cache_size)

    def __repr__(self) -> str:
        return f"OpenAIFileSystem(base_url={self.base_url!r})"

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

    # -- listings and metadata -----------------------------------------------------------

    def _require_key(self) -> None:
        if not self._has_key:
            raise PermissionError(
                "no API key: pass api_key= (or storage_options={'api_key': ...}) or set "
                "OPENAI_API_KEY"
            )

    def _listing(self, refresh: bool = False, path: str | None = None) -> Listing:
        if not refresh:
            cached = self.metadata.listing()
            if cached is not None:
                return cached
        self._require_key()
        return self.metadata.store_listing(self.client.list_files(order="desc", path=path))

    def _check_purpose(self, purpose: str, listing: Listing | None = None) -> None:
        """Refuse a purpose that is neither known nor present in the data."""
        if purpose in KNOWN_PURPOSES:
            return
        if listing is None:
            listing = self._listing()
        if purpose not in listing.by_purpose:
            raise ValueError(
                f"{purpose!r} is not a purpose; expected one of {', '.join(KNOWN_PURPOSES)}"
            )

    @staticmethod
    def _entry(file: FileObject, name: str | None = None) -> dict[str, Any]:
        if name is None:
            filename = file["filename"]
            name = f"{file['purpose']}/{filename}" if is_valid_filename(filename) else file["id"]
        entry = {"name": name, "type": "file", "size": file["bytes"]}
        for key in FILE_FIELDS:
            entry[key] = file.get(key)
        return entry

    @staticmethod
    def _dir_entry(name: str) -> dict[str, Any]:
        return {"name": name, "type": "directory", "size": 0}

    def _file_by_id(self, file_id: str, path: str, refresh: bool = False) -> FileObject:
        cached = None if refresh else self.metadata.file(file_id)
        if cached is not None:
            return cached
        self._require_key()
        try:
            file = self.client.retrieve_file(file_id, path=path)
        except FileNotFoundError:
            self.metadata.removed([file_id])
            raise
        self.metadata.store_file(file)
        return file

    def _versions(self, resolved: ResolvedPath, refresh: bool = False) -> list[FileObject]:
        """Every live file of a name, newest first.

        A name the *cached* listing lacks is looked up afresh before it is called absent:
        another process (or the service, for outputs) may have written it since, and
        ``exists()`` must answer ``False`` only for a file that is truly absent.
        """
        shown = f"openai://{resolved.unresolve()}"
        cached = None if refresh else self.metadata.listing()
        if cached is not None:
            found = cached.versions(resolved.purpose, resolved.filename)
            if found:
                return found
            if cached.seen:
                return self._versions_made_since(resolved, cached, shown)
        listing = self._listing(refresh=True, path=shown)
        return listing.versions(resolved.purpose, resolved.filename)

    def _versions_made_since(
        self, resolved: ResolvedPath, cached: Listing, shown: str
    ) -> list[FileObject]:
        """The versions of a name among the files made since ``cached`` was listed.

        Listed newest first, files made after the cached listing come before every file it
        holds: paging stops at the first file already known (or older than the newest one
        known), usually after one small request where listing every purpose again could
        take many. This trusts the service's order for files created in the same second,
        as the newest-of-a-name rule does. What it finds joins the cached listing.
        """
        since = cached.seen_until
        newer = []
        for f in self.client.list_files(order="desc", page_size=32, path=shown):
            # Stop at a file the service listed before; files we wrote ourselves since are
            # no such mark: others may have written between our listing and our write.
            if f["id"] in cached.seen or f["created_at"] < since:
                break
            newer.append(f)
        self.metadata.found_newer(newer)
        return [
            f
            for f in newest_first(newer)
            if (f["purpose"], f["filename"]) == (resolved.purpose, resolved.filename)
            and not expired(f)
        ]

    def _resolve_file(self, path: str, refresh: bool = False) -> tuple[FileObject, str]:
        """The File object ``path`` means, and the name it goes by."""
        resolved = self._resolve(path)
        shown = "openai://" + resolved.unresolve()
        if resolved.is_file_id:
            return self._file_by_id(resolved.file_id, shown, refresh), resolved.file_id
        if not resolved.is_named_file:
            raise IsADirectoryError(f"{shown}: is a directory")
        self._check_purpose(resolved.purpose)
        versions = self._versions(resolved, refresh)
        if not versions:
            raise FileNotFoundError(f"{shown}: no such file")
        return versions[0], resolved.unresolve()

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
            listing = self._listing(refresh, path="openai://")
            names = list(KNOWN_PURPOSES) + sorted(set(listing.purposes()) - set(KNOWN_PURPOSES))
            entries = [self._dir_entry(name) for name in names]
        elif resolved.is_purpose:
            listing = self._listing(refresh, path=f"openai://{resolved.purpose}")
            self._check_purpose(resolved.purpose, listing)
            if versions:
                files = listing.all_versions(resolved.purpose)
                entries = [self._entry(f, f["id"]) for f in files]
            else:
                files = listing.latest(resolved.purpose)
                entries = sorted((self._entry(f) for f in files), key=lambda e: e["name"])
        elif resolved.is_file_id:
            entries = [self.info(path, refresh=refresh)]
        else:
            self._check_purpose(resolved.purpose)
            files = self._versions(resolved, refresh)
            if not files:
                raise FileNotFoundError(f"openai://{resolved.unresolve()}: no such file")
            entries = (
                [self._entry(f, f["id"]) for f in files] if versions else [self._entry(files[0])]
            )
        return entries if detail else [e["name"] for e in entries]

    def info(self, path: str, refresh: bool = False, **kwargs: Any) -> dict[str, Any]:
        """Details of a purpose, a file path or a file id."""
        resolved = self._resolve(path)
        if resolved.is_root:
            return self._dir_entry("")
        if resolved.is_purpose:
            self._check_purpose(resolved.purpose)
            return self._dir_entry(resolved.purpose)
        file, name = self._resolve_file(path, refresh)
        return self._entry(file, name)

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
        resolved = self._resolve(path)
        if resolved.is_root:
            return True
        return resolved.is_purpose and self.exists(path)

    def isfile(self, path: str) -> bool:
        resolved = self._resolve(path)
        return (resolved.is_file_id or resolved.is_named_file) and self.exists(path)

    def size(self, path: str) -> int:
        return self.info(path)["size"]

    def created(self, path: str) -> datetime.datetime:
        """When the file was created (UTC)."""
        created_at = self.info(path).get("created_at")
        if created_at is None:
            raise IsADirectoryError(f"openai://{self._strip_protocol(path)}: is a directory")
        return datetime.datetime.fromtimestamp(created_at, tz=datetime.timezone.utc)

    def modified(self, path: str) -> datetime.datetime:
        """The same as :meth:`created`: a file's content never changes."""
        return self.created(path)

    def ukey(self, path: str) -> str:
        """The file id: content never changes, so the id identifies it exactly."""
        return self._resolve_file(path)[0]["id"]

    def checksum(self, path: str) -> int:
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
                self._check_purpose(resolved.purpose)
            return
        raise ValueError(
            f"openai://{resolved.unresolve()}: a purpose is a flat directory; "
            "only purposes are directories"
        )

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        self.mkdir(path)

    def rmdir(self, path: str) -> None:
        """Purposes cannot be removed; this does nothing for them."""
        self.mkdir(path)

    # -- reading ------------------------------------------------------------------------

    def _iter_content(
        self, file: dict[str, Any], path: str, start: int = 0, end: int | None = None
    ) -> Iterator[bytes]:
        details = {"id": file["id"], "bytes": file.get("bytes", file.get("size"))}
        return iter_content(
            self.client,
            details,
            path=f"openai://{path}",
            start=start,
            end=end,
            max_attempts=self.client.max_retries + 3,
        )

    def _local_copy(self, file: dict[str, Any], path: str) -> IO[bytes]:
        """A complete local copy of ``file``'s content, open for reading."""
        details = {"id": file["id"], "bytes": file.get("bytes", file.get("size"))}
        return self.content_cache.open_local(details, lambda: self._iter_content(details, path))

    def cat_file(
        self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any
    ) -> bytes:
        """The content of a file, or of bytes ``start``..``end`` of it."""
        file, name = self._resolve_file(path)
        size = file["bytes"]
        start = 0 if start is None else (max(0, size + start) if start < 0 else min(start, size))
        end = size if end is None else (max(0, size + end) if end < 0 else min(end, size))
        if start >= end:
            return b""
        return b"".join(self._iter_content(file, name, start, end))

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
        file, name = self._resolve_file(rpath)
        callback.set_size(file["bytes"])

        def copy_to(out: Any) -> None:
            for chunk in self._iter_content(file, name):
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
        **kwargs: Any,
    ) -> Any:
        """As fsspec's ``open``. In every write mode — binary, text, compressed — the file is
        published only by a clean close: an exception inside ``with`` discards the write."""
        if "r" in mode:
            return super().open(path, mode, block_size, cache_options, compression, **kwargs)
        text = {k: kwargs.pop(k) for k in ("encoding", "errors", "newline") if k in kwargs}
        kwargs.setdefault("autocommit", not self._intrans)
        raw = self._open(
            self._strip_protocol(path),
            mode.replace("t", "").replace("b", "") + "b",
            block_size=block_size,
            cache_options=cache_options,
            **kwargs,
        )
        outer = raw
        if compression == "infer":
            compression = infer_compression(path)
        if compression is not None:
            outer = compr[compression](outer, mode="wb")
        if "b" not in mode:
            outer = io.TextIOWrapper(outer, **text)
        return raw if outer is raw else LayeredWriteFile(outer, raw)

    def _open(
        self,
        path: str,
        mode: str = "rb",
        block_size: int | None = None,
        autocommit: bool = True,
        cache_options: dict | None = None,
        *,
        size: int | None = None,
        overwrite: str | None = None,
        expires_after: int | None = None,
        mime_type: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Open a file.

        Parameters
        ----------
        mode : {"rb", "wb", "xb"}
            ``"xb"`` raises :class:`FileExistsError` if the name exists.
        size : int, optional
            For writing: the total size, if known. Parts then go up while you write
            instead of being spooled to a temporary file first.
        overwrite : {"replace", "keep", "error"}, optional
            For writing to an existing name (default: the filesystem's ``overwrite``).
        expires_after : int, optional
            For writing: seconds after creation at which the new file expires.
        mime_type : str, optional
            For writing: the MIME type sent (default: guessed from the filename).
        """
        if mode == "rb":
            file, name = self._resolve_file(path)
            return OpenAIReadFile(
                self,
                name,
                self._entry(file, name),
                block_size=block_size or 4 * MiB,
                cache_options=cache_options,
                **kwargs,
            )
        if mode not in ("wb", "xb"):
            raise ValueError(f"mode {mode!r} is not supported: use 'rb', 'wb' or 'xb'")
        if not autocommit:
            raise NotImplementedError(NO_TRANSACTIONS)
        if mode == "xb":
            overwrite = "error"
        target = self._write_target(path, overwrite, expires_after, mime_type, size)
        return OpenAIWriteFile(self, target.path, target, size=size)

    # -- writing ------------------------------------------------------------------------

    def _write_target(
        self,
        path: str,
        overwrite: str | None,
        expires_after: int | None,
        mime_type: str | None,
        size: int | None,
    ) -> WriteTarget:
        """Check a write before any byte is sent, and note what the name holds now."""
        if self._intrans:
            raise NotImplementedError(NO_TRANSACTIONS)
        resolved = self._resolve(path)
        shown = f"openai://{resolved.unresolve()}"
        if not resolved.is_named_file:
            raise IsADirectoryError(f"{shown}: can only write to 'openai://<purpose>/<filename>'")
        purpose = resolved.purpose
        if purpose in OUTPUT_PURPOSES:
            raise PermissionError(f"{shown}: {purpose!r} is read-only (files the service makes)")
        if purpose not in WRITABLE_PURPOSES:
            raise ValueError(
                f"{shown}: cannot write to purpose {purpose!r}; expected one of "
                f"{', '.join(WRITABLE_PURPOSES)}"
            )
        policy = overwrite or self.overwrite
        if policy not in OVERWRITE_POLICIES:
            raise ValueError(f"overwrite must be one of {OVERWRITE_POLICIES}, not {policy!r}")
        if size is not None:
            check_size(size, shown)
        self._require_key()
        # An exclusive write must not trust a cached listing: another client may have
        # written the name since it was fetched.
        earlier = self._versions(resolved, refresh=policy == "error")
        if earlier and policy == "error":
            raise FileExistsError(f"{shown}: exists (id {earlier[0]['id']})")
        return WriteTarget(
            path=resolved.unresolve(),
            purpose=purpose,
            filename=resolved.filename,
            overwrite=policy,
            mime_type=mime_type or mime_type_for(resolved.filename),
            expires_after=expires_after,
            earlier_ids={f["id"] for f in earlier},
        )

    def _find_new(
        self,
        target: WriteTarget,
        size: int,
        md5: Callable[[], str | None],
        *,
        unverified: bool = False,
    ) -> Callable[[], FileObject | None]:
        """After an ambiguous failure: find the file an earlier attempt may have made.

        A candidate has the name and size written and did not exist when the write began.
        Another writer's file can match that, so a candidate is adopted only if its content
        has our md5 (``md5()``; a download, on this rare path). With no md5 to compare
        (``checksum=False`` while streaming), nothing is adopted — sending again may then
        leave a duplicate, which ``overwrite="replace"`` removes; better than taking
        someone else's bytes for ours — unless ``unverified``: for an Upload's
        ``complete``, sending again cannot help (the service refuses a second complete),
        so the newest candidate is taken.
        """
        shown = f"openai://{target.path}"

        def find() -> FileObject | None:
            expected = md5()
            if expected is None and not unverified:
                return None
            for f in self.client.list_files(target.purpose, order="desc", path=shown):
                if (
                    f["filename"] == target.filename
                    and f["bytes"] == size
                    and f["id"] not in target.earlier_ids
                    and (expected is None or self._content_md5(f, target.path) == expected)
                ):
                    logger.info("%s: an earlier attempt made %s", shown, f["id"])
                    return f
            return None

        return find

    def _content_md5(self, file: FileObject, path: str) -> str:
        digest = hashlib.md5()
        for chunk in self._iter_content(file, path):
            digest.update(chunk)
        return digest.hexdigest()

    def _send_bytes(self, target: WriteTarget, data: bytes) -> FileObject:
        file = upload_bytes(
            self.client,
            data,
            path=f"openai://{target.path}",
            filename=target.filename,
            purpose=target.purpose,
            mime_type=target.mime_type,
            expires_after=target.expires_after,
            reconcile=self._find_new(target, len(data), lambda: hashlib.md5(data).hexdigest()),
        )
        return self._committed(target, file)

    def _send_local(
        self,
        target: WriteTarget,
        local_path: str,
        size: int,
        md5: str | None = None,
        on_progress: Callable[[int], Any] | None = None,
    ) -> FileObject:
        file = upload_local_file(
            self.client,
            local_path,
            size,
            path=f"openai://{target.path}",
            filename=target.filename,
            purpose=target.purpose,
            mime_type=target.mime_type,
            settings=self.upload_settings,
            expires_after=target.expires_after,
            md5=md5,
            on_progress=on_progress,
            reconcile=self._find_new(target, size, lambda: md5 or md5_of_file(local_path, 0, size)),
        )
        return self._committed(target, file)

    def _start_upload(self, target: WriteTarget, size: int) -> MultipartUpload:
        return MultipartUpload(
            self.client,
            path=f"openai://{target.path}",
            filename=target.filename,
            purpose=target.purpose,
            mime_type=target.mime_type,
            size=size,
            concurrency=self.upload_settings.concurrency,
            expires_after=target.expires_after,
        )

    def _finish_upload(
        self, target: WriteTarget, upload: MultipartUpload, md5: str | None
    ) -> FileObject:
        reconcile = self._find_new(target, upload.size, lambda: md5, unverified=True)
        return self._committed(target, upload.complete(md5, reconcile))

    def _committed(self, target: WriteTarget, file: FileObject) -> FileObject:
        """A new file is complete: apply the overwrite policy, then update the cache."""
        self.metadata.added(file)
        if target.overwrite == "replace":
            shown = f"openai://{target.path}"
            try:
                self._delete_files(self._older_versions(target, file), shown)
            except Exception as exc:
                # The write itself succeeded and the new file wins the name; an older
                # version left behind is shadowed, not lost, so this is not the caller's error.
                logger.warning("%s: written, but older versions remain: %s", shown, exc)
        return file

    def _older_versions(self, target: WriteTarget, file: FileObject) -> list[FileObject]:
        """The files of ``target``'s name strictly older than the new ``file``.

        Strictly older in the service's order: created_at ties (one-second resolution) are
        listed newest first, so a tied file listed after the new one is older. Without this,
        concurrent writers in one second would all survive.
        """
        older = []
        listed_after_new = False
        shown = f"openai://{target.path}"
        for f in self.client.list_files(target.purpose, order="desc", path=shown):
            if f["id"] == file["id"]:
                listed_after_new = True
            elif f["filename"] == target.filename and (
                listed_after_new
                or f["created_at"] < file["created_at"]
                or f["id"] in target.earlier_ids
            ):
                older.append(f)
        return older

    def _delete_files(self, files: list[FileObject], path: str) -> None:
        """Delete ``files`` concurrently; files already gone count as deleted."""

        def delete(f: FileObject) -> str:
            try:
                self.client.delete_file(f["id"], path=path)
            except FileNotFoundError:
                pass
            return f["id"]

        if not files:
            return
        deleted: list[str] = []
        try:
            with cf.ThreadPoolExecutor(min(len(files), self.max_concurrency)) as pool:
                futures = [pool.submit(delete, f) for f in files]
                # Record every delete that succeeded, even when another one failed.
                for future in cf.as_completed(futures):
                    if future.exception() is None:
                        deleted.append(future.result())
            for future in futures:
                future.result()
        finally:
            self.metadata.removed(deleted)
            for file_id in deleted:
                self.content_cache.discard(file_id)

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
        if mode == "create":
            overwrite = "error"
        size = len(value)
        target = self._write_target(path, overwrite, expires_after, mime_type, size)
        if size <= self.upload_settings.threshold:
            self._send_bytes(target, value)
            return
        view = memoryview(value)
        step = self.upload_settings.part_size
        with OpenAIWriteFile(self, target.path, target, size=size) as f:
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
        if mode == "create":
            overwrite = "error"
        size = os.path.getsize(lpath)
        target = self._write_target(rpath, overwrite, expires_after, mime_type, size)
        callback.set_size(size)
        self._send_local(target, lpath, size, on_progress=callback.relative_update)

    def cp_file(self, path1: str, path2: str, **kwargs: Any) -> None:
        """Copy a file. The service has no copy: the content streams down and back up,
        through the Uploads API in parallel parts when large, with bounded memory."""
        file, name = self._resolve_file(path1)
        size = file["bytes"]
        target = self._write_target(
            path2,
            kwargs.get("overwrite"),
            kwargs.get("expires_after"),
            kwargs.get("mime_type"),
            size,
        )
        with OpenAIWriteFile(self, target.path, target, size=size) as out:
            for chunk in self._iter_content(file, name):
                out.write(chunk)

    # -- deleting -----------------------------------------------------------------------

    def rm_file(self, path: str) -> None:
        """Delete one file: every file of a name, or one file by id."""
        resolved = self._resolve(path)
        shown = f"openai://{resolved.unresolve()}"
        if resolved.is_file_id:
            self._require_key()
            try:
                self.client.delete_file(resolved.file_id, path=shown)
            finally:
                self.metadata.removed([resolved.file_id])
                self.content_cache.discard(resolved.file_id)
            return
        if not resolved.is_named_file:
            raise IsADirectoryError(f"{shown}: is a directory; use rm(path, recursive=True)")
        self._check_purpose(resolved.purpose)
        if resolved.purpose in OUTPUT_PURPOSES:
            logger.debug("%s: deleting a service-made file", shown)
        versions = self._versions(resolved, refresh=True)
        if not versions:
            raise FileNotFoundError(f"{shown}: no such file")
        self._delete_files(versions, shown)

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
        ids: list[str] = []
        for target in targets:
            resolved = self._resolve(target)
            if resolved.is_root or resolved.is_purpose:
                where = f"openai://{resolved.unresolve()}"
                if not recursive:
                    raise IsADirectoryError(f"{where}: is a directory; use recursive=True")
                if not confirm:
                    raise PermissionError(
                        f"{where}: deleting every file of a purpose needs confirm=True "
                        "as well as recursive=True"
                    )
                listing = self._listing(refresh=True)
                purposes = [resolved.purpose] if resolved.is_purpose else listing.purposes()
                for purpose in purposes:
                    files.extend(listing.all_versions(purpose))
            elif resolved.is_file_id:
                ids.append(resolved.file_id)
            elif paths.has_magic(resolved.filename):
                matched = self.glob(target)
                if not matched:
                    raise FileNotFoundError(f"openai://{resolved.unresolve()}: nothing matches")
                for name in matched:
                    files.extend(self._versions(self._resolve(name), refresh=False))
            else:
                self._check_purpose(resolved.purpose)
                versions = self._versions(resolved, refresh=True)
                if not versions:
                    raise FileNotFoundError(f"openai://{resolved.unresolve()}: no such file")
                files.extend(versions)
        for file_id in ids:
            self.rm_file(file_id)
        self._delete_files(files, ", ".join(map(str, targets)))

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
        pairs = self._expand_transfer(lpath, rpath, recursive, maxdepth, put=True)
        callback.set_size(len(pairs))
        self._each(lambda lp, rp: self.put_file(lp, rp, **kwargs), pairs, callback)

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
        pairs = self._expand_transfer(rpath, lpath, recursive, maxdepth, put=False)
        callback.set_size(len(pairs))
        for _, lp in pairs:
            parent = os.path.dirname(lp)
            if parent:
                os.makedirs(parent, exist_ok=True)
        self._each(lambda rp, lp: self.get_file(rp, lp, **kwargs), pairs, callback)

    def _expand_transfer(
        self, source: Any, dest: Any, recursive: bool, maxdepth: int | None, *, put: bool
    ) -> list[tuple[str, str]]:
        """Source/destination pairs, as fsspec's own ``put``/``get`` would form them."""
        from fsspec.implementations.local import LocalFileSystem, make_path_posix
        from fsspec.utils import other_paths

        if isinstance(source, list) and isinstance(dest, list):
            # Lists pair up as given (expand_path would sort the sources away from theirs).
            if len(source) != len(dest):
                raise ValueError("the lists of sources and destinations differ in length")
            if put:
                return [
                    (make_path_posix(s), self._strip_protocol(d))
                    for s, d in zip(source, dest, strict=True)
                ]
            return [
                (self._strip_protocol(s), make_path_posix(d))
                for s, d in zip(source, dest, strict=True)
            ]
        if put:
            local = LocalFileSystem()
            into_dir = isinstance(dest, str) and dest.endswith("/")
            dest = self._strip_protocol(dest) if isinstance(dest, str) else dest
            sources = local.expand_path(source, recursive=recursive, maxdepth=maxdepth)
            sources = [p for p in sources if not local.isdir(p)]
            if isinstance(dest, list):
                targets = dest
            elif (
                isinstance(source, str)
                and len(sources) == 1
                and not local.isdir(source)
                and not paths.has_magic(source)
                and not into_dir
                and not self.isdir(dest)
            ):
                # One file to a path that is not a directory: that path is its new name.
                targets = [dest]
            else:
                exists = (
                    isinstance(source, str) and local.isdir(source) and not source.endswith("/")
                )
                targets = other_paths(
                    sources, dest, exists=exists and self.exists(dest), flatten=not recursive
                )
                targets = [self._flat_target(t, dest) for t in targets]
        else:
            sources = [
                p
                for p in self.expand_path(source, recursive=recursive, maxdepth=maxdepth)
                if not self.isdir(p)
            ]
            if isinstance(dest, list):
                targets = dest
            else:
                dest = make_path_posix(dest)
                # A purpose (or the root) is a folder: it goes into one, as in fsspec,
                # even when it holds a single file; no file at all copies nothing.
                source_is_dir = isinstance(source, str) and not (
                    self._resolve(source).filename or self._resolve(source).is_file_id
                )
                into_dir = (
                    dest.endswith("/") or os.path.isdir(dest) or len(sources) != 1 or source_is_dir
                )
                if into_dir:
                    targets = [os.path.join(dest, p.rsplit("/", 1)[-1]) for p in sources]
                else:
                    targets = [dest]
        if len(sources) != len(targets):
            raise ValueError("the lists of sources and destinations differ in length")
        pairs = list(zip(sources, targets, strict=True))
        if put:
            # A purpose is flat: a/x.txt and b/x.txt would both become <purpose>/x.txt,
            # and one would silently replace the other. Refuse before sending anything.
            seen: dict[str, str] = {}
            for local_path, remote in pairs:
                if remote in seen:
                    raise ValueError(
                        f"{seen[remote]!r} and {local_path!r} would both be written to "
                        f"'openai://{remote}' (a purpose is a flat directory)"
                    )
                seen[remote] = local_path
        return pairs

    def _flat_target(self, target: str, dest: str) -> str:
        """Map a destination under a purpose onto the flat purpose directory."""
        resolved = self._resolve(dest)
        if resolved.is_purpose or resolved.is_root:
            name = target.rstrip("/").rsplit("/", 1)[-1]
            purpose = resolved.purpose or name
            return f"{purpose}/{name}"
        return target

    def _each(
        self, func: Callable[..., Any], pairs: list[tuple[Any, ...]], callback: Callback
    ) -> None:
        """Run ``func(*pair)`` for every pair, a few at a time.

        The first failure (or Ctrl-C) stops the transfers not yet started, waits for those
        under way (each cleans up after itself), then is raised.
        """
        workers = max(1, min(len(pairs), self.max_concurrency // 2 or 1))
        pool = cf.ThreadPoolExecutor(workers, thread_name_prefix="openaifs-file")
        try:
            for future in [pool.submit(func, *pair) for pair in pairs]:
                future.result()
                callback.relative_update(1)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
