"""The JSON objects of the API, built from storage rows with every field always present."""

from __future__ import annotations

from typing import Any

from .processing import PROCESSED, Status
from .storage import upload_status


def file_object(row: dict[str, Any], status: Status = PROCESSED) -> dict[str, Any]:
    """Return a File object with the given ``status`` and ``status_details``."""
    return {
        "id": row["id"],
        "object": "file",
        "bytes": row["bytes"],
        "created_at": row["created_at"],
        "expires_at": row["expires_at"],
        "filename": row["filename"],
        "purpose": row["purpose"],
        "status": status.status,
        "status_details": status.details,
    }


def upload_object(
    row: dict[str, Any],
    now: int,
    file: dict[str, Any] | None = None,
    file_status: Status = PROCESSED,
) -> dict[str, Any]:
    """Return an Upload object (``file``, with ``file_status``, is its File once completed)."""
    return {
        "id": row["id"],
        "object": "upload",
        "bytes": row["bytes"],
        "created_at": row["created_at"],
        "expires_at": row["expires_at"],
        "filename": row["filename"],
        "purpose": row["purpose"],
        "status": upload_status(row, now),
        "file": None if file is None else file_object(file, file_status),
    }


def part_object(row: dict[str, Any]) -> dict[str, Any]:
    """Return an UploadPart object."""
    return {
        "id": row["id"],
        "object": "upload.part",
        "created_at": row["created_at"],
        "upload_id": row["upload_id"],
    }


def deleted_object(file_id: str) -> dict[str, Any]:
    """Return the answer to a delete."""
    return {"id": file_id, "object": "file", "deleted": True}
