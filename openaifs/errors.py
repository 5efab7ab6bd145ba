"""Service errors as typed exceptions that are also the built-ins users already catch.

Every class here derives from :class:`OpenAIFSError` *and* from a built-in exception, so
``except FileNotFoundError`` catches :class:`FileNotFound`, ``except PermissionError``
catches :class:`AuthenticationFailed`, and so on. Each carries, as attributes, the facts a
program needs: ``errno``, the HTTP ``status``, the service's ``code``, ``param`` and message
(``service_message``), the ``request_id`` to quote to support, and the ``path`` concerned.

One table, :data:`STATUS_EXCEPTIONS` (refined by :data:`CODE_EXCEPTIONS` for the service's
error ``code``), decides the class of an HTTP error answer; :func:`http_error` builds it.

A 404 is a missing *file* only when the API itself answered. It is an
:class:`EndpointNotFound` (a wrong ``base_url``, most often one without ``/v1``) when any
of these holds:

- the request went to a collection endpoint (``GET /files``, ``POST /files``,
  ``POST /uploads``), which exists on every Files API, so a 404 there means the address is
  wrong;
- the body is not an OpenAI error object (``{"error": {...}}``): a web server or proxy
  answered, not the API;
- the service's message starts with ``Invalid URL``, which is how the OpenAI API (and the
  local server) words an unknown route.
"""

from __future__ import annotations

import errno as errnos
import json
from typing import Any


class OpenAIFSError(Exception):
    """The base of every error openaifs raises for a service answer or a failed request.

    Parameters
    ----------
    message : str
        The whole message: the path, the HTTP status, the service's message, the request id.
    status : int, optional
        The HTTP status of the answer (``None`` when no answer came).
    code, param : str, optional
        The service's error ``code`` and the request parameter at fault.
    request_id : str, optional
        The answer's ``x-request-id``, for support requests.
    service_message : str, optional
        The service's own message.
    path : str, optional
        The ``openai://`` path concerned; also the ``filename`` of the built-in ``OSError``.
    errno : int, optional
        Defaults to the class's :attr:`default_errno`.
    """

    #: The ``errno`` of an instance made without one.
    default_errno: int = errnos.EIO

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        service_message: str | None = None,
        path: str | None = None,
        errno: int | None = None,
    ) -> None:
        number = self.default_errno if errno is None else errno
        if isinstance(self, OSError):
            # OSError's own constructor sets errno, strerror and filename.
            super().__init__(number, message, *([path] if path else []))
        else:
            super().__init__(message)
            self.errno = number
        self.message = message
        self.status = status
        self.code = code
        self.param = param
        self.request_id = request_id
        self.service_message = service_message
        self.path = path

    def __str__(self) -> str:
        # Not OSError's "[Errno 2] ...": the message already says what happened.
        return self.message

    def __reduce__(self) -> Any:
        # Rebuilt from the keywords, so an error raised in a dask worker pickles back whole.
        fields = ("status", "code", "param", "request_id", "service_message", "path", "errno")
        keywords = {name: getattr(self, name) for name in fields}
        return (_rebuild, (type(self), self.message, keywords))


def _rebuild(kind: type[OpenAIFSError], message: str, keywords: dict[str, Any]) -> OpenAIFSError:
    return kind(message, **keywords)


class BadRequest(OpenAIFSError, ValueError):
    """The service refused the request as invalid (400, 413, 422, any other 4xx)."""

    default_errno = errnos.EINVAL


class AuthenticationFailed(OpenAIFSError, PermissionError):
    """A missing, wrong or revoked API key (401)."""

    default_errno = errnos.EACCES


class PermissionDenied(OpenAIFSError, PermissionError):
    """The key may not do this (403)."""

    default_errno = errnos.EACCES


class FileNotFound(OpenAIFSError, FileNotFoundError):
    """No such file or upload (a 404 from the API itself)."""

    default_errno = errnos.ENOENT


