"""Small helpers shared by the read-side tests (names, listings, cache, reading, deleting)."""

from __future__ import annotations

import random
from typing import Any


def payload(size: int, seed: int = 0) -> bytes:
    """Deterministic pseudo-random bytes.

    Parameters
    ----------
    size : int
        How many bytes.
    seed : int
        Different seeds give different content.
    """
    return random.Random(seed).randbytes(size)


def requests_to(server: Any, operation: str) -> int:
    """How many requests of ``operation`` (``"files.list"``...) the server has counted.

    Parameters
    ----------
    server : openaifs.testing.ServerControls
        The server under test.
    operation : str
        An operation name, as the server's statistics name it.
    """
    return server.stats()["requests"].get(operation, 0)


def sdk_create(sdk: Any, path: str, data: bytes) -> dict[str, Any]:
    """Create a file with the official SDK, behind the filesystem's back.

    Parameters
    ----------
    sdk : openai.OpenAI
        A client of the server under test.
    path : str
        ``"<purpose>/<filename>"``.
    data : bytes
        The content.

    Returns
    -------
    dict
        The File object.
    """
    purpose, _, filename = path.partition("/")
    return sdk.files.create(file=(filename, data), purpose=purpose).model_dump()


def sdk_versions(server: Any, sdk: Any, path: str, contents: list[bytes]) -> list[dict[str, Any]]:
    """Several files of one name, made by the SDK ten seconds apart on the server clock.

    Parameters
    ----------
    server : openaifs.testing.ServerControls
        The server whose clock moves between the files.
    sdk : openai.OpenAI
        A client of that server.
    path : str
        ``"<purpose>/<filename>"``, shared by every file.
    contents : list of bytes
        One content per file, oldest first.

    Returns
    -------
    list of dict
        The File objects, oldest first.
    """
    made = []
    for content in contents:
        made.append(sdk_create(sdk, path, content))
        server.advance_clock(10)
    return made
