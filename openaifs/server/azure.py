"""The Azure OpenAI face of the server (``openaifs serve --azure``).

Azure OpenAI serves the same Files and Uploads APIs under ``{endpoint}/openai/``, with an
``api-version`` query parameter on every request and the key in an ``api-key`` header (or an
Entra ID token as ``Authorization: Bearer``). This module mounts the API's own handlers there
and puts a gate in front of them that checks the version and the credential the Azure way;
past the gate a request is an ordinary API call (same projects, faults, statistics), its
credential handed on as a bearer key. docs/server.md lists what is emulated and the sources.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web

from .auth import project_of
from .errors import ApiError
from .ids import new_request_id
from .responses import json_response
from .state import REQUEST_ID, STATE

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: Where the Azure face is mounted.
PREFIX = "/openai"

#: The shape of the dated versions Azure OpenAI publishes (``2024-10-21``,
#: ``2025-03-01-preview``); the exact set each region serves is not public, so any date goes.
API_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}(-preview)?")

#: Azure's answer to a missing or wrong key, as clients report it (see docs/server.md).
ACCESS_DENIED = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide "
    "a valid key for an active subscription and use a correct regional API endpoint for your "
    "resource."
)


def add_routes(app: web.Application, routes: Iterable[tuple[str, str, Handler, str]]) -> None:
    """Serve ``routes`` (paths under ``/v1``) also under ``/openai``, behind :func:`gate`.

    The routes live in a sub-application so that they keep the operation names of the
    ``/v1`` routes (names are unique per router), which is what the request pipeline counts
    and scripts faults by. Call before the application starts.
    """
    azure = web.Application()
    azure[STATE] = app[STATE]
    for method, path, handler, name in routes:
        azure.router.add_route(method, path.removeprefix("/v1"), handler, name=name)
    app.add_subapp(PREFIX, azure)
    # Outermost, so that the pipeline's bearer-key check sees the credential the gate passed on.
    app.middlewares.insert(0, gate)


@web.middleware
async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Check ``api-version`` and the credential of an ``/openai/`` request, then pass it on."""
    if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
        return await handler(request)
    try:
        check_api_version(request.query.get("api-version"))
        passed = request.clone(headers=_with_bearer(request, credential(request)))
        project_of(passed, request.app[STATE])
        if isinstance(request.match_info.http_exception, web.HTTPNotFound):
            raise ApiError(404, "Resource not found", code="404")
    except ApiError as error:
        response = azure_error(error)
        response.headers["apim-request-id"] = request.setdefault(REQUEST_ID, new_request_id())
        return response
    response = await handler(passed)
    # The pipeline named the request on the copy; the answer's headers are set on the original.
    request[REQUEST_ID] = passed.get(REQUEST_ID) or new_request_id()
    if not response.prepared:
        response.headers["apim-request-id"] = request[REQUEST_ID]
    return response


def check_api_version(value: str | None) -> None:
    """Refuse a missing or malformed ``api-version`` (an :class:`ApiError` with status 400)."""
    if not value:
        raise ApiError(
            400,
            "The api-version query parameter (?api-version=) is required for all requests "
            "to /openai/ paths, e.g. ?api-version=2024-10-21.",
            code="MissingApiVersionParameter",
        )
    if API_VERSION.fullmatch(value) is None:
        raise ApiError(400, f"API version not supported: {value!r}", code="BadRequest")


def credential(request: web.Request) -> str:
    """The ``api-key`` header, else the bearer token; a 401 :class:`ApiError` without either."""
    key = request.headers.get("api-key", "").strip()
    if key:
        return key
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    raise ApiError(401, ACCESS_DENIED, code="401")


def azure_error(error: ApiError) -> web.Response:
    """An error as Azure words its gateway errors: ``{"error": {"code", "message"}}``."""
    status = error.status
    if status == 401:
        return json_response({"error": {"code": "401", "message": ACCESS_DENIED}}, status)
    return json_response({"error": {"code": error.code, "message": error.message}}, status)


def _with_bearer(request: web.Request, key: str) -> dict[str, str]:
    """The request's headers with the credential as a bearer key and no ``api-key``."""
    headers = {k: v for k, v in request.headers.items() if k.lower() != "api-key"}
    headers["Authorization"] = f"Bearer {key}"
    return headers