class EndpointNotFound(OpenAIFSError, ConnectionError):
    """The ``base_url`` does not lead to the Files API (a 404 that is not a missing file).

    Not a ``FileNotFoundError``, so that ``exists()`` raises rather than answer ``False``.
    """

    default_errno = errnos.ENXIO


class FileExists(OpenAIFSError, FileExistsError):
    """A name that must not exist yet does (exclusive create)."""

    default_errno = errnos.EEXIST


class Conflict(OpenAIFSError, OSError):
    """The object is in another state than the request needs (409), after retries."""

    default_errno = errnos.EBUSY


class RateLimited(OpenAIFSError, OSError):
    """Too many requests (429), after retries."""

    default_errno = errnos.EAGAIN


class QuotaExceeded(OpenAIFSError, OSError):
    """The account's quota is used up (429 with code ``insufficient_quota``)."""

    default_errno = errnos.EDQUOT


class ServerError(OpenAIFSError, OSError):
    """The service failed (5xx), after retries."""

    default_errno = errnos.EIO


class BadResponse(OpenAIFSError, OSError):
    """A success status with a body that is not what the API answers (not JSON, say)."""

    default_errno = errnos.EPROTO


class RequestTimeout(OpenAIFSError, TimeoutError):
    """No answer in time (a read or connect timeout, or 408), after retries."""

    default_errno = errnos.ETIMEDOUT


class ConnectionFailed(OpenAIFSError, ConnectionError):
    """The service could not be reached, or dropped the connection, after retries."""

    default_errno = errnos.ECONNRESET


#: HTTP status -> class. Statuses not listed map by range: 4xx -> :class:`BadRequest`,
#: anything else -> :class:`ServerError`.
STATUS_EXCEPTIONS: dict[int, type[OpenAIFSError]] = {
    400: BadRequest,
    401: AuthenticationFailed,
    403: PermissionDenied,
    404: FileNotFound,
    408: RequestTimeout,
    409: Conflict,
    413: BadRequest,
    422: BadRequest,
    429: RateLimited,
}

#: The service's error ``code`` -> class, where it says more than the status.
CODE_EXCEPTIONS: dict[str, type[OpenAIFSError]] = {
    "insufficient_quota": QuotaExceeded,
    "invalid_api_key": AuthenticationFailed,
}

#: Endpoints that exist on every Files API: a 404 there means a wrong ``base_url``.
COLLECTION_OPERATIONS = frozenset({"GET /files", "POST /files", "POST /uploads"})


def exception_for_status(status: int, code: str | None = None) -> type[OpenAIFSError]:
    """The class of the error raised for an answer with ``status`` (and service ``code``)."""
    if code in CODE_EXCEPTIONS:
        return CODE_EXCEPTIONS[code]
    if status in STATUS_EXCEPTIONS:
        return STATUS_EXCEPTIONS[status]
    if 400 <= status < 500:
        return BadRequest
    return ServerError


def _service_error(body: bytes) -> dict[str, Any] | None:
    """The ``error`` object of an OpenAI-shaped error body, or ``None`` for any other body."""
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return None
    return error if isinstance(error, dict) else None


def is_endpoint_not_found(status: int, operation: str | None, error: dict[str, Any] | None) -> bool:
    """Whether a 404 means a wrong ``base_url`` rather than a missing file (rule above)."""
    if status != 404:
        return False
    if operation in COLLECTION_OPERATIONS or error is None:
        return True
    # "Resource not found": Azure OpenAI's answer for a path or api-version it does not serve.
    return str(error.get("message") or "").startswith(("Invalid URL", "Resource not found"))


def _endpoint_message(operation: str | None, base_url: str | None) -> str:
    """Say which address answered 404 for the API, and what to check in it."""
    asked = f" for {operation}" if operation else ""
    if base_url is None:
        return f"the service answered HTTP 404{asked}: is base_url the Files API's address?"
    if base_url.rstrip("/").endswith("/openai"):
        hint = "is azure_endpoint the resource's address, and api_version one it serves?"
    elif base_url.rstrip("/").endswith("/v1"):
        hint = "is it the address of an OpenAI-compatible Files API?"
    else:
        hint = "does it need '/v1' at the end?"
    return f"base_url {base_url!r} answered HTTP 404{asked}: {hint}"


