"""Resuming interrupted uploads of local files: one small journal per Upload.

The service keeps a pending Upload (and the parts it accepted) for an hour, but has no
endpoint to read an Upload or its parts back. So each multipart upload of a local file
records, as it goes, what the next identical call needs to carry on: the Upload id, the
local file's size and modification time, the part size, and each accepted part's id and
fingerprint (its sha256, computed while it was sent; md5 in journals of version 1). The
journal lives under ``$XDG_CACHE_HOME/openaifs/uploads`` (default
``~/.cache/openaifs/uploads``), one file per (endpoint, API key, local path, target),
rewritten atomically (temporary file, rename; no fsync, see :meth:`Journal.save`) by a
thread of its own after every part.

A rerun sends only the parts the journal lacks. It starts over (cancelling the stale
Upload) when the local file changed, the target's attributes differ, or the service no
longer holds the Upload (expired, cancelled). The part size comes from the journal, so a
rerun with other ``part_size``/``max_concurrency`` options still resumes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openaifs.client import APIClient
from openaifs.limits import MiB
from openaifs.multipart import MultipartUpload, open_region
from openaifs.upload import (
    MIN_WAVES,
    UploadSettings,
    hash_of_file,
    upload_local_file,
    upload_plan,
)

logger = logging.getLogger("openaifs")

JOURNAL_VERSION = 2
#: Journals of version 1 recorded each part's md5; version 2 records the hash it names.
_READABLE_VERSIONS = (1, 2)
#: How a new journal fingerprints parts: sha256 runs at 2.4 times md5's speed where the CPU
#: has SHA extensions (1.5 against 0.64 GB/s here), and is computed in the threads that send.
PART_HASH = "sha256"
#: A journal whose Upload expires within this many seconds is not worth resuming.
EXPIRY_MARGIN = 60
#: The smallest part a resumable upload picks by itself (see :func:`resumable_part_size`).
MIN_RESUMABLE_PART = 8 * MiB


def resumable_part_size(size: int, settings: UploadSettings) -> int:
    """The part size of a new resumable upload of ``size`` bytes.

    The parts are those a plain upload would send (see :func:`~openaifs.upload.upload_plan`):
    of about equal size, a whole number per connection, so every wave keeps every
    connection busy, in three waves at least. Only accepted parts count for a resume, and
    up to ``concurrency`` are in flight at once: an interruption loses a third at most. Parts
    are never under 8 MiB (each is one request and one round trip; a small file is then cut
    into fewer parts than a plain upload's) nor over the largest part ``settings`` allow.
    """
    count = max(MIN_WAVES * settings.concurrency, len(upload_plan(size, settings)))
    return min(settings.largest_part, max(MIN_RESUMABLE_PART, -(-size // count)))


def journal_dir() -> str:
    """Where journals live: ``$XDG_CACHE_HOME/openaifs/uploads`` (default ``~/.cache/...``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "openaifs", "uploads")


def key_id(api_key: str) -> str:
    """A short one-way digest of an API key: tells journals of different keys apart
    without keeping the key."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


def write_atomically(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash of the process leaves the old or the
    new content whole. Nothing is fsync'd (see :meth:`Journal.save`): a power cut may leave
    the old version or, on some file systems, an empty file."""
    partial = f"{path}.{os.getpid()}-{threading.get_ident()}.tmp"
    try:
        with open(partial, "wb") as out:
            out.write(data)
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise


@dataclass
class Journal:
    """What one pending Upload of a local file has sent so far.

    ``parts`` maps a part's index (its place in the file) to ``[part_id, digest]``, the
    digest of the part's bytes by ``part_hash`` (``md5`` in journals of version 1).
    """

    file: str
    upload_id: str
    endpoint: str
    key_id: str
    local_path: str
    size: int
    mtime_ns: int
    target: str
    purpose: str
    filename: str
    mime_type: str
    expires_after: int | None
    part_size: int
    expires_at: int | None = None
    parts: dict[int, list[str]] = field(default_factory=dict)
    part_hash: str = PART_HASH
    saving: bool = field(default=True, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _saver: _Saver | None = field(default=None, repr=False)

    FIELDS = (
        "upload_id",
        "endpoint",
        "key_id",
        "local_path",
        "size",
        "mtime_ns",
        "target",
        "purpose",
        "filename",
        "mime_type",
        "expires_after",
        "part_size",
        "expires_at",
    )

    @classmethod
    def load(cls, file: str) -> Journal | None:
        """The journal in ``file``; ``None`` if there is none or it is unreadable."""
        try:
            with open(file, "rb") as f:
                data = json.loads(f.read())
            version = data.get("version")
            if version not in _READABLE_VERSIONS:
                raise ValueError(f"version {version!r}")
            parts = {int(i): list(p) for i, p in data["parts"].items()}
            part_hash = "md5" if version == 1 else data["part_hash"]
            if part_hash not in hashlib.algorithms_guaranteed:
                raise ValueError(f"part hash {part_hash!r}")
            fields = {k: data[k] for k in cls.FIELDS}
            return cls(file=file, parts=parts, part_hash=part_hash, **fields)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("%s: ignoring an unreadable upload journal (%s)", file, exc)
            return None

    @property
    def part_count(self) -> int:
        return -(-self.size // self.part_size)

    @property
    def bytes_accepted(self) -> int:
        return sum(self.part_length(i) for i in self.parts)

    def part_length(self, index: int) -> int:
        return min(self.part_size, self.size - index * self.part_size)

    def expired(self, now: float | None = None) -> bool:
        """Whether the Upload has expired (or will within a minute) by this machine's clock."""
        if self.expires_at is None:
            return False
        return (time.time() if now is None else now) + EXPIRY_MARGIN >= self.expires_at

    def save(self) -> None:
        """Write the journal atomically; a failure to write only loses the resume.

        Not fsync'd (an fsync waited up to 270 ms here on a busy disk, on the upload's
        critical path): a crash of the process leaves the old or the new journal whole; a
        power cut may lose the newest saves, which only means those parts are sent again,
        or leave an unreadable journal, which is ignored (its Upload expires on the service
        within the hour).
        """
        if not self.saving:
            return
        with self._lock:  # a snapshot: parts are recorded from the sending threads
            data = {k: getattr(self, k) for k in self.FIELDS}
            data["version"] = JOURNAL_VERSION
            data["part_hash"] = self.part_hash
            data["parts"] = {str(i): p for i, p in sorted(self.parts.items())}
        try:
            os.makedirs(os.path.dirname(self.file), mode=0o700, exist_ok=True)
            write_atomically(self.file, json.dumps(data, indent=1).encode())
        except OSError as exc:
            self.saving = False
            logger.warning("%s: cannot keep an upload journal, so no resume: %s", self.file, exc)

    def part_digest(self, index: int) -> str:
        """The digest (``part_hash``) of part ``index`` of the local file as it is now."""
        offset, length = index * self.part_size, self.part_length(index)
        return hash_of_file(self.local_path, offset, length, self.part_hash)

    def part_done(self, index: int, part_id: str, digest: str | None = None) -> None:
        """Record an accepted part (called from the threads sending parts).

        ``digest`` is the part's ``part_hash`` digest, computed while it was sent; without
        it the part is read again from the local file.
        """
        digest = digest or self.part_digest(index)
        with self._lock:
            self.parts[index] = [part_id, digest]
            if self._saver is None:
                self._saver = _Saver(self.save)
            saver = self._saver
        if not saver.request():  # closed meanwhile (the upload is ending): save here
            self.save()

    def flush(self, *, discard: bool = False) -> None:
        """Wait until every recorded part is saved (call before giving up), or with
        ``discard`` only until a save under way ends (so that none comes after)."""
        with self._lock:
            saver, self._saver = self._saver, None
        if saver is not None:
            saver.close(discard=discard)

    def remove(self) -> None:
        self.flush(discard=True)  # so that no save writes the file again
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.file)


class _Saver:
    """Saves a journal in its own thread whenever asked, the newest state each time.

    Made by the thread that sent a part, a save held that connection idle, and the
    journal's lock held every other sender behind it (fsync'd, a save took 10 to 270 ms
    here while the disk was busy; saves are no longer fsync'd, see :meth:`Journal.save`).
    Requests that arrive during a save are served by one save after it.
    """

    def __init__(self, save: Callable[[], None]) -> None:
        self._save = save
        self._changed = threading.Condition()
        self._wanted = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="openaifs-journal", daemon=True)
        self._thread.start()

    def request(self) -> bool:
        """Ask for a save of the journal as it will be when the save starts; ``False`` if
        this saver is closed (the caller saves itself)."""
        with self._changed:
            if self._closed:
                return False
            self._wanted = True
            self._changed.notify()
            return True

    def close(self, *, discard: bool = False) -> None:
        """End the thread after the save asked for (none, with ``discard``) and any save
        under way, so that no save comes after."""
        with self._changed:
            self._closed = True
            if discard:
                self._wanted = False
            self._changed.notify()
        self._thread.join()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not (self._wanted or self._closed):
                    self._changed.wait()
                if not self._wanted:
                    return
                self._wanted = False
            self._save()  # never raises: a failed save turns saving off and says so


def service_refused(exc: BaseException) -> bool:
    """Whether the service answered with a definite no (a 4xx other than a retryable one)."""
    status = getattr(exc, "status", None)
    return isinstance(status, int) and 400 <= status < 500 and status not in (408, 409, 429)


class Journals:
    """Resumable uploads for one endpoint and key.

    Parameters
    ----------
    client : APIClient
        The service.
    api_key : str
        The key (only a digest of it is kept, to tell journals apart).
    directory : str, optional
        Where journals live (default :func:`journal_dir`, read at each use).
    """

    def __init__(self, client: APIClient, api_key: str, directory: str | None = None) -> None:
        self.client = client
        self.key_id = key_id(api_key)
        self._directory = directory

    @property
    def directory(self) -> str:
        return self._directory or journal_dir()

    def file_for(self, local_path: str, target: str) -> str:
        """The journal file of one (endpoint, key, local path, target)."""
        name = "\n".join((self.client.base_url, self.key_id, local_path, target))
        return os.path.join(
            self.directory, hashlib.sha256(name.encode()).hexdigest()[:32] + ".json"
        )

    def pending(self) -> list[Journal]:
        """Every journal in the folder (of any endpoint or key), oldest Upload first."""
        try:
            names = sorted(os.listdir(self.directory))
        except FileNotFoundError:
            return []
        found = [
            Journal.load(os.path.join(self.directory, n)) for n in names if n.endswith(".json")
        ]
        return sorted((j for j in found if j is not None), key=lambda j: j.expires_at or 0)

    def mine(self, journal: Journal) -> bool:
        """Whether ``journal`` is of this endpoint and key (so its Upload can be cancelled)."""
        return journal.endpoint == self.client.base_url and journal.key_id == self.key_id

    def discard(self, journal: Journal) -> None:
        """Remove a journal, cancelling its Upload if it is ours and may still be pending."""
        if self.mine(journal) and not journal.expired():
            try:
                self.client.cancel_upload(journal.upload_id, path=journal.target)
            except Exception as exc:  # gone already, or unreachable: it expires anyway
                logger.info(
                    "%s: upload %s not cancelled: %s", journal.target, journal.upload_id, exc
                )
        journal.remove()

    def upload_local_file(
        self,
        local_path: str,
        size: int,
        *,
        settings: UploadSettings,
        on_progress: Callable[[int], Any] | None = None,
        **options: Any,
    ) -> dict:
        """:func:`~openaifs.upload.upload_local_file`, resuming an earlier interrupted run.

        ``options`` are that function's: ``path``, ``filename``, ``purpose``, ``mime_type``
        (required), ``expires_after``, ``md5``, ``reconcile``. Content at most
        ``settings.threshold`` goes up in one request, without a journal.
        """
        if size <= settings.threshold:
            return upload_local_file(
                self.client, local_path, size, settings=settings, on_progress=on_progress, **options
            )
        asked = settings  # a restart picks its part size afresh from these
        path = options["path"]
        expires_after = options.get("expires_after")
        target = {k: options[k] for k in ("path", "filename", "purpose", "mime_type")}
        local_path = os.path.abspath(local_path)
        fresh = Journal(
            file=self.file_for(local_path, path),
            upload_id="",
            endpoint=self.client.base_url,
            key_id=self.key_id,
            local_path=local_path,
            size=size,
            mtime_ns=os.stat(local_path).st_mtime_ns,
            target=path,
            purpose=target["purpose"],
            filename=target["filename"],
            mime_type=target["mime_type"],
            expires_after=expires_after,
            part_size=resumable_part_size(size, settings),
        )
        journal = self._resumable(fresh)
        if journal is not None:
            settings = dataclasses.replace(settings, part_size=journal.part_size)
            upload = self._reattach(journal, settings, on_progress)
            if upload is None:  # the service no longer holds the Upload
                journal.remove()
                journal = None
        if journal is None:
            journal = fresh
            settings = dataclasses.replace(settings, part_size=journal.part_size)
            upload = MultipartUpload(
                self.client,
                size=size,
                concurrency=settings.concurrency,
                expires_after=expires_after,
                on_part=on_progress,
                on_part_done=journal.part_done,
                keep_on_failure=True,
                part_hash=journal.part_hash,
                **target,
            )
            journal.upload_id, journal.expires_at = upload.upload_id, upload.expires_at
            journal.save()
        resumed = bool(journal.parts)
        try:
            file = upload_local_file(
                self.client, local_path, size, settings=settings, upload=upload, **options
            )
        except BaseException as exc:
            if not service_refused(exc):
                journal.flush()  # every part the service accepted is on disk for the rerun
                logger.info("%s: interrupted; the same call resumes it (%s)", path, journal.file)
                raise
            self.discard(journal)
            if not resumed:
                raise
            # Most likely the Upload expired between the probe and complete: once afresh.
            logger.info("%s: resumed upload refused (%s); starting over", path, exc)
            return self.upload_local_file(
                local_path, size, settings=asked, on_progress=on_progress, **options
            )
        journal.remove()
        return file

    def _resumable(self, fresh: Journal) -> Journal | None:
        """The journal to resume for this upload, or ``None`` (stale ones discarded)."""
        journal = Journal.load(fresh.file)
        if journal is None:
            return None
        same = all(
            getattr(journal, k) == getattr(fresh, k)
            for k in ("size", "mtime_ns", "purpose", "filename", "mime_type", "expires_after")
        )
        if not same or journal.expired():
            reason = "expired" if same else "the file or the target changed"
            logger.info("%s: not resuming upload %s: %s", fresh.target, journal.upload_id, reason)
            self.discard(journal)
            return None
        # Parts whose bytes changed although size and mtime did not go up again.
        for index, (_, digest) in list(journal.parts.items()):
            if journal.part_digest(index) != digest:
                del journal.parts[index]
        return journal

    def _reattach(
        self,
        journal: Journal,
        settings: UploadSettings,
        on_progress: Callable[[int], Any] | None,
    ) -> MultipartUpload | None:
        """The journal's Upload with its accepted parts, or ``None`` if the service dropped it.

        There is no way to ask whether an Upload is still pending, so the first missing part
        is sent alone first: a refusal then costs one part, not ``concurrency`` of them.
        """
        missing = [i for i in range(journal.part_count) if i not in journal.parts]
        if missing:
            index = missing[0]
            length = journal.part_length(index)
            opener = open_region(journal.local_path, index * journal.part_size)
            try:
                part = self.client.add_part(journal.upload_id, opener, length, path=journal.target)
            except Exception as exc:
                if service_refused(exc):
                    logger.info(
                        "%s: upload %s is gone (%s); starting over",
                        journal.target,
                        journal.upload_id,
                        exc,
                    )
                    return None
                raise
            journal.part_done(index, part["id"])
        logger.info(
            "%s: resuming upload %s, %d of %d parts sent already",
            journal.target,
            journal.upload_id,
            len(journal.parts),
            journal.part_count,
        )
        upload = MultipartUpload(
            self.client,
            path=journal.target,
            filename=journal.filename,
            purpose=journal.purpose,
            mime_type=journal.mime_type,
            size=journal.size,
            concurrency=settings.concurrency,
            on_part=on_progress,
            upload_id=journal.upload_id,
            on_part_done=journal.part_done,
            keep_on_failure=True,
            part_hash=journal.part_hash,
        )
        for index, (part_id, _) in journal.parts.items():
            upload.adopt(index, part_id)
            if on_progress is not None:
                on_progress(journal.part_length(index))
        return upload
