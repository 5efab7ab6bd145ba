"""Answers: JSON, file contents (streamed, shaped or cut short) and dropped connections."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from aiohttp import web

from .errors import ApiError
from .state import ServerState

#: Write size for streamed contents when the connection is not shaped.
WRITE_SIZE = 1024 * 1024


def json_response(data: Any, status: int = 200) -> web.Response:
    """Return ``data`` as a JSON answer."""
    return web.json_response(data, status=status, dumps=json.dumps)


def error_response(error: ApiError) -> web.Response:
    """Return an OpenAI-shaped error answer."""
    return json_response(error.body(), status=error.status)


class Dropped(web.StreamResponse):
    """Close the connection without answering (the client sees the connection end)."""

    async def prepare(self, request: web.BaseRequest) -> Any:
        close_connection(request)
        # aiohttp treats a ConnectionError from prepare as a client that went away: nothing is sent.
        raise ConnectionResetError("connection dropped on purpose")


def close_connection(request: web.BaseRequest) -> None:
    """Close the connection of ``request`` after flushing what was already written."""
    if request.transport is not None:
        request.transport.close()


class BodyResponse(web.StreamResponse):
    """Send a body from a file's content (or bytes) with a correct Content-Length, shaped and
    cuttable.

    Parameters
    ----------
    state
        For shaping and statistics.
    source
        The :class:`Content` of a file (closed once sent), or bytes.
    start, count
        The slice of the source to send.
    cut_after
        Send only this many body bytes, then close the connection (a scripted truncation).
    """

    def __init__(
        self,
        state: ServerState,
        source: Any,
        start: int,
        count: int,
        *,
        status: int = 200,
        headers: Any = None,
        cut_after: int | None = None,
    ) -> None:
        super().__init__(status=status, headers=headers)
        self.content_length = count
        self._body_state = state
        self._body_source = source
        self._body_offset = start
        self._body_count = count
        self._body_cut = cut_after

    def cut(self, after_bytes: int) -> None:
        """Truncate the body after ``after_bytes`` bytes."""
        self._body_cut = after_bytes

    async def prepare(self, request: web.BaseRequest) -> Any:
        if self.prepared:
            return await super().prepare(request)
        try:
            writer = await super().prepare(request)
            count = (
                self._body_count
                if self._body_cut is None
                else min(self._body_count, self._body_cut)
            )
            if count == 0:
                pass  # an empty body: loop.sendfile refuses a count of 0
            elif isinstance(self._body_source, (bytes, bytearray)):
                await self._send_bytes(request, count)
            else:
                for file, offset, length in self._body_source.slices(self._body_offset, count):
                    if self._body_state.shaper.limited or self._body_cut is not None:
                        await self._send_chunks(request, file, offset, length)
                    else:
                        await self._sendfile(request, file, offset, length)
            self._body_state.stats.bytes_out += count
        finally:
            if not isinstance(self._body_source, (bytes, bytearray)):
                self._body_source.close()
        if self._body_cut is not None:
            close_connection(request)
            raise ConnectionResetError("body cut short on purpose")
        return writer

    async def _send_bytes(self, request: web.BaseRequest, count: int) -> None:
        data = memoryview(self._body_source)[self._body_offset : self._body_offset + count]
        await self._body_state.shaper.outbound(request.transport, len(data))
        await self.write(data)

    async def _sendfile(self, request: web.BaseRequest, file: Any, offset: int, count: int) -> None:
        # The kernel copies file to socket: fastest when nothing needs to watch the bytes.
        loop = asyncio.get_running_loop()
        transport = request.transport
        if transport is None:
            raise ConnectionResetError("connection lost")
        try:
            await loop.sendfile(transport, file, offset, count)
        except NotImplementedError:
            await self._send_chunks(request, file, offset, count)

    async def _send_chunks(
        self, request: web.BaseRequest, file: Any, offset: int, count: int
    ) -> None:
        size = self._body_state.shaper.chunk_size(WRITE_SIZE)
        end = offset + count
        descriptor = file.fileno()
        while offset < end:
            chunk = os.pread(descriptor, min(size, end - offset), offset)
            if not chunk:
                raise ConnectionResetError("content ended early")  # files never shrink
            await self._body_state.shaper.outbound(request.transport, len(chunk))
            await self.write(chunk)
            offset += len(chunk)


def cut_short(state: ServerState, response: web.StreamResponse, after_bytes: int) -> Any:
    """Return ``response`` changed to send only ``after_bytes`` of its body, then close."""
    if isinstance(response, BodyResponse):
        response.cut(after_bytes)
        return response
    if isinstance(response, web.Response) and response.body is not None:
        body = bytes(response.body)  # type: ignore[arg-type]
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return BodyResponse(
            state,
            body,
            0,
            len(body),
            status=response.status,
            headers=headers,
            cut_after=after_bytes,
        )
    return response
