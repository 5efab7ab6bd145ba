"""Limits, defaults and the purpose rules of the local server.

The numbers mirror the service's documented limits; every size limit can be lowered by a
command-line flag or at runtime through ``POST /_openaifs/config`` so tests can use small data.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from openaifs.limits import (  # noqa: F401 - the server's rules import them from here
    JSONL_PURPOSES,
    MAX_BATCH_SIZE,
    MAX_EXPIRES_AFTER,
    MAX_FILE_SIZE,
    MAX_LIST_LIMIT,
    MAX_PART_SIZE,
    MAX_UPLOAD_SIZE,
    MIN_EXPIRES_AFTER,
    OUTPUT_PURPOSES,
    WRITABLE_PURPOSES,
)

#: The largest value of a numeric setting: SQLite stores integers in 64 bits, and a limit above
#: it would let a size through that storage then cannot record.
MAX_SETTING = 2**63 - 1

#: The service operations, named after the SDK methods that call them.
OPERATIONS = (
    "files.create",
    "files.list",
    "files.retrieve",
    "files.delete",
    "files.content",
    "uploads.create",
    "uploads.parts.create",
    "uploads.complete",
    "uploads.cancel",
)


@dataclasses.dataclass
class Settings:
    """The settings a running server can change through ``POST /_openaifs/config``.

    Attributes
    ----------
    latency_ms
        Delay added before each API request is handled.
    per_connection_bps
        Bytes per second allowed each way on each connection (0: unlimited).
    max_file_size
        Largest file accepted by ``POST /files`` ("512 MB", read as decimal megabytes).
    max_upload_size
        Largest declared ``bytes`` of an Upload ("8 GB", decimal).
    max_part_size
        Largest Upload part (64 MiB, the SDK's part size).
    max_batch_size
        Largest file with purpose ``batch`` ("200 MB", decimal).
    upload_expiry_seconds
        Lifetime of an Upload after its creation.
    processing_seconds
        How long a new file stays ``uploaded`` before it is ``processed`` (0: processed at once).
        A change applies to files created afterwards.
    honour_range
        Answer a single ``Range: bytes=`` request with 206 (the service does not).
    """

    latency_ms: float = 0
    per_connection_bps: int = 0
    max_file_size: int = MAX_FILE_SIZE
    max_upload_size: int = MAX_UPLOAD_SIZE
    max_part_size: int = MAX_PART_SIZE
    max_batch_size: int = MAX_BATCH_SIZE
    upload_expiry_seconds: int = 3600
    processing_seconds: int = 0
    honour_range: bool = False

    def __post_init__(self) -> None:
        self.update(self.to_dict())  # the same checks for startup values as for changes

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as a JSON-ready dict."""
        return dataclasses.asdict(self)

    def update(self, values: dict[str, Any]) -> None:
        """Change some settings, checking names and types first (nothing changes on error).

        Raises
        ------
        ValueError
            For an unknown name or a value of the wrong type or sign.
        """
        fields = {f.name: f for f in dataclasses.fields(self)}
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name not in fields:
                raise ValueError(f"unknown setting {name!r}; known: {', '.join(fields)}")
            if fields[name].type in ("bool", bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{name} must be true or false")
            elif (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not 0 <= value <= MAX_SETTING  # also refuses NaN
            ):
                raise ValueError(f"{name} must be a number between 0 and {MAX_SETTING}")
            elif fields[name].type in ("int", int) and value != int(value):
                raise ValueError(f"{name} must be a whole number")
            elif fields[name].type in ("int", int):
                value = int(value)
            checked[name] = value
        for name, value in checked.items():
            setattr(self, name, value)

    def copy(self) -> Settings:
        """Return an independent copy (the startup values kept for ``reset``)."""
        return dataclasses.replace(self)
