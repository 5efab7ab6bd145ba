"""Waiting for a new file to be processed before it is used.

The service processes a new file (``status: "uploaded"``) before it can be used, and ends in
``"processed"`` or ``"error"`` (with ``status_details``: why). A fine-tune or batch job
started on a file still ``uploaded`` fails; :func:`wait_for_processing` polls until the
outcome is known.
"""

from __future__ import annotations

import time
from typing import Any

from openaifs.catalog import file_entry, url


class FileProcessingError(ValueError):
    """The service could not process a file (its ``status`` is ``"error"``).

    A :class:`ValueError`: the content the file was given is at fault, not the connection.
    ``status_details`` holds the service's reason; ``file_id`` and ``path`` say which file.
    """

    def __init__(self, path: str, file_id: str, status_details: str | None) -> None:
        reason = status_details or "no details given"
        super().__init__(f"{path}: the service could not process {file_id}: {reason}")
        self.path = path
        self.file_id = file_id
        self.status_details = status_details


def wait_for_processing(
    fs: Any, path: str, timeout: float | None = None, poll_interval: float = 1.0
) -> dict[str, Any]:
    """Poll ``path`` (a name or a file id) until its file is processed; return its details.

    See :meth:`openaifs.core.OpenAIFileSystem.wait_for_processing`.
    """
    if poll_interval <= 0:
        raise ValueError(
            f"poll_interval must be a positive number of seconds, not {poll_interval!r}"
        )
    if timeout is not None and timeout < 0:
        raise ValueError(f"timeout must be None or seconds >= 0, not {timeout!r}")
    file, name = fs._file(path)
    shown = url(name)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        status = file.get("status") or "processed"  # compatible services may omit it
        if status == "processed":
            return file_entry(file, name)
        if status == "error":
            raise FileProcessingError(shown, file["id"], file.get("status_details"))
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise TimeoutError(
                f"{shown}: {file['id']} is still {status!r} after {timeout} s "
                "(wait longer with a larger timeout=)"
            )
        time.sleep(poll_interval if left is None else min(poll_interval, left))
        file = fs.catalog.file_by_id(file["id"], shown, refresh=True)
