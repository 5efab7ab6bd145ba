"""One Upload of the Uploads API: created, its parts sent in parallel, then completed or
cancelled; and the small helpers that open a part's bytes for each attempt.

Every part's request names the part's place in the final file (see
:meth:`APIClient.add_part`), so a service can hash the parts in order as they arrive, although
they go on several connections at once and reach it in any order; each attempt can hash the
part while sending it, for the resume journal. This module knows the API client only.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import logging
import threading
from collections.abc import Callable
from typing import IO, Any

from openaifs.client import APIClient
from openaifs.progress import counted_opener

logger = logging.getLogger("openaifs")


def open_region(local_path: str, offset: int) -> Callable[[], IO[bytes]]:
    """A function that opens ``local_path`` positioned at ``offset``, afresh each call."""

    def opener() -> IO[bytes]:
        f = open(local_path, "rb")  # noqa: SIM115 - closed by the request body
        f.seek(offset)
        return f

    return opener


class _SendingReader:
    """A part's bytes as one attempt sends them: feeds what it reads to ``digest``, if any,
    so a part is fingerprinted while it is sent, in the thread that sends it."""

    def __init__(self, source: IO[bytes], digest: Any) -> None:
        self._source = source
        self.digest = digest
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        data = self._source.read(n)
        self.count += len(data)
        if self.digest is not None:
            self.digest.update(data)
        return data

    def close(self) -> None:
        self._source.close()


def _sent_digest(attempts: list[_SendingReader], length: int) -> str | None:
    """The hex digest the accepted (last) attempt computed while sending every byte, or
    ``None`` (no hash asked for)."""
    last = attempts[-1] if attempts else None
    if last is None or last.digest is None or last.count != length:
        return None
    return last.digest.hexdigest()


class MultipartUpload:
    """One Upload: created at once, parts sent in parallel, completed or cancelled.

    Parameters
    ----------
    client : APIClient
        The API client.
    path : str
        The ``openai://`` path written, for messages.
    filename, purpose, mime_type : str
        The new file's attributes.
    size : int
        The total number of bytes, declared up front as the service requires.
    concurrency : int
        Parts in flight at once; :meth:`send` blocks while that many are.
    expires_after : int, optional
        Seconds after creation at which the new file expires.
    on_part : callable, optional
        Called with byte counts as the parts' bytes are read for sending (for progress;
        each byte once, however many attempts a part takes).
    upload_id : str, optional
        Carry on with this pending Upload instead of creating one (a resumed upload).
    on_part_done : callable, optional
        Called with a part's index, its id and the hex digest (``part_hash``) of its bytes,
        computed while they were sent (``None`` without ``part_hash``), once the service
        has accepted it (the resume journal records it).
    keep_on_failure : bool
        On failure stop sending but leave the Upload pending, for a later resume.
    part_hash : str, optional
        A :mod:`hashlib` name: each part is hashed so while it is sent, for
        ``on_part_done`` (the journal's fingerprint of the part).
    """

    def __init__(
        self,
        client: APIClient,
        *,
        path: str,
        filename: str,
        purpose: str,
        mime_type: str,
        size: int,
        concurrency: int,
        expires_after: int | None = None,
        on_part: Callable[[int], Any] | None = None,
        upload_id: str | None = None,
        on_part_done: Callable[[int, str, str | None], Any] | None = None,
        keep_on_failure: bool = False,
        part_hash: str | None = None,
    ) -> None:
        self.client = client
        self.part_hash = part_hash
        self.path = path
        self.size = size
        self.on_part = on_part
        self.on_part_done = on_part_done
        self.keep_on_failure = keep_on_failure
        self._slots = threading.BoundedSemaphore(concurrency)
        self._pool = cf.ThreadPoolExecutor(concurrency, thread_name_prefix="openaifs-part")
        self._parts: dict[int, cf.Future] = {}
        self._failed: BaseException | None = None
        self.expires_at: int | None = None
        if upload_id is None:
            upload = client.create_upload(
                filename=filename,
                purpose=purpose,
                size=size,
                mime_type=mime_type,
                expires_after=expires_after,
                path=path,
            )
            upload_id, self.expires_at = upload["id"], upload.get("expires_at")
        self.upload_id: str = upload_id

    def adopt(self, index: int, part_id: str) -> None:
        """Count part ``index`` as sent already (as ``part_id``, by an earlier run)."""
        done: cf.Future = cf.Future()
        done.set_result(part_id)
        self._parts[index] = done

    def has_part(self, index: int) -> bool:
        """Whether part ``index`` is sent, queued or adopted."""
        return index in self._parts

    def send(
        self,
        index: int,
        open_part: Callable[[], IO[bytes]],
        length: int,
        done: Callable[[], Any] | None = None,
    ) -> None:
        """Queue part ``index`` (its place in the final file), blocking while the pool is full.

        ``open_part`` opens the part's bytes afresh for each attempt; ``done`` runs once
        the part is sent or has failed (to free what backs it).
        """
        self._raise_if_failed()
        self._slots.acquire()
        try:
            future = self._pool.submit(self._send_one, index, open_part, length, done)
        except BaseException:
            self._slots.release()
            raise
        self._parts[index] = future

    def _send_one(
        self,
        index: int,
        open_part: Callable[[], IO[bytes]],
        length: int,
        done: Callable[[], Any] | None,
    ) -> str:
        try:
            if self._failed is not None:
                raise cf.CancelledError()
            attempts: list[_SendingReader] = []

            def open_attempt() -> _SendingReader:
                digest = hashlib.new(self.part_hash) if self.part_hash else None
                attempts.append(_SendingReader(open_part(), digest))
                return attempts[-1]

            opener = counted_opener(open_attempt, self.on_part)
            part = self.client.add_part(self.upload_id, opener, length, path=self.path, index=index)
            if self.on_part_done is not None:
                self.on_part_done(index, part["id"], _sent_digest(attempts, length))
            return part["id"]
        except BaseException as exc:
            if self._failed is None:
                self._failed = exc
            raise
        finally:
            self._slots.release()
            if done is not None:
                done()

    def _raise_if_failed(self) -> None:
        if self._failed is not None and not isinstance(self._failed, cf.CancelledError):
            raise self._failed

    def complete(
        self,
        md5: str | None,
        find_file: Callable[[], Any] | None = None,
        on_parts_sent: Callable[[], Any] | None = None,
    ) -> dict:
        """Wait for every part, then complete; returns the new File object.

        ``find_file`` finds the File an ambiguous earlier attempt to complete may have
        made (``None`` if there is none), so that a lost answer is not an error.
        ``on_parts_sent`` is called once every part is sent, before completing.
        """
        try:
            part_ids = [self._parts[i].result() for i in sorted(self._parts)]
        except cf.CancelledError:
            self._raise_if_failed()
            raise
        finally:
            self._pool.shutdown(wait=True)
        if on_parts_sent is not None:
            on_parts_sent()

        def reconcile() -> dict | None:
            found = find_file() if find_file is not None else None
            return None if found is None else {"status": "completed", "file": found}

        upload = self.client.complete_upload(
            self.upload_id, part_ids, md5=md5, path=self.path, reconcile=reconcile
        )
        return upload["file"]

    def abort(self) -> None:
        """Stop sending parts and cancel the Upload (unless ``keep_on_failure``); never raises."""
        if self._failed is None:
            self._failed = cf.CancelledError()
        for future in self._parts.values():
            future.cancel()
        if self.keep_on_failure:
            self._pool.shutdown(wait=True, cancel_futures=True)
            return
        # Cancel before waiting: parts still in flight are then refused, not sent in full.
        try:
            self.client.cancel_upload(self.upload_id, path=self.path)
        except Exception as exc:  # the Upload expires within the hour anyway
            logger.warning("%s: could not cancel upload %s: %s", self.path, self.upload_id, exc)
        self._pool.shutdown(wait=True, cancel_futures=True)
