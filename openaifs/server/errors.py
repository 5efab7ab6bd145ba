"""Service errors and their OpenAI-shaped JSON bodies."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answered as ``{"error": {"message", "type", "param", "code"}}``.

    Parameters
    ----------
    status
        HTTP status code.
    message
        Human-readable message, as the service words it where known.
    type
        The error ``type`` (``invalid_request_error`` for client errors).
    param
        The request parameter at fault, if any.
    code
        A machine-readable code, if any.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code

    def body(self) -> dict[str, Any]:
        """Return the JSON body of this error."""
        return error_body(self.message, self.type, self.param, self.code)


def error_body(
    message: str, type: str, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    """Return an OpenAI-shaped error body."""
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def bad_request(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    """Return a 400 ``invalid_request_error``."""
    return ApiError(400, message, param=param, code=code)


def not_found(kind: str, object_id: str) -> ApiError:
    """Return the 404 the service gives for an unknown id (``kind`` is ``File`` or ``Upload``)."""
    return ApiError(404, f"No such {kind} object: {object_id}", param="id")
