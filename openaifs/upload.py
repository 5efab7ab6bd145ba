"""Sending content to the service: one ``POST /files`` for small content, the Uploads API
(parts in parallel, md5 of the whole at ``complete``) for large content.

Every failure of a multipart upload cancels the Upload, so nothing is left pending and no
file appears. This module knows the API client, not fsspec.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import io
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from openaifs.client import APIClient
from openaifs.limits import MAX_PART_SIZE, MAX_UPLOAD_SIZE, MiB
from openaifs.progress import counted, counted_opener

logger = logging.getLogger("openaifs")


@dataclass(frozen=True)
class UploadSettings:
    """How content goes up.

    Parameters
    ----------
    part_size : int
        Bytes per Uploads API part (at most 64 MiB).
    threshold : int
        Content of at most this many bytes goes in one ``POST /files``.
    concurrency : int
        Parts in flight at once.
    checksum : bool
        Send the md5 of the whole at ``complete``, for the service to check. It costs
        about 2 s of CPU per GiB on each side; turn it off only where CPU, not the network,
        is the limit.
    """

    part_size: int = 32 * MiB
    threshold: int = 32 * MiB
    concurrency: int = 8
    checksum: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.part_size <= MAX_PART_SIZE:
            raise ValueError(f"part_size must be between 1 and {MAX_PART_SIZE} bytes")
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")


def check_size(size: int, path: str) -> None:
    """Refuse content over the Uploads ceiling before any byte is sent."""
    if size > MAX_UPLOAD_SIZE:
        raise ValueError(
            f"{path}: {size} bytes is over the service's limit of {MAX_UPLOAD_SIZE} bytes "
            "for one file"
        )


def md5_of_file(local_path: str, offset: int = 0, size: int | None = None) -> str:
    """The lower-case hex md5 of a local file (or a region of it)."""
    digest = hashlib.md5()
    with open(local_path, "rb") as f:
        f.seek(offset)
        remaining = size if size is not None else -1
        while remaining:
            chunk = f.read(4 * MiB if remaining < 0 else min(4 * MiB, remaining))
            if not chunk:
                break
            digest.update(chunk)
            remaining -= len(chunk)
    return digest.hexdigest()


def open_region(local_path: str, offset: int) -> Callable[[], IO[bytes]]:
    """A function that opens ``local_path`` positioned at ``offset``, afresh each call."""

    def opener() -> IO[bytes]:
        f = open(local_path, "rb")  # noqa: SIM115 - closed by the request body
        f.seek(offset)
        return f

    return opener


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
        Called with a part's index and id once the service has accepted it (the resume
        journal records it).
    keep_on_failure : bool
        On failure stop sending but leave the Upload pending, for a later resume.
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
        on_part_done: Callable[[int, str], Any] | None = None,
        keep_on_failure: bool = False,
    ) -> None:
        self.client = client
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
            opener = counted_opener(open_part, self.on_part)
            part = self.client.add_part(self.upload_id, opener, length, path=self.path)
            if self.on_part_done is not None:
                self.on_part_done(index, part["id"])
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

    def complete(self, md5: str | None, find_file: Callable[[], Any] | None = None) -> dict:
        """Wait for every part, then complete; returns the new File object.

        ``find_file`` finds the File an ambiguous earlier attempt to complete may have
        made (``None`` if there is none), so that a lost answer is not an error.
        """
        try:
            part_ids = [self._parts[i].result() for i in sorted(self._parts)]
        except cf.CancelledError:
            self._raise_if_failed()
            raise
        finally:
            self._pool.shutdown(wait=True)

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


def upload_local_file(
    client: APIClient,
    local_path: str,
    size: int,
    *,
    path: str,
    filename: str,
    purpose: str,
    mime_type: str,
    settings: UploadSettings,
    expires_after: int | None = None,
    md5: str | None = None,
    on_progress: Callable[[int], Any] | None = None,
    reconcile: Callable[[], Any] | None = None,
    upload: MultipartUpload | None = None,
) -> dict:
    """Send ``size`` bytes of a local file and return the new File object.

    Parameters
    ----------
    upload : MultipartUpload, optional
        The Upload to send the parts to (its own ``on_part`` reports progress), made by
        the caller; parts it already has are not sent again. Default: a new one, if
        ``size`` is over the threshold.
    md5 : str, optional
        The content's md5 if already known; otherwise it is computed while parts go up.
    reconcile : callable, optional
        Finds the file an ambiguous earlier attempt may have created (see
        :meth:`APIClient.request`), so that a retry leaves no duplicate.
    """
    check_size(size, path)
    if upload is None and size <= settings.threshold:
        with open(local_path, "rb") as source:
            file = client.create_file(
                counted(source, on_progress),
                size,
                filename=filename,
                purpose=purpose,
                mime_type=mime_type,
                expires_after=expires_after,
                path=path,
                reconcile=reconcile,
            )
        return file
    upload = upload or MultipartUpload(
        client,
        path=path,
        filename=filename,
        purpose=purpose,
        mime_type=mime_type,
        size=size,
        concurrency=settings.concurrency,
        expires_after=expires_after,
        on_part=on_progress,
    )
    try:
        with cf.ThreadPoolExecutor(1, thread_name_prefix="openaifs-md5") as hasher:
            wanted = md5 is None and settings.checksum
            digest = hasher.submit(md5_of_file, local_path, 0, size) if wanted else None
            for index, offset in enumerate(range(0, size, settings.part_size)):
                if upload.has_part(index):
                    continue
                length = min(settings.part_size, size - offset)
                upload.send(index, open_region(local_path, offset), length)
            md5 = digest.result() if digest is not None else md5
        md5 = md5 if settings.checksum else None
        return upload.complete(md5, reconcile)
    except BaseException:
        upload.abort()
        raise


def upload_bytes(
    client: APIClient,
    data: bytes | memoryview,
    *,
    path: str,
    filename: str,
    purpose: str,
    mime_type: str,
    expires_after: int | None = None,
    reconcile: Callable[[], Any] | None = None,
    on_progress: Callable[[int], Any] | None = None,
) -> dict:
    """Send in-memory content in one ``POST /files``."""
    check_size(len(data), path)
    return client.create_file(
        counted(io.BytesIO(data), on_progress),
        len(data),
        filename=filename,
        purpose=purpose,
        mime_type=mime_type,
        expires_after=expires_after,
        path=path,
        reconcile=reconcile,
    )


def remove_quietly(local_path: str) -> None:
    try:
        os.unlink(local_path)
    except FileNotFoundError:
        pass
