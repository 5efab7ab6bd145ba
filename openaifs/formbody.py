"""A ``multipart/form-data`` request body read lazily from its source, and the error that
carries a failure to read that source through the HTTP stack. This module knows no API."""

from __future__ import annotations

import io
import uuid
from typing import IO, Any


class SourceError(Exception):
    """The content of a request body could not be read (``error``, an OSError).

    Raised inside the HTTP stack, which takes any OSError for a broken connection and
    retries it (a local file that ended short was sent three times, then reported as "no
    answer"); this one passes through, and :meth:`APIClient.request` raises ``error``.
    """

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class MultipartBody(io.RawIOBase):
    """A ``multipart/form-data`` body read lazily, so a large part is never held in memory.

    Parameters
    ----------
    fields : dict
        Plain form fields, sent before the file.
    file_field : str
        The name of the field holding the content.
    filename : str
        The filename sent with the content.
    source : file-like or bytes
        The content; a file object is read from its current position.
    size : int
        How many bytes of ``source`` to send.
    content_type : str
        The content's MIME type.
    owns_source : bool
        Close ``source`` when this body is closed.
    """

    def __init__(
        self,
        fields: dict[str, str],
        file_field: str,
        filename: str,
        source: IO[bytes] | bytes,
        size: int,
        content_type: str = "application/octet-stream",
        *,
        owns_source: bool = False,
    ) -> None:
        super().__init__()
        self._owns_source = owns_source
        self.boundary = uuid.uuid4().hex
        head = b"".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
            for name, value in fields.items()
        )
        quoted = (
            filename.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "")
        )
        head += (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{quoted}"\r\nContent-Type: {content_type}\r\n\r\n'
        ).encode()
        self._head = io.BytesIO(head)
        self._tail = io.BytesIO(f"\r\n--{self.boundary}--\r\n".encode())
        self._source = (
            io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source
        )
        self._remaining = size
        self.len = len(head) + size + len(self._tail.getvalue())
        self._pos = 0

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self.len

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        # requests sizes a body as len() - tell(); without this it falls back to chunked.
        return self._pos

    def read(self, n: int = -1) -> bytes | memoryview:
        if n is None or n < 0:
            n = self.len
        out: bytes | memoryview = self._head.read(n)
        if len(out) < n and self._remaining:
            try:
                chunk = self._source.read(min(n - len(out), self._remaining))
            except OSError as exc:
                raise SourceError(exc) from exc
            if not chunk:
                short = f"content ended {self._remaining} bytes short of its declared size"
                raise SourceError(OSError(short))
            self._remaining -= len(chunk)
            # A source in memory hands out views of its bytes: passed on as they are, not
            # copied, unless headers or the closing boundary share this read.
            out = chunk if not out else bytes(out) + chunk
        if len(out) < n and not self._remaining:
            out = bytes(out) + self._tail.read(n - len(out))
        self._pos += len(out)
        return out

    def close(self) -> None:
        if self._owns_source and hasattr(self._source, "close"):
            self._source.close()
        super().close()

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
