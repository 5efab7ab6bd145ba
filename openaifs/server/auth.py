"""Bearer keys: each key is its own project."""

from __future__ import annotations

import hashlib

from aiohttp import web

from .errors import ApiError
from .state import ServerState


def project_of(request: web.Request, state: ServerState) -> str:
    """Return the project of the request's bearer key (a digest: keys are never stored)."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise ApiError(
            401,
            "You didn't provide an API key. You need to provide your API key in an Authorization "
            "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            code="invalid_api_key",
        )
    if state.api_keys and key not in state.api_keys:
        shown = f"{key[:3]}***{key[-4:]}" if len(key) >= 12 else "***"
        raise ApiError(401, f"Incorrect API key provided: {shown}.", code="invalid_api_key")
    # surrogateescape: aiohttp decodes header bytes that are not UTF-8 to surrogates; such a key
    # is just a key, not a reason to fail.
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]
