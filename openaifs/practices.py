"""The service's best practices as methods of the filesystem: many sources into one file,
waiting for processing, the pending (resumable) uploads, and the ``expires_after`` default.

:class:`PracticesMixin` is a base of :class:`~openaifs.core.OpenAIFileSystem`; each method
is thin and hands the work to its module (:mod:`openaifs.merge`, :mod:`openaifs.processing`,
:mod:`openaifs.resume`, :mod:`openaifs.age`).
"""

from __future__ import annotations

from typing import Any

from fsspec.callbacks import Callback

from openaifs import age
from openaifs.catalog import file_entry
from openaifs.limits import MAX_EXPIRES_AFTER, MIN_EXPIRES_AFTER
from openaifs.merge import merge as merge_sources
from openaifs.processing import wait_for_processing


class PracticesMixin:
    """The best-practice methods of :class:`~openaifs.core.OpenAIFileSystem`."""

    def merge(
        self,
        path: str,
        sources: list[Any],
        callback: Callback | None = None,
        *,
        overwrite: str | None = None,
        expires_after: int | None = None,
        mime_type: str | None = None,
        wait: bool = False,
    ) -> dict[str, Any]:
        """Write one file whose content is ``sources`` in order; return its details.

        Local sources go up in parallel parts straight from their files (a source larger
        than ``part_size`` is split; nothing is concatenated locally); ``openai://`` sources
        stream through this machine. All of it is one Upload: the file appears whole, or
        not at all. The Uploads limits apply to the total (8 GB).

        Parameters
        ----------
        path : str
            The new file, ``openai://<purpose>/<filename>``.
        sources : list
            Local paths and ``openai://`` files (by name or id), in order.
        callback : fsspec Callback, optional
            Progress in bytes.
        overwrite, expires_after, mime_type
            As for :meth:`open`.
        wait : bool
            Return only once the service has processed the file (see
            :meth:`wait_for_processing`).
        """
        file = merge_sources(
            self,
            path,
            list(sources) if isinstance(sources, tuple) else sources,
            callback=callback,
            overwrite=overwrite,
            expires_after=expires_after,
            mime_type=mime_type,
        )
        if wait:
            return self.wait_for_processing(file["id"])
        return file_entry(file, self._resolve(path).unresolve())

    def wait_for_processing(
        self, path: str, timeout: float | None = None, poll_interval: float = 1.0
    ) -> dict[str, Any]:
        """Wait until the service has processed a file; return its details.

        A new file is ``"uploaded"`` until the service has processed it; a job started on
        it before then fails. This polls the file every ``poll_interval`` seconds.

        Parameters
        ----------
        path : str
            A file path (the newest file of the name) or a file id.
        timeout : float, optional
            Seconds to wait at most (default: as long as it takes).
        poll_interval : float
            Seconds between looks.

        Raises
        ------
        FileProcessingError
            (a :class:`ValueError`) if processing ended in ``"error"``; its message and
            ``status_details`` attribute carry the service's reason.
        TimeoutError
            If the file is still not processed after ``timeout`` seconds.
        """
        return wait_for_processing(self, path, timeout, poll_interval)

    def pending_uploads(self) -> list[Any]:
        """The interrupted uploads the same ``put_file`` would resume, as
        :class:`~openaifs.resume.Journal` objects (of any endpoint or key)."""
        return self.publisher.journals.pending()

    def clear_pending_uploads(self) -> int:
        """Cancel the interrupted uploads (those of this endpoint and key; the others expire
        within the hour) and remove every journal; return how many there were."""
        pending = self.pending_uploads()
        for journal in pending:
            self.publisher.journals.discard(journal)
        return len(pending)

    def _check_wait(self, wait: bool) -> None:
        if wait and self._intrans:
            raise ValueError(
                "wait=True cannot wait inside fs.transaction: the file appears when the block "
                "ends; call fs.wait_for_processing(path) after it"
            )


def check_expires_after(value: age.Duration | None) -> int | None:
    """The ``expires_after`` storage option in whole seconds, checked against the service's
    range before any write (a bad value would otherwise fail every write)."""
    if value is None:
        return None
    seconds = int(age.parse_duration(value))
    if not MIN_EXPIRES_AFTER <= seconds <= MAX_EXPIRES_AFTER:
        raise ValueError(
            f"expires_after must be between {MIN_EXPIRES_AFTER} s (one hour) and "
            f"{MAX_EXPIRES_AFTER} s (thirty days), not {value!r}"
        )
    return seconds
