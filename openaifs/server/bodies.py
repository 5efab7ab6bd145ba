"""Reading request bodies: small JSON documents and streamed multipart parts."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import BodyPartReader, web

from .blobs import BlobWriter
from .errors import ApiError, bad_request
from .state import ServerState

#: Largest JSON body or plain form field accepted (they are all tiny).
MAX_SMALL_BODY = 1024 * 1024
#: Read size for streamed parts.
READ_SIZE = 1024 * 1024


async def read_json(request: web.Request, state: ServerState) -> dict[str, Any]:
    """Return the JSON object in the body of ``request`` (400 if it is not one)."""
    body = await _read_small(request.content, request, state)
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


async def read_field(part: BodyPartReader, request: web.Request, state: ServerState) -> str:
    """Return a plain form field as text."""
    return (await _read_small(part, request, state)).decode("utf-8", "replace")


async def _read_small(source: Any, request: web.Request, state: ServerState) -> bytes:
    chunks = []
    size = 0
    while True:
        chunk = await (
            source.read_chunk(READ_SIZE)
            if isinstance(source, BodyPartReader)
            else source.read(READ_SIZE)
        )
        if not chunk:
            break
        size += len(chunk)
        await _account(request, state, len(chunk))
        if size > MAX_SMALL_BODY:
            raise bad_request(f"The request body is too large (over {MAX_SMALL_BODY} bytes).")
        chunks.append(chunk)
    return b"".join(chunks)


async def receive(
    part: BodyPartReader,
    writer: BlobWriter,
    request: web.Request,
    state: ServerState,
    *,
    limit: int,
    param: str,
) -> None:
    """Stream one multipart part into ``writer``, refusing it once it exceeds ``limit`` bytes."""
    while chunk := await part.read_chunk(READ_SIZE):
        if writer.size + len(chunk) > limit:
            raise too_large(param, limit)
        await _account(request, state, len(chunk))
        await writer.write(chunk)


def too_large(param: str, limit: int) -> ApiError:
    """Return the 400 for a body over a size limit."""
    return bad_request(f"The {param} is too large: the maximum size is {limit} bytes.", param)


async def _account(request: web.Request, state: ServerState, count: int) -> None:
    state.stats.bytes_in += count
    await state.shaper.inbound(request.transport, count)


async def multipart(request: web.Request) -> Any:
    """Return a multipart reader for ``request`` (400 if the body is not multipart/form-data)."""
    if request.content_type != "multipart/form-data":
        raise bad_request("The request must be sent as multipart/form-data.")
    try:
        return await request.multipart()
    except (ValueError, AssertionError) as exc:
        raise bad_request(f"Could not parse the multipart body: {exc}") from None


async def next_part(reader: Any) -> BodyPartReader | None:
    """Return the next part of a multipart body, ``None`` after the last (400 for a part that
    is itself multipart: the API has none, and the handlers read parts as plain bytes)."""
    part = await reader.next()
    if part is not None and not isinstance(part, BodyPartReader):
        raise bad_request("A part of the multipart body is itself multipart; send plain parts.")
    return part
