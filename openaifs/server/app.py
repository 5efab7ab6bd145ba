"""The aiohttp application: routes, the request pipeline (ids, keys, faults, shaping), startup."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from . import azure, control_api, files, uploads
from .auth import project_of
from .config import OPERATIONS
from .errors import ApiError
from .ids import new_request_id
from .logs import quiet_client_errors
from .responses import Dropped, cut_short, error_response
from .state import PROJECT, REQUEST_ID, STATE, ServerState

logger = logging.getLogger("openaifs.server")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: Bytes the HTTP reader buffers per connection: large reads keep the ingest path cheap.
READ_BUFSIZE = 1024 * 1024


#: The API: method, path, handler, operation name (what stats and faults go by).
API_ROUTES = [
    ("POST", "/v1/files", files.create, "files.create"),
    ("GET", "/v1/files", files.list_files, "files.list"),
    ("GET", "/v1/files/{file_id}", files.retrieve, "files.retrieve"),
    ("DELETE", "/v1/files/{file_id}", files.delete, "files.delete"),
    ("GET", "/v1/files/{file_id}/content", files.content, "files.content"),
    ("POST", "/v1/uploads", uploads.create, "uploads.create"),
    ("POST", "/v1/uploads/{upload_id}/parts", uploads.add_part, "uploads.parts.create"),
    ("POST", "/v1/uploads/{upload_id}/complete", uploads.complete, "uploads.complete"),
    ("POST", "/v1/uploads/{upload_id}/cancel", uploads.cancel, "uploads.cancel"),
]


def create_app(state: ServerState, *, azure_paths: bool = False) -> web.Application:
    """Return the application serving ``state``."""
    quiet_client_errors()
    app = web.Application(middlewares=[_pipeline], client_max_size=1024**2)
    app[STATE] = state
    app.on_response_prepare.append(_add_request_id)
    for method, path, handler, name in API_ROUTES:
        app.router.add_route(method, path, handler, name=name)
    if azure_paths:  # also under /openai, the Azure OpenAI way
        azure.add_routes(app, API_ROUTES)
    if state.enable_controls:
        control_api.add_routes(app)
    return app


async def _add_request_id(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["x-request-id"] = request.get(REQUEST_ID) or new_request_id()


@web.middleware
async def _pipeline(request: web.Request, handler: Handler) -> web.StreamResponse:
    request[REQUEST_ID] = new_request_id()
    try:
        route = request.match_info.route.name
        if route in OPERATIONS:
            return await _api_call(request, handler, route)
        return await handler(request)
    except ApiError as error:
        return error_response(error)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if exc.status == 405:
            message = f"Invalid method for URL ({request.method} {request.path})."
        elif exc.status == 404:
            message = f"Invalid URL ({request.method} {request.path})."
        else:
            message = exc.reason
        return error_response(ApiError(exc.status, message))
    except (ValueError, HttpProcessingError, RequestPayloadError) as exc:
        # A body aiohttp's parsers refused (RequestPayloadError: a Content-Encoding that does
        # not decode).
        return error_response(ApiError(400, f"Could not parse the request body: {_one_line(exc)}"))
    except (ConnectionError, asyncio.CancelledError):
        raise  # the client went away: nobody to answer
    except Exception:
        logger.exception("unexpected error in %s %s", request.method, request.path)
        message = "The server had an error while processing your request."
        return error_response(ApiError(500, message, type="server_error"))


#: What one ``recv`` on a connection may return. asyncio's 256 KiB cost a system call and a
#: fresh ``bytes`` per 256 KiB: at loopback speed a fifth more CPU per byte received.
RECV_SIZE = 1024 * 1024


def _receive_in_larger_pieces(transport: Any) -> None:
    """Let this connection's transport read up to :data:`RECV_SIZE` at once (unshaped only:
    a shaped connection is metered in small pieces)."""
    if transport is not None and getattr(transport, "max_size", None) is not None:
        transport.max_size = RECV_SIZE


async def _api_call(request: web.Request, handler: Handler, operation: str) -> Any:
    state = request.app[STATE]
    state.stats.requests[operation] += 1
    request[PROJECT] = project_of(request, state)
    fault = state.faults.take(operation)
    if not state.shaper.limited:
        _receive_in_larger_pieces(request.transport)
    await state.shaper.delay()
    if fault is not None:
        kind = fault["kind"]
        if kind == "status":
            return _fault_response(fault)
        if kind == "drop":
            return Dropped()
        if kind == "stall":
            await asyncio.sleep(fault["seconds"])
    try:
        response = await handler(request)
    except ApiError as error:
        response = error_response(error)
    if isinstance(response, web.Response) and response.body is not None:
        size = len(response.body)  # type: ignore[arg-type]
        state.stats.bytes_out += size
        await state.shaper.outbound(request.transport, size)
    if fault is not None and fault["kind"] == "drop_after":
        close = getattr(response, "_body_source", None)
        if close is not None and hasattr(close, "close"):
            close.close()  # an unsent content answer holds an open file
        return Dropped()
    if fault is not None and fault["kind"] == "truncate":
        return cut_short(state, response, fault["after_bytes"])
    return response


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _fault_response(fault: dict[str, Any]) -> web.Response:
    status = fault["status"]
    if status == 429:
        error = ApiError(
            429,
            "Rate limit reached (a scripted fault).",
            type="requests",
            code="rate_limit_exceeded",
        )
    elif status >= 500:
        error = ApiError(
            status,
            "The server had an error processing your request (a scripted fault).",
            type="server_error",
        )
    else:
        error = ApiError(status, f"A scripted fault with status {status}.")
    response = error_response(error)
    if fault["retry_after"] is not None:
        response.headers["retry-after"] = _number(fault["retry_after"])
    if fault["retry_after_ms"] is not None:
        response.headers["retry-after-ms"] = _number(fault["retry_after_ms"])
    return response


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


async def start(
    state: ServerState, host: str = "127.0.0.1", port: int = 0, *, azure_paths: bool = False
) -> tuple[web.AppRunner, int]:
    """Serve ``state`` on ``host:port`` (0: any free port); return the runner and the port.

    ``azure_paths`` also serves the API the Azure OpenAI way (:mod:`openaifs.server.azure`).
    """
    runner = web.AppRunner(
        create_app(state, azure_paths=azure_paths),
        access_log=None,
        handle_signals=False,
        shutdown_timeout=1.0,
        read_bufsize=READ_BUFSIZE,
    )
    await runner.setup()
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    site = web.SockSite(runner, sock)
    await site.start()
    return runner, sock.getsockname()[1]


def base_url(host: str, port: int) -> str:
    """Return the API base URL for a server bound to ``host:port``."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/v1"
