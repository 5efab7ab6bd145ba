"""Handlers of the Uploads API: create, add a part, complete, cancel."""

from __future__ import annotations

import os
import re
from typing import Any

from aiohttp import web

from openaifs.limits import PART_INDEX_HEADER

from .bodies import multipart, read_json, receive
from .digests import part_index
from .errors import ApiError, bad_request, not_found
from .ids import new_id
from .objects import part_object, upload_object
from .responses import json_response
from .rules import check_purpose, check_text, expires_at, missing, whole_number
from .state import PROJECT, STATE, ServerState
from .storage import upload_status

_MD5 = re.compile(r"[0-9a-fA-F]{32}")


def _state(request: web.Request) -> ServerState:
    return request.app[STATE]


async def create(request: web.Request) -> web.StreamResponse:
    """``POST /uploads``: a pending Upload of ``bytes`` bytes."""
    state = _state(request)
    settings = state.settings
    body = await read_json(request, state)
    for name in ("bytes", "filename", "mime_type", "purpose"):
        if body.get(name) is None:
            raise missing(name)
    size = body["bytes"]
    if whole_number(size) is None or isinstance(size, str) or size < 0:
        raise bad_request(
            f"Invalid value for 'bytes': {size!r}. It must be an integer >= 0.", "bytes"
        )
    if size > settings.max_upload_size:
        raise bad_request(
            f"An Upload may be at most {settings.max_upload_size} bytes (asked for {size}).",
            "bytes",
        )
    for name in ("filename", "mime_type"):
        if not isinstance(body[name], str) or not body[name]:
            raise bad_request(f"Invalid value for '{name}': it must be a non-empty string.", name)
        check_text(body[name], f"value for '{name}'", name)
    purpose = check_purpose(body["purpose"], body["filename"], size, settings, "bytes")
    policy = body.get("expires_after")
    if policy is not None and not isinstance(policy, dict):
        raise bad_request(
            "Invalid value for 'expires_after': it must be an object.", "expires_after"
        )
    policy = policy or {}
    now = state.clock.now()
    file_expiry = expires_at(policy.get("anchor"), policy.get("seconds"), now)
    record = {
        "id": new_id("upload_"),
        "project": request[PROJECT],
        "filename": body["filename"],
        "purpose": purpose,
        "bytes": size,
        "mime_type": body["mime_type"],
        "created_at": now,
        "expires_at": now + settings.upload_expiry_seconds,
        "file_expires_after": None if file_expiry is None else file_expiry - now,
        "status": "pending",
    }
    state.digests.forget(await state.run(state.storage.expire_uploads, now))
    await state.run(state.storage.add_upload, record)
    return json_response(upload_object(record, now))


async def _upload(request: web.Request) -> dict[str, Any]:
    state = _state(request)
    upload_id = request.match_info["upload_id"]
    row = await state.run(state.storage.get_upload, request[PROJECT], upload_id)
    if row is None:
        raise not_found("Upload", upload_id)
    return row


def _refuse_unless_pending(row: dict[str, Any], now: int, action: str) -> None:
    status = upload_status(row, now)
    if status != "pending":
        raise bad_request(
            f"Cannot {action} Upload {row['id']}: its status is '{status}' (it must be 'pending').",
            "upload_id",
        )


async def add_part(request: web.Request) -> web.StreamResponse:
    """``POST /uploads/{id}/parts``: store the ``data`` part as one Upload part."""
    state = _state(request)
    upload_id = request.match_info["upload_id"]
    # The running md5 follows the order in which part requests began, or the place a
    # request names: take a place in it before the first await, while requests are still
    # in the order they arrived.
    digest = state.digests.of(upload_id, request[PROJECT])
    slot = digest.begin(part_index(request.headers.get(PART_INDEX_HEADER)))
    try:
        try:
            row = await _upload(request)
            _refuse_unless_pending(row, state.clock.now(), "add a part to")
        except ApiError:
            # No pending Upload of that id for this project: keep no digest for it.
            state.digests.forget_unless_owned(upload_id, request[PROJECT])
            raise
        part = await _store_part(request, state, row)
    except BaseException:
        digest.dropped(slot)
        raise
    digest.finished(slot, part["id"], state.storage.part_path(part["id"]))
    return json_response(part_object(part))


