"""The service's validation rules shared by ``POST /files`` and ``POST /uploads``."""

from __future__ import annotations

from typing import Any

from .config import (
    JSONL_PURPOSES,
    MAX_EXPIRES_AFTER,
    MIN_EXPIRES_AFTER,
    OUTPUT_PURPOSES,
    WRITABLE_PURPOSES,
    Settings,
)
from .errors import bad_request


def missing(name: str) -> Exception:
    """Return the 400 for a missing required parameter."""
    return bad_request(f"Missing required parameter: '{name}'.", name)


def check_text(value: str, what: str, param: str) -> str:
    """Return ``value`` if it is valid Unicode text (else a 400 saying ``what`` is not).

    Bytes that are not UTF-8 in a multipart header, or a lone surrogate escape (``\\udc80``) in
    JSON, reach us as surrogates, which cannot be stored.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request(f"Invalid {what}: it is not valid UTF-8 text.", param) from None
    return value


def check_purpose(
    purpose: Any, filename: str, size: int, settings: Settings, size_param: str
) -> str:
    """Check that a new file of this purpose, name and size is acceptable; return the purpose."""
    if purpose is None or purpose == "":
        raise missing("purpose")
    if purpose not in WRITABLE_PURPOSES:
        allowed = ", ".join(f"'{p}'" for p in WRITABLE_PURPOSES)
        reason = " (it is made only by the service)" if purpose in OUTPUT_PURPOSES else ""
        raise bad_request(
            f"Invalid value for 'purpose': {purpose!r}{reason}. Supported values are: {allowed}.",
            "purpose",
        )
    if purpose in JSONL_PURPOSES and not filename.lower().endswith(".jsonl"):
        raise bad_request(
            f"Invalid file format for purpose '{purpose}': only .jsonl files are supported "
            f"(got {filename!r}).",
            "file",
        )
    if purpose == "batch" and size > settings.max_batch_size:
        raise bad_request(
            f"Batch input files may be at most {settings.max_batch_size} bytes "
            f"(this one has {size}).",
            size_param,
        )
    return purpose


def expires_at(anchor: Any, seconds: Any, now: int) -> int | None:
    """Return the ``expires_at`` an ``expires_after`` policy gives (``None`` without a policy)."""
    if anchor is None and seconds is None:
        return None
    if anchor is None:
        raise missing("expires_after.anchor")
    if anchor != "created_at":
        raise bad_request(
            f"Invalid value for 'expires_after.anchor': {anchor!r}. Supported values are: "
            "'created_at'.",
            "expires_after.anchor",
        )
    if seconds is None:
        raise missing("expires_after.seconds")
    value = whole_number(seconds)
    if value is None or not MIN_EXPIRES_AFTER <= value <= MAX_EXPIRES_AFTER:
        raise bad_request(
            f"Invalid value for 'expires_after.seconds': {seconds!r}. It must be an integer "
            f"between {MIN_EXPIRES_AFTER} and {MAX_EXPIRES_AFTER}.",
            "expires_after.seconds",
        )
    return now + value


def whole_number(value: Any) -> int | None:
    """Return ``value`` as an int if it is one (or a string of one), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None
