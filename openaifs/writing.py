"""The one-file write methods of :class:`~openaifs.core.OpenAIFileSystem` (``pipe_file``,
``put_file``, ``cp_file``): each checks its target through the write pipeline
(:mod:`openaifs.publish`) and sends the content the cheapest way it can."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from fsspec.callbacks import DEFAULT_CALLBACK, Callback

from openaifs import arguments, options
from openaifs.progress import ThreadSafeProgress

if TYPE_CHECKING:
    from openaifs.publish import WriteTarget


class WriteMethods:
    """Mixed into the filesystem; uses its ``publisher``, ``reader``, ``_target`` and
    ``_writer``."""

    def pipe_file(
        self,
        path: str,
        value: bytes,
        mode: str = "overwrite",
        *,
        overwrite: str | None = None,
        expires_after: int | None = None,
        mime_type: str | None = None,
        wait: bool = False,
        **kwargs: Any,
    ) -> None:
        """Write ``value`` (bytes) to ``path``.

        Parameters
        ----------
        mode : {"overwrite", "create"}
            ``"create"`` raises :class:`FileExistsError` if the name exists.
        overwrite, expires_after, mime_type
            As for :meth:`open`.
        wait : bool
            Return only once the service has processed the file (see
            :meth:`wait_for_processing`).
        """
        options.refuse_filesystem_options(type(self), "pipe_file", kwargs)
        arguments.check_content(value)
        arguments.check_write_mode(mode)
        self._check_wait(wait)
        size = len(value)
        policy = "error" if mode == "create" else overwrite
        target = self._target(path, policy, size, expires_after, mime_type)
        if size <= self.upload_settings.threshold and not self._intrans:
            self.publisher.publish(target, self.publisher.send_bytes(target, value))
        else:
            view = memoryview(value)
            step = self.upload_settings.part_size
            with self._writer(target, size) as f:
                # A part at a time: one write of everything would be copied whole into the
                # writer's buffer before the first part went out.
                for start in range(0, size, step):
                    f.write(view[start : start + step])
        if wait:
            self.wait_for_processing(path)

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
        resume: bool | None = None,
        wait: bool = False,
        **kwargs: Any,
    ) -> None:
        """Upload a local file; parts of a large one go up in parallel, straight from disk.

        Parameters
        ----------
        callback : fsspec.callbacks.Callback
            Told of the bytes as they are sent (at least once per MiB).
        mode : {"overwrite", "create"}
            ``"create"`` raises :class:`FileExistsError` if the name exists.
        overwrite, expires_after, mime_type
            As for :meth:`open`.
        wait : bool
            Return only once the service has processed the new file (see
            :meth:`wait_for_processing`).
        resume : bool, optional
            Carry on from an interrupted earlier run of the same call, if the service
            still holds its Upload (default: the filesystem's ``resume``).
        """
        options.refuse_filesystem_options(type(self), "put_file", kwargs)
        self._check_wait(wait)
        sent = self._send_file(
            lpath, rpath, callback, mode, overwrite, expires_after, mime_type, resume
        )
        if sent is not None:
            target, file = sent
            self.publisher.publish(target, file)
            if wait:
                self.wait_for_processing(file["id"])

    def _send_file(
        self,
        lpath: str,
        rpath: str,
        callback: Callback = DEFAULT_CALLBACK,
        mode: str = "overwrite",
        overwrite: str | None = None,
        expires_after: int | None = None,
        mime_type: str | None = None,
        resume: bool | None = None,
    ) -> tuple[WriteTarget, dict[str, Any]] | None:
        """:meth:`put_file` up to publishing: the new file, made but not yet published
        (``None``: nothing to publish, a folder or a transaction's deferred write)."""
        arguments.check_write_mode(mode)
        if os.path.isdir(lpath):
            return None
        size = os.path.getsize(lpath)
        policy = "error" if mode == "create" else overwrite
        target = self._target(rpath, policy, size, expires_after, mime_type)
        if self._intrans:
            with open(lpath, "rb") as source, self._writer(target, size, callback=callback) as out:
                while chunk := source.read(self.upload_settings.part_size):
                    out.write(chunk)
            return None
        progress = ThreadSafeProgress(callback)
        progress.set_size(size)
        file = self.publisher.send_local(
            target,
            lpath,
            size,
            on_progress=progress,
            resume=self.resume if resume is None else resume,
        )
        return target, file

    def cp_file(
        self,
        path1: str,
        path2: str,
        *,
        overwrite: str | None = None,
        expires_after: int | None = None,
        mime_type: str | None = None,
        callback: Callback | None = None,
        **kwargs: Any,
    ) -> None:
        """Copy a file. The service has no copy: the content streams down and back up,
        through the Uploads API in parallel parts when large, with bounded memory. A
        folder needs no copy of its own: its files make it (``copy(recursive=True)``).

        Parameters
        ----------
        overwrite, expires_after, mime_type, callback
            As for :meth:`open` (``callback`` counts the bytes sent).
        """
        options.refuse_filesystem_options(type(self), "cp_file", kwargs)
        try:
            file, name = self._file(path1)
        except IsADirectoryError:
            return
        size = file["bytes"]
        target = self._target(path2, overwrite, size, expires_after, mime_type)
        with self._writer(target, size, callback=callback) as out:
            for chunk in self.reader.iter(file, name):
                out.write(chunk)
