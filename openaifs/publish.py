"""The write pipeline: where a write goes, how it is sent, and what happens to the name after.

Every write, whatever its entry point (``open("wb")``, ``pipe_file``, ``put_file``,
``cp_file``, a transaction), goes through :class:`Publisher`:

1. :meth:`Publisher.target` checks the path, purpose, policy and size before any byte is
   sent, and notes what the name holds now (:class:`WriteTarget`);
2. :meth:`Publisher.send_bytes`, :meth:`Publisher.send_local` or an Upload
   (:meth:`Publisher.start_upload` / :meth:`Publisher.finish_upload`) make the new file;
   a lost answer is reconciled so that no duplicate appears;
3. :meth:`Publisher.settle` applies the overwrite policy once the new file is confirmed:
   an exclusive write that lost a race deletes its own file and raises
   :class:`FileExistsError`; ``"replace"`` deletes the strictly older files of the name.

Files written inside ``with fs.transaction:`` stop after step 2's sending: they are
published together when the block ends (:class:`~openaifs.transaction.OpenAITransaction`).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import functools
import hashlib
import logging
import mimetypes
import time
import warnings
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from openaifs.cache import FileObject
from openaifs.catalog import Catalog, Mark, url
from openaifs.client import APIClient
from openaifs.limits import MAX_BATCH_SIZE, MAX_LIST_LIMIT, OUTPUT_PURPOSES, WRITABLE_PURPOSES
from openaifs.paths import ResolvedPath
from openaifs.resume import Journals
from openaifs.upload import (
    MultipartUpload,
    UploadSettings,
    check_size,
    md5_of_file,
    upload_bytes,
    upload_local_file,
)

logger = logging.getLogger("openaifs")

OVERWRITE_POLICIES = ("replace", "keep", "error")


class OlderVersionsRemainWarning(UserWarning):
    """A replace-write succeeded, but an older file of the name could not be deleted.

    The new file wins the name (the older one is shadowed, not lost); the next
    replace-write of the name deletes it again. Turn this into an error with
    ``warnings.simplefilter("error", OlderVersionsRemainWarning)``.
    """


def _older_remain(written: str, error: Exception, stacklevel: int) -> None:
    """Log and warn (:class:`OlderVersionsRemainWarning`) that older versions survived a
    replace-write; ``stacklevel`` counts from here."""
    message = f"{written}, but older versions remain: {error}"
    logger.warning(message)
    warnings.warn(message, OlderVersionsRemainWarning, stacklevel=stacklevel)


def mime_type_for(filename: str) -> str:
    """The MIME type sent for ``filename``: ``text/jsonl`` for JSON Lines (as the service's
    own examples send for fine-tune files), else a guess from the extension."""
    lowered = filename.lower()
    if lowered.endswith(".jsonl"):
        return "text/jsonl"
    guessed, _ = mimetypes.guess_type(lowered)
    return guessed or "application/octet-stream"


def check_policy(policy: str) -> str:
    if policy not in OVERWRITE_POLICIES:
        raise ValueError(f"overwrite must be one of {OVERWRITE_POLICIES}, not {policy!r}")
    return policy


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
    #: How far the service's listing was known when the write started: every rival
    #: writer's file, and every file of the name we do not know of, is newer.
    mark: Mark | None = None

    @property
    def url(self) -> str:
        return url(self.path)


class Publisher:
    """Sends new files and applies the overwrite policy.

    Parameters
    ----------
    client : APIClient
        The service.
    catalog : Catalog
        Names to files, and deletes (with their cache invalidation).
    settings : UploadSettings
        Part size, threshold, concurrency, checksum.
    iter_content : callable
        ``iter_content(file, path)`` yields a file's content (to compare md5s after a
        lost answer).
    overwrite : str
        The default policy.
    journals : Journals, optional
        Resume interrupted uploads of local files (:mod:`openaifs.resume`).
    expires_after : int, optional
        The default ``expires_after`` (seconds) of new files.
    """

    def __init__(
        self,
        client: APIClient,
        catalog: Catalog,
        settings: UploadSettings,
        iter_content: Callable[[dict[str, Any], str], Iterator[bytes]],
        overwrite: str = "replace",
        journals: Journals | None = None,
        expires_after: int | None = None,
    ) -> None:
        self.client = client
        self.journals = journals
        self.expires_after = expires_after
        self.catalog = catalog
        self.settings = settings
        self._iter_content = iter_content
        self.overwrite = check_policy(overwrite)

    # -- 1. where a write goes --------------------------------------------------------

    def target(
        self,
        resolved: ResolvedPath,
        overwrite: str | None = None,
        expires_after: int | None = None,
        mime_type: str | None = None,
        size: int | None = None,
    ) -> WriteTarget:
        """Check a write before any byte is sent, and note what the name holds now."""
        shown = url(resolved.unresolve())
        if resolved.is_file_id:
            raise ValueError(
                f"{shown}: a file id names one existing file and is read-only; write to a "
                "path such as 'openai://user_data/<filename>' instead"
            )
        if not resolved.is_named_file:
            raise IsADirectoryError(
                f"{shown}: is a directory; write to 'openai://<purpose>/<filename>'"
            )
        purpose = resolved.purpose
        if purpose in OUTPUT_PURPOSES:
            raise PermissionError(f"{shown}: {purpose!r} is read-only (files the service makes)")
        if purpose not in WRITABLE_PURPOSES:
            raise ValueError(
                f"{shown}: cannot write to purpose {purpose!r}; expected one of "
                f"{', '.join(WRITABLE_PURPOSES)}"
            )
        policy = check_policy(overwrite or self.overwrite)
        if size is not None:
            check_size(size, shown)
            if purpose == "batch" and size > MAX_BATCH_SIZE:
                raise ValueError(
                    f"{shown}: {size} bytes is over the service's limit of {MAX_BATCH_SIZE} "
                    "bytes (200 MB) for a batch input file"
                )
        self.catalog.require_key()
        # The mark comes first: every file made after it (a rival's too) is found later.
        mark = self.catalog.mark()
        # An exclusive write looks at files made since the cached listing: another client
        # may have written the name since it was fetched (races after this are settled
        # after publishing, in confirm()). Other policies trust the cache here: files of
        # the name it does not know are newer than its mark, and the look after
        # publishing finds them.
        if mark is None and policy != "error":
            # Nothing was cached: list now, before any byte of this write is sent. All the
            # listing holds predates the new file, and its versions of the name are the
            # earlier ones, so the look after publishing can stop at what it held when
            # fetched instead of listing the project again. (An exclusive write keeps no
            # mark: a rival published meanwhile must not count as known.)
            found = self.catalog.lookup(resolved)
            earlier, mark = found.versions, self.catalog.fetched_mark(found.listing)
        else:
            earlier = self.catalog.versions(
                resolved, look_newer=policy == "error", cached_only=policy != "error"
            )
        if earlier and policy == "error":
            raise FileExistsError(f"{shown}: exists (id {earlier[0]['id']})")
        return WriteTarget(
            path=resolved.unresolve(),
            purpose=purpose,
            filename=resolved.filename,
            overwrite=policy,
            mime_type=mime_type or mime_type_for(resolved.filename),
            expires_after=self.expires_after if expires_after is None else expires_after,
            earlier_ids={f["id"] for f in earlier},
            mark=mark,
        )

    # -- 2. sending -------------------------------------------------------------------

    def send_bytes(
        self,
        target: WriteTarget,
        data: bytes,
        on_progress: Callable[[int], Any] | None = None,
    ) -> FileObject:
        """Make the new file from in-memory content, in one ``POST /files``."""
        return upload_bytes(
            self.client,
            data,
            path=target.url,
            filename=target.filename,
            purpose=target.purpose,
            mime_type=target.mime_type,
            expires_after=target.expires_after,
            reconcile=self._find_new(target, len(data), lambda: hashlib.md5(data).hexdigest()),
            on_progress=on_progress,
        )

    def send_local(
        self,
        target: WriteTarget,
        local_path: str,
        size: int,
        md5: str | None = None,
        on_progress: Callable[[int], Any] | None = None,
        resume: bool = False,
        spool: bool = False,
    ) -> FileObject:
        """Make the new file from ``size`` bytes of a local file (``resume``: carrying on
        from an interrupted earlier run, see :mod:`openaifs.resume`; ``spool``: a file of
        the library's own, sent straight from the page cache, see
        :func:`~openaifs.upload.upload_local_file`)."""
        if spool:
            send: Callable[..., FileObject] = functools.partial(
                self._upload_local_file, mapped=True
            )
        elif resume and self.journals is not None:
            send = self.journals.upload_local_file
        else:
            send = self._upload_local_file
        return send(
            local_path,
            size,
            path=target.url,
            filename=target.filename,
            purpose=target.purpose,
            mime_type=target.mime_type,
            settings=self.settings,
            expires_after=target.expires_after,
            md5=md5,
            on_progress=on_progress,
            reconcile=self._find_new(target, size, lambda: md5 or md5_of_file(local_path, 0, size)),
        )

    def _upload_local_file(self, local_path: str, size: int, **options: Any) -> FileObject:
        return upload_local_file(self.client, local_path, size, **options)

    def start_upload(self, target: WriteTarget, size: int) -> MultipartUpload:
        """Start an Upload of ``size`` bytes whose parts the caller sends."""
        return MultipartUpload(
            self.client,
            path=target.url,
            filename=target.filename,
            purpose=target.purpose,
            mime_type=target.mime_type,
            size=size,
            concurrency=self.settings.concurrency,
            expires_after=target.expires_after,
        )

    def finish_upload(
        self, target: WriteTarget, upload: MultipartUpload, md5: str | None
    ) -> FileObject:
        """Complete an Upload whose parts were all sent: the new file appears."""
        reconcile = self._find_new(target, upload.size, lambda: md5, unverified=True)
        return upload.complete(md5, reconcile)

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

        def find() -> FileObject | None:
            expected = md5()
            if expected is None and not unverified:
                return None
            mark = target.mark
            page = 8 if mark is not None else MAX_LIST_LIMIT
            for f in self.client.list_files(
                target.purpose, order="desc", page_size=page, grow=True, path=target.url
            ):
                if mark is not None and mark.before(f):
                    return None  # older than the write: no attempt of ours made it
                if (
                    f["filename"] == target.filename
                    and f["bytes"] == size
                    and f["id"] not in target.earlier_ids
                    and (expected is None or self._content_md5(f, target.path) == expected)
                ):
                    logger.info("%s: an earlier attempt made %s", target.url, f["id"])
                    return f
            return None

        return find

    def _content_md5(self, file: FileObject, path: str) -> str:
        digest = hashlib.md5()
        for chunk in self._iter_content(file, path):
            digest.update(chunk)
        return digest.hexdigest()

    # -- 3. the name after ------------------------------------------------------------

    def publish(self, target: WriteTarget, file: FileObject) -> FileObject:
        """A new file is complete: record it, settle exclusive races, apply the policy
        (one small look at the files made meanwhile serves both)."""
        if target.overwrite == "replace":
            found, deleted = self._look_deleting_known(target, file)
        else:
            found, deleted = self.confirm(target, file), set()
        self.apply_policy(target, file, found, deleted)
        return file

    def _look_deleting_known(
        self, target: WriteTarget, file: FileObject
    ) -> tuple[list[FileObject] | None, set[str]]:
        """:meth:`confirm` for ``"replace"``, while the older versions known when the write
        began are deleted: they go whatever the look finds, so their deletes need not wait
        for it (one round trip less on every replace-write). Returns what the look found
        and the ids deleted."""
        self.catalog.metadata.added(file)  # before any version of the name goes
        known = self.older_versions(target, file, [])
        if not known:
            return self.confirm(target, file), set()
        with cf.ThreadPoolExecutor(1, thread_name_prefix="openaifs-replace") as pool:
            early = pool.submit(self.catalog.delete_files, known, target.url)
            found = self.confirm(target, file)
            failed = early.exception() is not None  # apply_policy tries them again
        return found, set() if failed else {f["id"] for f in known}

    def publish_many(self, sent: list[tuple[WriteTarget, FileObject]]) -> None:
        """What :meth:`publish` does, for files written side by side (``fs.put`` of many
        small files), with one look at the files made meanwhile instead of one per file.
        None of them may be exclusive (their races are settled each on its own). Never
        raises: older versions that could not be deleted are reported as for one file.
        """
        if any(t.overwrite == "error" for t, _ in sent):
            raise ValueError("an exclusive write is published on its own")
        for _, file in sent:
            self.catalog.metadata.added(file)
        replacing = [(t, f) for t, f in sent if t.overwrite == "replace"]
        if not replacing:
            return
        shown = replacing[0][0].url
        try:
            wanted = [(t.purpose, t.filename, t.mark) for t, _ in replacing]
            found = self.catalog.since_each(wanted, shown)
        except Exception:  # each looks on its own, guarded
            for target, file in replacing:
                self.apply_policy(target, file)
            return
        older = [
            f
            for (target, file), made in zip(replacing, found, strict=True)
            for f in self.older_versions(target, file, made)
        ]
        try:
            self.catalog.delete_files(older, shown)
        except Exception as exc:
            _older_remain(f"{len(replacing)} files written", exc, stacklevel=4)

    def confirm(self, target: WriteTarget, file: FileObject) -> list[FileObject] | None:
        """Record the new file; for an exclusive write, make sure it is the only winner.

        Concurrent exclusive writers may all pass :meth:`target`'s check. After
        publishing, each looks at the name's files made since its write began: the file
        the service lists last (the oldest by ``created_at``, ties broken by the
        service's own newest-first order, the same rule that decides which file a name
        means) wins; every other writer deletes its own file and raises
        :class:`FileExistsError`. Exactly one file remains, whoever looks first.

        Returns the name's files made since the write began (newest first), or ``None``
        when the policy needed no look.
        """
        self.catalog.metadata.added(file)
        if target.overwrite == "keep":
            return None
        if target.overwrite != "error":
            try:
                return self._made_since(target)
            except Exception:  # the write succeeded; apply_policy looks again, guarded
                return None
        try:
            found = self._made_since(target)
        except Exception as exc:
            # Without the look, this writer cannot know it is the only one: withdraw.
            with contextlib.suppress(Exception):
                self.catalog.delete_files([file], target.url)
            raise OSError(
                f"{target.url}: written, but whether another writer created the name at the "
                f"same time could not be checked ({exc}), so this write was withdrawn"
            ) from exc
        ids = [f["id"] for f in found]
        older = ids[ids.index(file["id"]) + 1 :] if file["id"] in ids else ids
        if older:
            self._withdraw_loser(target, file, older[-1])
        return found

    def _withdraw_loser(self, target: WriteTarget, file: FileObject, winner: str) -> None:
        """Delete our file after losing an exclusive race, trying hard: left in place, it
        is newer than the winner's and would shadow it."""
        for attempt in range(4):
            try:
                self.catalog.delete_files([file], target.url)
            except Exception as exc:
                error = exc
                time.sleep(self.client._backoff(attempt, None))
            else:
                raise FileExistsError(
                    f"{target.url}: exists (id {winner}, written by another writer at the "
                    "same time); this write was withdrawn"
                )
        raise FileExistsError(
            f"{target.url}: exists (id {winner}, written by another writer at the same time), "
            f"and this write's own file {file['id']} could not be withdrawn ({error}); it now "
            f"shadows {winner}: delete openai://{file['id']}"
        )

    def _made_since(self, target: WriteTarget) -> list[FileObject]:
        return self.catalog.since(target.purpose, target.filename, target.mark, target.url)

    def apply_policy(
        self,
        target: WriteTarget,
        file: FileObject,
        found: list[FileObject] | None = None,
        deleted: Collection[str] = (),
    ) -> None:
        """``"replace"``: delete the files of the name strictly older than ``file`` (but
        those of ids in ``deleted``, deleted already).

        A failure to delete them is no error of the write (the new file wins the name); it
        is reported as :class:`OlderVersionsRemainWarning`, and the next replace-write of
        the name deletes them.
        """
        if target.overwrite != "replace":
            return
        try:
            found = self._made_since(target) if found is None else found
            older = self.older_versions(target, file, found)
            self.catalog.delete_files([f for f in older if f["id"] not in deleted], target.url)
        except Exception as exc:
            _older_remain(f"{target.url}: written", exc, stacklevel=5)

    def older_versions(
        self, target: WriteTarget, file: FileObject, found: list[FileObject]
    ) -> list[FileObject]:
        """The files of ``target``'s name strictly older than the new ``file``.

        Those known when the write began, plus those made since (``found``, newest first)
        that the service lists after the new file: its order breaks ``created_at`` ties
        (one-second resolution) newest first; without that, concurrent writers in one
        second would all survive. No request: the cost does not grow with the purpose.
        """
        ids = [f["id"] for f in found]
        after = set(ids[ids.index(file["id"]) + 1 :]) if file["id"] in ids else set()
        cached = self.catalog.metadata.listing()
        known = [] if cached is None else cached.versions(target.purpose, target.filename)
        older: dict[str, FileObject] = {}
        for f in [*found, *known]:
            if f["id"] != file["id"] and (
                f["id"] in after
                or f["id"] in target.earlier_ids
                or f["created_at"] < file["created_at"]
            ):
                older.setdefault(f["id"], f)
        for file_id in target.earlier_ids - {file["id"]}:
            older.setdefault(file_id, {"id": file_id})  # known then, even if not cached now
        return list(older.values())