async def _store_part(
    request: web.Request, state: ServerState, row: dict[str, Any]
) -> dict[str, Any]:
    """Receive the ``data`` field into a new part of the pending Upload ``row``."""
    reader = multipart(request, state)
    part_id = new_id("part_")
    received = False
    async with state.new_blob() as writer:
        while (field := await reader.next()) is not None:
            if field.name != "data" or received:
                continue  # the reader skips what is left of a part nobody reads
            received = True
            limit = state.settings.max_part_size
            await receive(reader, writer, limit=limit, param="data")
        if not received:
            raise missing("data")
        size = writer.size
        await writer.commit(state.storage.part_path(part_id))
    now = state.clock.now()
    part = {"id": part_id, "upload_id": row["id"], "created_at": now, "bytes": size}
    status = await state.run(state.storage.add_part, row["id"], part, now)
    if status != "pending":
        os.unlink(state.storage.part_path(part_id))
        _refuse_unless_pending({**row, "status": status}, now, "add a part to")
    return part


async def complete(request: web.Request) -> web.StreamResponse:
    """``POST /uploads/{id}/complete``: make the listed parts, in order, a new File."""
    state = _state(request)
    body = await read_json(request, state)
    part_ids = body.get("part_ids")
    if part_ids is None:
        raise missing("part_ids")
    if not isinstance(part_ids, list) or not all(isinstance(p, str) for p in part_ids):
        raise bad_request(
            "Invalid value for 'part_ids': it must be a list of part ids.", "part_ids"
        )
    md5 = body.get("md5")
    if md5 is not None and (not isinstance(md5, str) or not _MD5.fullmatch(md5)):
        raise bad_request("Invalid value for 'md5': it must be 32 hexadecimal digits.", "md5")
    row = await _upload(request)
    async with state.upload_lock(row["id"]):
        row = await _upload(request)  # fresh, now that no complete/cancel can interleave
        now = state.clock.now()
        _refuse_unless_pending(row, now, "complete")
        parts = await state.run(state.storage.get_parts, row["id"])
        _check_parts(row, parts, part_ids)
        # No copy: the file's content is the parts themselves, already durable on disk.
        digest = None
        if md5 is not None:
            sources = [state.storage.part_path(p) for p in part_ids]
            running = state.digests.of(row["id"], row["project"])
            digest, read = await running.md5(part_ids, sources)
            state.stats.complete_hashed_bytes += read
            if digest != md5.lower():
                raise bad_request(
                    f"The md5 of the assembled data ({digest}) does not match the md5 given "
                    f"({md5}).",
                    "md5",
                )
        file_id = new_id("file-")
        expires_after = row["file_expires_after"]
        record = {
            "id": file_id,
            "project": row["project"],
            "filename": row["filename"],
            "purpose": row["purpose"],
            "bytes": row["bytes"],
            "created_at": now,
            "expires_at": None if expires_after is None else now + expires_after,
            "md5": digest,
        }
        state.start_processing(file_id, now)
        if not await state.run(state.storage.complete_upload, row["id"], record, part_ids):
            _refuse_unless_pending(await _upload(request), now, "complete")
        state.digests.forget([row["id"]])
    done = {**row, "status": "completed", "file_id": file_id}
    return json_response(upload_object(done, now, record, state.file_status(file_id)))


def _check_parts(
    row: dict[str, Any], parts: dict[str, dict[str, Any]], part_ids: list[str]
) -> None:
    seen: set[str] = set()
    for part_id in part_ids:
        if part_id not in parts:
            raise bad_request(
                f"Invalid part id {part_id!r}: it is not a part of Upload {row['id']}.", "part_ids"
            )
        if part_id in seen:
            raise bad_request(f"Part {part_id!r} is listed more than once.", "part_ids")
        seen.add(part_id)
    total = sum(parts[p]["bytes"] for p in part_ids)
    if total != row["bytes"]:
        raise bad_request(
            f"The parts add up to {total} bytes, but Upload {row['id']} was created for "
            f"{row['bytes']} bytes.",
            "bytes",
        )


async def cancel(request: web.Request) -> web.StreamResponse:
    """``POST /uploads/{id}/cancel``: drop the parts; cancelling twice answers the same Upload."""
    state = _state(request)
    row = await _upload(request)
    async with state.upload_lock(row["id"]):
        row = await _upload(request)
        now = state.clock.now()
        status = upload_status(row, now)
        if status != "cancelled":
            _refuse_unless_pending(row, now, "cancel")
            await state.run(state.storage.finish_upload, row["id"], "cancelled")
        state.digests.forget([row["id"]])
    return json_response(upload_object({**row, "status": "cancelled"}, now))
