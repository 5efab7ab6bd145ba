"""Reading request bodies: small JSON documents and streamed multipart parts."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from aiohttp.helpers import parse_mimetype

from .blobs import BlobWriter
from .errors import ApiError, bad_request
from .formdata import FormReader, reader_for
from .state import ServerState

#: Largest JSON body or plain form field accepted (they are all tiny).
MAX_SMALL_BODY = 1024 * 1024
#: Read size for JSON bodies.
READ_SIZE = 1024 * 1024


async def read_json(request: web.Request, state: ServerState) -> dict[str, Any]:
    """Return the JSON object in the body of ``request`` (400 if it is not one)."""
    body = await _read_small(request, state)
    try:
        value = json.loads(body) if body.strip() else None
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        value = None
    if not isinstance(value, dict):
        raise bad_request(
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
            "using your HTTP library correctly. The OpenAI API expects a JSON payload.)"
        )
    return value


async def read_field(reader: FormReader) -> str:
    """Return the current part of ``reader``, a plain form field, as text."""
    return (await reader.read_small(MAX_SMALL_BODY)).decode("utf-8", "replace")


async def _read_small(request: web.Request, state: ServerState) -> bytes:
    chunks = []
    size = 0
    while chunk := await request.content.read(READ_SIZE):
        size += len(chunk)
        await _account(request, state, len(chunk))
        if size > MAX_SMALL_BODY:
            raise bad_request(f"The request body is too large (over {MAX_SMALL_BODY} bytes).")
        chunks.append(chunk)
    return b"".join(chunks)


async def receive(reader: FormReader, writer: BlobWriter, *, limit: int, param: str) -> None:
    """Stream the current part of ``reader`` into ``writer``, refusing it past ``limit`` bytes."""
    async for piece in reader.stream():
        if writer.size + len(piece) > limit:
            raise too_large(param, limit)
        await writer.write(piece)


def too_large(param: str, limit: int) -> ApiError:
    """Return the 400 for a body over a size limit."""
    return bad_request(f"The {param} is too large: the maximum size is {limit} bytes.", param)


async def _account(request: web.Request, state: ServerState, count: int) -> None:
    state.stats.bytes_in += count
    await state.shaper.inbound(request.transport, count)


def multipart(request: web.Request, state: ServerState) -> FormReader:
    """Return a reader of the parts of ``request`` (400 if it is not multipart/form-data)."""
    mimetype = parse_mimetype(request.headers.get("Content-Type", ""))
    return reader_for(
        request.content_type,
        mimetype.parameters.get("boundary"),
        request.content,
        lambda count: _account(request, state, count),
    )
