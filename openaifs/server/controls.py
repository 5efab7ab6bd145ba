"""Test controls: scripted faults and request statistics (served under ``/_openaifs/``)."""

from __future__ import annotations

import collections
import itertools
import threading
from typing import Any

from .config import OPERATIONS

FAULT_KINDS = ("status", "drop", "drop_after", "stall", "truncate")

_FAULT_DEFAULTS: dict[str, Any] = {
    "times": 1,
    "status": 500,
    "retry_after": None,
    "retry_after_ms": None,
    "after_bytes": 0,
    "seconds": 0,
}


class Faults:
    """Faults waiting to fire, in creation order (first in, first out for each operation)."""

    def __init__(self) -> None:
        self._faults: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Validate a fault description and queue it.

        Raises
        ------
        ValueError
            For an unknown operation, kind or field, or a bad value.
        """
        unknown = set(spec) - set(_FAULT_DEFAULTS) - {"operation", "kind"}
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        operation = spec.get("operation")
        if operation not in OPERATIONS:
            raise ValueError(f"operation must be one of: {', '.join(OPERATIONS)}")
        kind = spec.get("kind", "status")
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of: {', '.join(FAULT_KINDS)}")
        fault = {"operation": operation, "kind": kind, **_FAULT_DEFAULTS}
        fault.update({k: v for k, v in spec.items() if k in _FAULT_DEFAULTS})
        for name in ("times", "status", "after_bytes"):
            if isinstance(fault[name], bool) or not isinstance(fault[name], int) or fault[name] < 0:
                raise ValueError(f"{name} must be a whole number >= 0")
        for name in ("seconds", "retry_after", "retry_after_ms"):
            value = fault[name]
            if value is not None and (not isinstance(value, (int, float)) or value < 0):
                raise ValueError(f"{name} must be a number >= 0")
        if kind == "status" and not 100 <= fault["status"] <= 599:
            raise ValueError("status must be an HTTP status code")
        with self._lock:
            fault["id"] = f"fault_{next(self._ids)}"
            fault["remaining"] = fault["times"]
            fault["hits"] = 0
            self._faults.append(fault)
            return dict(fault)

    def take(self, operation: str) -> dict[str, Any] | None:
        """Return (a copy of) the fault that fires for this call of ``operation``, if any."""
        with self._lock:
            for fault in self._faults:
                if fault["operation"] == operation and fault["remaining"] > 0:
                    fault["remaining"] -= 1
                    fault["hits"] += 1
                    return dict(fault)
        return None

    def list(self) -> list[dict[str, Any]]:
        """Return every fault with its ``remaining`` and ``hits`` counters."""
        with self._lock:
            return [dict(f) for f in self._faults]

    def clear(self) -> None:
        """Forget all faults."""
        with self._lock:
            self._faults.clear()


class Stats:
    """Requests per operation and body bytes in and out since start or the last clear."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Zero the counters."""
        self.requests: collections.Counter[str] = collections.Counter()
        self.bytes_in = 0
        self.bytes_out = 0
        # Bytes an Upload's complete had to read to check an md5 (the rest was hashed as the
        # parts arrived): zero when parts are listed in the order they were sent.
        self.complete_hashed_bytes = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the counters as JSON."""
        return {
            "requests": dict(self.requests),
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "complete_hashed_bytes": self.complete_hashed_bytes,
        }
