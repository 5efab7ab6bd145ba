"""Service errors mapped to the built-in exceptions users already catch.

One table, :data:`STATUS_EXCEPTIONS`, decides the exception type for an HTTP status. Every
raised exception carries the path it concerns, the HTTP status, the service's own message
and the request id in its message, and the same facts as attributes (``status``,
``request_id``, ``code``, ``param``) for programs.
"""

from __future__ import annotations

import json
from typing import Any

#: HTTP status -> exception type. Statuses not listed map by class: 4xx -> ValueError,
#: everything else -> OSError.
STATUS_EXCEPTIONS: dict[int, type[Exception]] = {
    400: ValueError,
    401: PermissionError,
    403: PermissionError,
    404: FileNotFoundError,
    408: TimeoutError,
    409: OSError,
    413: ValueError,
    422: ValueError,
    429: OSError,
}


def exception_for_status(status: int) -> type[Exception]:
    """The exception type that a response with ``status`` raises."""
    if status in STATUS_EXCEPTIONS:
        return STATUS_EXCEPTIONS[status]
    if 400 <= status < 500:
        return ValueError
    return OSError


def _service_error(body: bytes) -> dict[str, Any]:
    """The ``error`` object of an OpenAI-shaped error body, or ``{}``."""
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return {}
    return error if isinstance(error, dict) else {}


def http_error(
    status: int,
    body: bytes,
    request_id: str | None,
    *,
    path: str | None = None,
    operation: str | None = None,
) -> Exception:
    """Build the exception for an error response.

    Parameters
    ----------
    status : int
        The HTTP status of the response.
    body : bytes
        The response body (an OpenAI error object, or anything else a proxy sent).
    request_id : str or None
        The ``x-request-id`` header of the response.
    path : str, optional
        The ``openai://`` path the caller asked about, named first in the message.
    operation : str, optional
        What was being done (``"GET /files/file-…"``), used when there is no path.
    """
    error = _service_error(body)
    service_message = error.get("message") or body[:200].decode("utf-8", "replace").strip()
    subject = path if path is not None else operation
    parts = [f"{subject}: " if subject else "", f"HTTP {status}"]
    if service_message:
        parts.append(f": {service_message}")
    if request_id:
        parts.append(f" (request id {request_id})")
    exc = exception_for_status(status)("".join(parts))
    exc.status = status
    exc.request_id = request_id
    exc.code = error.get("code")
    exc.param = error.get("param")
    exc.service_message = service_message
    return exc
