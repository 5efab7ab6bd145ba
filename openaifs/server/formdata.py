"""Reading a multipart/form-data body as it arrives, finding boundaries with ``bytes.find``.

aiohttp's multipart reader copies every chunk several times while it looks for the boundary;
at loopback speed that, not the network, limited how fast the server could take a file in.
Here a part's bytes are handed on as slices of the chunks the HTTP parser produced: the only
scan is one ``bytes.find`` per chunk, and the only copies are of the few bytes around a seam.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import StreamReader
from aiohttp.multipart import content_disposition_filename, parse_content_disposition

from .errors import bad_request

#: Largest block of part headers accepted (a real one is a few hundred bytes).
MAX_HEADERS = 16 * 1024

Account = Callable[[int], Awaitable[None]]


_QUOTED_FILENAME = re.compile(r';\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"', re.IGNORECASE)


@dataclass(frozen=True)
class FormPart:
    """The headers of one part: its form field ``name`` and, for a file, its ``filename``."""

    name: str
    filename: str | None


class FormReader:
    """The parts of a multipart/form-data body, in order, each read once as it streams in.

    Parameters
    ----------
    content
        The request body.
    boundary
        The ``boundary`` parameter of the request's Content-Type.
    account
        Awaited with the size of every chunk received (statistics and inbound shaping).
    """

    def __init__(self, content: StreamReader, boundary: str, account: Account) -> None:
        self._content = content
        self._account = account
        self._delimiter = b"\r\n--" + boundary.encode("latin-1")
        # A CRLF in front makes the first boundary line look like every later one.
        self._buffer = b"\r\n"
        self._in_part = False
        self._finished = False

    async def next(self) -> FormPart | None:
        """Return the next part's headers (skipping what is left of the current part), or ``None``.

        Raises
        ------
        ApiError
            400 if the body is not well-formed multipart.
        """
        if self._in_part:
            async for _ in self.stream():
                pass  # the rest of a part nobody wanted
        if self._finished:
            return None
        await self._find_delimiter()
        after = await self._fill(len(self._delimiter) + 2)
        if after[len(self._delimiter) :].startswith(b"--"):
            self._finished = True
            await self._drain()
            return None
        line_end = await self._find(b"\r\n", len(self._delimiter))
        start = line_end + 2
        if (await self._fill(start + 2))[start : start + 2] == b"\r\n":
            headers_end, data_start = start, start + 2  # a part without headers
        else:
            headers_end = await self._find(b"\r\n\r\n", start)
            data_start = headers_end + 4
        part = _parse_headers(self._buffer[start:headers_end])
        self._buffer = self._buffer[data_start:]
        self._in_part = True
        return part

    async def stream(self) -> AsyncIterator[bytes | memoryview]:
        """Yield the bytes of the current part as they arrive (slices of received chunks)."""
        if not self._in_part:
            return
        delimiter = self._delimiter
        keep = len(delimiter) - 1  # bytes that may be the start of a delimiter split by a seam
        carry = self._buffer
        end = carry.find(delimiter)
        if end < 0 and len(carry) > keep:
            yield memoryview(carry)[: len(carry) - keep]
            carry = carry[len(carry) - keep :]
        while end < 0:
            chunk = await self._read()
            if len(chunk) <= keep:  # a tiny chunk (a trickling client): joining it is cheap
                carry += chunk
                end = carry.find(delimiter)
                if end < 0 and len(carry) > keep:
                    yield carry[: len(carry) - keep]
                    carry = carry[len(carry) - keep :]
                continue
            seam = carry + chunk[:keep]
            end = seam.find(delimiter)
            if end >= 0:  # the delimiter starts in the carried bytes
                carry = seam + chunk[keep:]
                break
            if carry:
                yield carry
            end = chunk.find(delimiter)
            carry = chunk
            if end < 0:
                yield memoryview(chunk)[: len(chunk) - keep]
                carry = chunk[len(chunk) - keep :]
        if end:
            yield memoryview(carry)[:end]
        self._buffer = carry[end:]
        self._in_part = False

    async def read_small(self, limit: int) -> bytes:
        """Return the whole current part (a plain field), refusing one over ``limit`` bytes."""
        pieces = []
        size = 0
        async for piece in self.stream():
            size += len(piece)
            if size > limit:
                raise bad_request(f"A form field is too large (over {limit} bytes).")
            pieces.append(piece)
        return b"".join(pieces)

    async def _read(self) -> bytes:
        while True:
            chunk, end_of_http_chunk = await self._content.readchunk()
            if chunk:
                await self._account(len(chunk))
                return chunk
            if not end_of_http_chunk:
                raise bad_request("The multipart body ended before its closing boundary.")

    async def _fill(self, size: int) -> bytes:
        """Make the buffer at least ``size`` bytes long (it holds headers: small)."""
        while len(self._buffer) < size:
            self._buffer += await self._read()
        return self._buffer

    async def _find(self, needle: bytes, start: int) -> int:
        """Return where ``needle`` is in the buffer from ``start``, reading headers as needed."""
        while (at := self._buffer.find(needle, start)) < 0:
            if len(self._buffer) > MAX_HEADERS:
                raise bad_request("The headers of a multipart part are too long or never end.")
            self._buffer += await self._read()
        return at

    async def _find_delimiter(self) -> None:
        """Drop bytes up to the next delimiter (only the preamble has any)."""
        keep = len(self._delimiter) - 1
        while (at := self._buffer.find(self._delimiter)) < 0:
            self._buffer = self._buffer[-keep:] + await self._read()
        self._buffer = self._buffer[at:]

    async def _drain(self) -> None:
        """Read the epilogue after the closing boundary to the end of the body."""
        self._buffer = b""
        while chunk := await self._content.readany():
            await self._account(len(chunk))


def _parse_headers(block: bytes) -> FormPart:
    headers = {}
    for line in block.split(b"\r\n") if block else []:
        name, colon, value = line.partition(b":")
        if not colon:
            raise bad_request("A multipart part has a malformed header line.")
        headers[name.strip().lower()] = value.strip().decode("utf-8", "surrogateescape")
    try:
        _, params = parse_content_disposition(headers.get(b"content-disposition"))
    except ValueError:
        params = {}
    disposition = headers.get(b"content-disposition", "")
    return FormPart(params.get("name", ""), _exact_filename(disposition, params))


def _exact_filename(disposition: str, params: dict) -> str | None:
    """The filename exactly as sent: aiohttp's parser drops a leading ``/`` or ``\\`` from
    a quoted one, and the service keeps whole paths (API.md), so a plain quoted name is read
    from the header itself; an RFC 5987 name (``filename*=``) is left to aiohttp."""
    parsed = content_disposition_filename(params, "filename")
    quoted = _QUOTED_FILENAME.search(disposition)
    if quoted is None or "filename*" in disposition.lower():
        return parsed
    return re.sub(r"\\(.)", r"\1", quoted.group(1))


def reader_for(
    content_type: str, boundary: str | None, content: StreamReader, account: Account
) -> FormReader:
    """Return a :class:`FormReader`, or raise 400 unless the body is multipart/form-data."""
    if content_type != "multipart/form-data":
        raise bad_request("The request must be sent as multipart/form-data.")
    if not boundary:
        raise bad_request("Could not parse the multipart body: its Content-Type has no boundary.")
    return FormReader(content, boundary, account)
