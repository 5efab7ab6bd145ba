"""Identifiers in the service's formats."""

from __future__ import annotations

import secrets
import string

_ALNUM = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    """Return ``prefix`` (``file-``, ``upload_``, ``part_``) and 24 random letters and digits."""
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(24))


def new_request_id() -> str:
    """Return a request id: ``req_`` and 32 hex digits."""
    return "req_" + secrets.token_hex(16)
