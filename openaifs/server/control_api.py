"""HTTP handlers of the test controls under ``/_openaifs/`` (served only with --enable-controls)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .auth import project_of
from .bodies import read_json
from .errors import bad_request
from .ids import new_id
from .objects import file_object
from .responses import json_response
from .rules import missing
from .state import STATE, ServerState


def _state(request: web.Request) -> ServerState:
    return request.app[STATE]


async def reset(request: web.Request) -> web.StreamResponse:
    """Delete everything, clear faults, statistics and clock offset, restore startup settings."""
    state = _state(request)
    await state.run(state.storage.reset)
    state.digests.forget_all()
    state.faults.clear()
    state.processing.clear()
    state.stats.clear()
    state.clock.reset()
    state.restore_settings()
    return json_response({"reset": True})


async def add_fault(request: web.Request) -> web.StreamResponse:
    """Queue a fault."""
    state = _state(request)
    spec = await read_json(request, state)
    try:
        return json_response(state.faults.add(spec))
    except ValueError as exc:
        raise bad_request(str(exc)) from None


async def list_faults(request: web.Request) -> web.StreamResponse:
    """List faults with their counters."""
    return json_response({"data": _state(request).faults.list()})


async def clear_faults(request: web.Request) -> web.StreamResponse:
    """Forget all faults."""
    _state(request).faults.clear()
    return json_response({"data": []})


async def get_stats(request: web.Request) -> web.StreamResponse:
    """Requests per operation and body bytes in and out."""
    return json_response(_state(request).stats.to_dict())


async def clear_stats(request: web.Request) -> web.StreamResponse:
    """Zero the statistics."""
    state = _state(request)
    state.stats.clear()
    return json_response(state.stats.to_dict())


async def get_clock(request: web.Request) -> web.StreamResponse:
    """The server's current time."""
    clock = _state(request).clock
    return json_response({"now": clock.now(), "offset": clock.offset, "frozen": clock.frozen})


async def advance_clock(request: web.Request) -> web.StreamResponse:
    """Hold the clock still or let it run (``freeze``), then move it forward by ``advance``
    seconds."""
    state = _state(request)
    body = await read_json(request, state)
    seconds = body.get("advance", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise bad_request("'advance' must be a number of seconds >= 0.", "advance")
    frozen = body.get("freeze")
    if frozen is not None and not isinstance(frozen, bool):
        raise bad_request("'freeze' must be true or false.", "freeze")
    if frozen is not None:
        state.clock.freeze(frozen)
    state.clock.advance(seconds)
    return await get_clock(request)


async def get_config(request: web.Request) -> web.StreamResponse:
    """Current limits and shaping."""
    return json_response(_state(request).settings.to_dict())


async def set_config(request: web.Request) -> web.StreamResponse:
    """Change limits and shaping."""
    state = _state(request)
    body = await read_json(request, state)
    try:
        state.settings.update(body)
    except ValueError as exc:
        raise bad_request(str(exc)) from None
    return json_response(state.settings.to_dict())


async def add_service_file(request: web.Request) -> web.StreamResponse:
    """Create a file as the service itself would: any purpose, output purposes included.

    The project is the request's bearer key, as for the API; ``purpose`` and ``filename``
    come from the query and the raw body is the content. Tests use it to stand in for
    what a batch job or a fine-tune writes (``batch_output``, ``fine-tune-results``).
    With ``count=N`` (and ``{i}`` in ``filename``), N files of at most 1 MiB each are made
    in one request (benchmarks fill large purposes this way); the answer is then
    ``{"data": [...]}``.
    """
    state = _state(request)
    project = project_of(request, state)
    purpose = request.query.get("purpose")
    filename = request.query.get("filename")
    if not purpose:
        raise missing("purpose")
    if not filename:
        raise missing("filename")
    count = _count(request.query.get("count", "1"), filename)
    if count == 1:
        return json_response(await _make_service_file(state, project, purpose, filename, request))
    content = await request.content.read((1 << 20) + 1)
    if len(content) > 1 << 20:
        raise bad_request("with count, the content must be at most 1 MiB")
    made = [
        await _make_service_file(state, project, purpose, filename.format(i=i), content)
        for i in range(count)
    ]
    return json_response({"object": "list", "data": made})


def _count(text: str, filename: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise bad_request("count must be a whole number") from None
    if not 1 <= count <= 1_000_000:
        raise bad_request("count must be between 1 and 1000000")
    if count > 1:
        try:
            names = {filename.format(i=0), filename.format(i=1)}
        except (ValueError, KeyError, IndexError):
            names = set()
        if len(names) != 2:
            raise bad_request("with count, the filename must hold '{i}' (the copy's number)")
    return count


async def _make_service_file(
    state: ServerState, project: str, purpose: str, filename: str, source: Any
) -> dict[str, Any]:
    async with state.new_blob() as writer:
        if isinstance(source, bytes):
            await writer.write(source)
        else:
            async for chunk in source.content.iter_chunked(1 << 20):
                await writer.write(chunk)
        file_id = new_id("file-")
        size = writer.size
        await writer.commit(state.storage.blob_path(file_id))
    record = {
        "id": file_id,
        "project": project,
        "filename": filename,
        "purpose": purpose,
        "bytes": size,
        "created_at": state.clock.now(),
        "expires_at": None,
        "md5": None,
    }
    state.start_processing(file_id, record["created_at"])
    row = await state.run(state.storage.add_file, record)
    return file_object(row, state.file_status(file_id))


async def fail_processing(request: web.Request) -> web.StreamResponse:
    """Make the next ``times`` new files (any API, any project) end processing in ``error``."""
    state = _state(request)
    body = await read_json(request, state)
    unknown = set(body) - {"status_details", "times"}
    if unknown:
        raise bad_request(f"Unknown fields: {', '.join(sorted(unknown))}.")
    details = body.get("status_details")
    if not isinstance(details, str) or not details:
        raise bad_request("'status_details' must be a non-empty string.", "status_details")
    times = body.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise bad_request("'times' must be a whole number >= 1.", "times")
    state.processing.fail_next(details, times)
    return await list_processing_failures(request)


async def list_processing_failures(request: web.Request) -> web.StreamResponse:
    """The ``status_details`` of the scripted processing failures still waiting, in order."""
    return json_response({"data": _state(request).processing.pending_failures()})


def add_routes(app: web.Application) -> None:
    """Register the control routes."""
    app.router.add_post("/_openaifs/reset", reset)
    app.router.add_post("/_openaifs/faults", add_fault)
    app.router.add_get("/_openaifs/faults", list_faults)
    app.router.add_delete("/_openaifs/faults", clear_faults)
    app.router.add_get("/_openaifs/stats", get_stats)
    app.router.add_delete("/_openaifs/stats", clear_stats)
    app.router.add_get("/_openaifs/clock", get_clock)
    app.router.add_post("/_openaifs/clock", advance_clock)
    app.router.add_get("/_openaifs/config", get_config)
    app.router.add_post("/_openaifs/config", set_config)
    app.router.add_post("/_openaifs/files", add_service_file)
    app.router.add_post("/_openaifs/processing-errors", fail_processing)
    app.router.add_get("/_openaifs/processing-errors", list_processing_failures)