def http_error(
    status: int,
    body: bytes,
    request_id: str | None,
    *,
    path: str | None = None,
    operation: str | None = None,
    base_url: str | None = None,
) -> OpenAIFSError:
    """Build the exception for an error answer.

    Parameters
    ----------
    status : int
        The HTTP status of the answer.
    body : bytes
        The answer's body (an OpenAI error object, or anything else a proxy sent).
    request_id : str or None
        The ``x-request-id`` header of the answer.
    path : str, optional
        The ``openai://`` path the caller asked about, named first in the message.
    operation : str, optional
        What was being done (``"GET /files/file-…"``), named when there is no path, and
        used to tell a wrong ``base_url`` from a missing file.
    base_url : str, optional
        The address asked (with any credentials already masked), named in the hint of an
        :class:`EndpointNotFound`.
    """
    error = _service_error(body)
    fields = error or {}
    service_message = fields.get("message") or body[:200].decode("utf-8", "replace").strip()
    subject = path if path is not None else operation
    parts = [f"{subject}: " if subject else ""]
    if is_endpoint_not_found(status, operation, error):
        kind: type[OpenAIFSError] = EndpointNotFound
        # The operation is named once: first when there is no path, else after the address.
        parts.append(_endpoint_message(operation if path is not None else None, base_url))
        if service_message:
            parts.append(f" The service said: {service_message}")
    else:
        kind = exception_for_status(status, fields.get("code"))
        parts.append(f"HTTP {status}: {service_message}" if service_message else f"HTTP {status}")
    if request_id:
        parts.append(f" (request id {request_id})")
    return kind(
        "".join(parts),
        status=status,
        code=fields.get("code"),
        param=fields.get("param"),
        request_id=request_id,
        service_message=service_message,
        path=path,
    )


def transport_error(
    subject: str, base_url: str, detail: str, *, timeout: bool, refused: bool
) -> OpenAIFSError:
    """Build the exception for a request that got no answer.

    Parameters
    ----------
    subject : str
        The path concerned, or the operation.
    base_url : str
        The address asked, with any credentials already masked.
    detail : str
        What the HTTP library said (already free of secrets).
    timeout, refused : bool
        Whether it timed out, and whether the connection was refused.
    """
    message = f"{subject}: no answer from {base_url}: {detail}"
    path = subject if subject.startswith("openai://") else None
    if timeout:
        return RequestTimeout(message, path=path)
    return ConnectionFailed(
        message, path=path, errno=errnos.ECONNREFUSED if refused else errnos.ECONNRESET
    )


def builtin_name(exc: BaseException) -> str:
    """The class name a one-line report shows: the built-in one of ours, else its own.

    ``FileNotFoundError`` for a :class:`FileNotFound`: the name users know and catch.
    """
    if isinstance(exc, OpenAIFSError):
        for kind in type(exc).__mro__:
            if kind.__module__ == "builtins":
                return kind.__name__
    return type(exc).__name__


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every one of ``secrets`` replaced by ``***``.

    Secrets shorter than four characters are left alone: hiding them would mangle the rest.
    """
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


__all__ = [
    "CODE_EXCEPTIONS",
    "STATUS_EXCEPTIONS",
    "AuthenticationFailed",
    "BadRequest",
    "BadResponse",
    "Conflict",
    "ConnectionFailed",
    "EndpointNotFound",
    "FileExists",
    "FileNotFound",
    "OpenAIFSError",
    "PermissionDenied",
    "QuotaExceeded",
    "RateLimited",
    "RequestTimeout",
    "ServerError",
    "builtin_name",
    "exception_for_status",
    "http_error",
    "transport_error",
]
