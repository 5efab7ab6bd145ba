"""Handlers of the Files API: create, list, retrieve, delete, content."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from .bodies import multipart, read_field, receive
from .config import MAX_LIST_LIMIT
from .content import Content
from .errors import ApiError, bad_request, not_found
from .ids import new_id
from .objects import deleted_object, file_object
from .responses import BodyResponse, error_response, json_response
from .rules import check_purpose, check_text, expires_at, missing, whole_number
from .state import PROJECT, STATE, ServerState
from .storage import CursorNotFound


def _state(request: web.Request) -> ServerState:
    return request.app[STATE]


# The quoted filename parameter of a Content-Disposition header, backslash escapes included.


async def create(request: web.Request) -> web.StreamResponse:
    """``POST /files``: stream the ``file`` part to disk, then validate and publish it."""
    state = _state(request)
    settings = state.settings
    reader = multipart(request, state)
    fields: dict[str, str] = {}
    filename: str | None = None
    async with state.new_blob() as writer:
        while (part := await reader.next()) is not None:
            if part.name == "file":
                if filename is not None:
                    raise bad_request("Only one 'file' may be sent.", "file")
                filename = check_text(part.filename or "", "filename of 'file'", "file")
                await receive(reader, writer, limit=settings.max_file_size, param="file")
            else:
                fields[part.name] = await read_field(reader)
        if filename is None:
            raise missing("file")
        if not filename:
            raise bad_request("The 'file' part must have a filename.", "file")
        purpose = check_purpose(fields.get("purpose"), filename, writer.size, settings, "file")
        now = state.clock.now()
        expiry = expires_at(
            fields.get("expires_after[anchor]"), fields.get("expires_after[seconds]"), now
        )
        file_id = new_id("file-")
        size = writer.size
        await writer.commit(state.storage.blob_path(file_id))
    record = {
        "id": file_id,
        "project": request[PROJECT],
        "filename": filename,
        "purpose": purpose,
        "bytes": size,
        "created_at": now,
        "expires_at": expiry,
        "md5": None,
    }
    state.start_processing(file_id, now)
    row = await state.run(state.storage.add_file, record)
    return json_response(file_object(row, state.file_status(file_id)))


async def list_files(request: web.Request) -> web.StreamResponse:
    """``GET /files``: one page, newest first unless ``order=asc``."""
    state = _state(request)
    query = request.query
    limit_text = query.get("limit", str(MAX_LIST_LIMIT))
    limit = whole_number(limit_text)
    if limit is None or not 1 <= limit <= MAX_LIST_LIMIT:
        raise bad_request(
            f"Invalid 'limit': {limit_text!r}. It must be an integer between 1 and "
            f"{MAX_LIST_LIMIT}.",
            "limit",
        )
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise bad_request(
            f"Invalid value for 'order': {order!r}. Supported values are: 'asc', 'desc'.", "order"
        )
    after = query.get("after") or None
    try:
        rows, has_more = await state.run(
            state.storage.list_files,
            request[PROJECT],
            now=state.clock.now(),
            purpose=query.get("purpose") or None,
            limit=limit,
            order=order,
            after=after,
        )
    except CursorNotFound:
        raise bad_request(f"Invalid 'after': no file with id {after!r}.", "after") from None
    data = [file_object(row, state.file_status(row["id"])) for row in rows]
    return json_response(
        {
            "object": "list",
            "data": data,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
            "has_more": has_more,
        }
    )


async def _live_file(request: web.Request) -> dict[str, Any]:
    state = _state(request)
    file_id = request.match_info["file_id"]
    row = await state.run(state.storage.get_file, request[PROJECT], file_id, state.clock.now())
    if row is None:
        raise not_found("File", file_id)
    return row


async def retrieve(request: web.Request) -> web.StreamResponse:
    """``GET /files/{id}``."""
    row = await _live_file(request)
    return json_response(file_object(row, _state(request).file_status(row["id"])))


async def delete(request: web.Request) -> web.StreamResponse:
    """``DELETE /files/{id}``."""
    state = _state(request)
    file_id = request.match_info["file_id"]
    content = await state.run(
        state.storage.delete_file, request[PROJECT], file_id, state.clock.now()
    )
    if content is None:
        raise not_found("File", file_id)
    state.run_later(state.storage.remove_content, content)
    return json_response(deleted_object(file_id))


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


async def content(request: web.Request) -> web.StreamResponse:
    """``GET /files/{id}/content``: the raw bytes, always whole unless ``honour_range`` is set."""
    state = _state(request)
    row = await _live_file(request)
    try:
        # Opened now so a delete racing with the download cannot pull the content away.
        source = Content(await state.run(state.storage.content, row["id"]))
    except FileNotFoundError:
        raise not_found("File", row["id"]) from None
    size = row["bytes"]
    headers = {"Content-Type": "application/octet-stream"}
    start, count, status = 0, size, 200
    if state.settings.honour_range and "Range" in request.headers:
        match = _RANGE.fullmatch(request.headers["Range"].strip())
        if match and (match[1] or match[2]):
            if match[1]:
                start = int(match[1])
                end = min(int(match[2]), size - 1) if match[2] else size - 1
            else:  # a suffix range: the last N bytes
                start = max(0, size - int(match[2]))
                end = size - 1
            if start >= size or end < start:
                source.close()
                response = error_response(
                    ApiError(416, f"The range {request.headers['Range']!r} is outside the file.")
                )
                response.headers["Content-Range"] = f"bytes */{size}"
                return response
            count, status = end - start + 1, 206
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    if count == 0:
        # sendfile refuses a count of 0 (a traceback after the headers were sent): an empty
        # file has nothing to stream anyway.
        source.close()
        source = b""
    return BodyResponse(state, source, start, count, status=status, headers=headers)
