"""Helpers for the writing tests: what reached the server, and what was left behind.

Everything here observes; nothing replaces library code. :class:`Wire` records the HTTP
exchanges of one filesystem through a ``requests`` response hook on its session.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from typing import Any

import openai
import pytest
from fs_support import PART

__all__ = [
    "PART",
    "Wire",
    "assert_cancelled",
    "files_named",
    "leftover_temp_files",
    "payload",
    "posts",
    "private_tempdir",
]

#: The prefixes of the local temporary files a write makes.
TEMP_PREFIXES = ("openaifs-spool-", "openaifs-part-")


def payload(size: int, seed: int = 0) -> bytes:
    """``size`` reproducible pseudo-random bytes (different seeds give different content)."""
    return random.Random(seed).randbytes(size)


def files_named(sdk: openai.OpenAI, filename: str, purpose: str = "user_data") -> list[Any]:
    """Every file the service lists with this filename in this purpose, newest first."""
    return [f for f in sdk.files.list(purpose=purpose) if f.filename == filename]


def posts(server) -> dict[str, int]:
    """Counts of the operations that create something (every API call but reads)."""
    reads = ("files.list", "files.retrieve", "files.content")
    return {op: n for op, n in server.stats()["requests"].items() if op not in reads}


def private_tempdir(monkeypatch: pytest.MonkeyPatch, directory: os.PathLike) -> str:
    """Make ``tempfile.gettempdir()`` answer ``directory`` for this test, and return it."""
    monkeypatch.setattr(tempfile, "tempdir", os.fspath(directory))
    assert tempfile.gettempdir() == os.fspath(directory)
    return os.fspath(directory)


def leftover_temp_files() -> list[str]:
    """The spool and part files of writes still in ``tempfile.gettempdir()``."""
    return sorted(n for n in os.listdir(tempfile.gettempdir()) if n.startswith(TEMP_PREFIXES))


def assert_cancelled(sdk: openai.OpenAI, upload_id: str) -> None:
    """The Upload is no longer pending: the service refuses another part for it."""
    with pytest.raises(openai.BadRequestError, match="status is 'cancelled'"):
        sdk.uploads.parts.create(upload_id=upload_id, data=b"x")


class Wire:
    """The requests one filesystem sent and the JSON answers it got, in order.

    Each entry is ``(method, path, request_json, response_json)`` with the path below the
    base URL (``/uploads``), ``request_json`` the JSON body sent (``None`` for forms) and
    ``response_json`` the parsed answer (``None`` if it was not JSON).
    """

    def __init__(self, fs) -> None:
        self.base_url = fs.client.base_url
        self.exchanges: list[tuple[str, str, Any, Any]] = []
        fs.client.session.hooks["response"].append(self._record)

    def _record(self, response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        body = request.body if isinstance(request.body, bytes) else None
        sent = (
            json.loads(body)
            if body and request.headers.get("Content-Type") == ("application/json")
            else None
        )
        try:
            answer = None if response.raw is None or kwargs.get("stream") else response.json()
        except ValueError:
            answer = None
        path = request.url[len(self.base_url) :].split("?")[0]
        self.exchanges.append((request.method, path, sent, answer))

    def sent(self, method: str, path: str) -> list[Any]:
        """The JSON bodies sent to ``method path`` (for example ``"POST", "/uploads"``)."""
        return [s for m, p, s, _ in self.exchanges if m == method and p == path]

    def ending(self, suffix: str) -> list[tuple[str, str, Any, Any]]:
        """The exchanges whose path ends with ``suffix`` (``"/complete"``)."""
        return [e for e in self.exchanges if e[1].endswith(suffix)]

    @property
    def upload_ids(self) -> list[str]:
        """The ids of the Uploads the service created for this filesystem."""
        return [a["id"] for m, p, _, a in self.exchanges if (m, p) == ("POST", "/uploads") and a]
