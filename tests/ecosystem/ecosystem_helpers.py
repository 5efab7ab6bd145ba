"""Helpers of the ecosystem tests."""

from __future__ import annotations


def add_service_file(data_dir, api_key: str, purpose: str, filename: str, content: bytes) -> str:
    """Make a file as the service itself would (say a Batch API output in ``batch_output``),
    in the storage of a server persisted under ``data_dir``; return its id.

    No API can create a file in an output purpose, and the local server has no control for
    it either, so this writes through the server's own storage layer (a second connection
    to its SQLite database in WAL mode, the same as a restarted server would use).
    """
    import hashlib
    import time

    from openaifs.server.ids import new_id
    from openaifs.server.storage import Storage

    storage = Storage(data_dir)
    try:
        file_id = new_id("file-")
        with open(storage.blob_path(file_id), "wb") as f:
            f.write(content)
        storage.add_file(
            {
                "id": file_id,
                "project": hashlib.sha256(api_key.encode()).hexdigest()[:32],
                "filename": filename,
                "purpose": purpose,
                "bytes": len(content),
                "created_at": int(time.time()),
                "expires_at": None,
                "md5": hashlib.md5(content).hexdigest(),
            }
        )
    finally:
        storage.close()
    return file_id
