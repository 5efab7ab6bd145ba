"""Where ``openaifs serve`` finds its bearer keys: flags, a key file, an environment variable.

A key given with ``--api-key`` shows in ``ps`` and in shell history, so the file and the
variable are the recommended ways. Error messages name the source and the line, never a key.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

#: The environment variable holding comma-separated keys.
KEYS_VARIABLE = "OPENAIFS_SERVER_API_KEYS"


class KeySourceError(ValueError):
    """A key file or variable that cannot be used (unreadable, empty, malformed)."""


def keys_from_variable(environ: Mapping[str, str]) -> list[str]:
    """Return the keys in :data:`KEYS_VARIABLE` (none when it is unset or empty).

    Raises
    ------
    KeySourceError
        If it holds only separators, or a key with whitespace inside.
    """
    text = environ.get(KEYS_VARIABLE, "")
    if not text.strip():
        return []
    keys = [item.strip() for item in text.split(",") if item.strip()]
    if not keys:
        raise KeySourceError(f"{KEYS_VARIABLE} holds no key (expected KEY1,KEY2,...)")
    for position, key in enumerate(keys, 1):
        if any(char.isspace() for char in key):
            raise KeySourceError(
                f"{KEYS_VARIABLE}: key {position} contains whitespace (keys are separated "
                "by commas only)"
            )
    return keys


def keys_from_file(path: str) -> list[str]:
    """Return the keys in ``path``: one a line; blank lines and lines starting with ``#`` skipped.

    Raises
    ------
    KeySourceError
        If the file cannot be read, holds no key, or a line holds more than one word.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise KeySourceError(f"cannot read --api-key-file {path}: {reason}") from None
    keys = []
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if any(char.isspace() for char in text):
            raise KeySourceError(
                f"--api-key-file {path}, line {number}: one key a line, with no spaces "
                "(comments go on their own line, starting with #)"
            )
        keys.append(text)
    if not keys:
        raise KeySourceError(
            f"--api-key-file {path} holds no key (one key a line; blank lines and # comments "
            "are ignored)"
        )
    return keys


def gather_keys(
    flags: Iterable[str], files: Iterable[str], environ: Mapping[str, str] | None = None
) -> list[str]:
    """Return every key from ``--api-key`` flags, ``--api-key-file`` files and the variable.

    All sources add up: the server accepts a key given by any of them. An empty result means
    that any bearer key is accepted.

    Raises
    ------
    KeySourceError
        As :func:`keys_from_file` and :func:`keys_from_variable` do.
    """
    keys = list(flags)
    for path in files:
        keys += keys_from_file(path)
    keys += keys_from_variable(os.environ if environ is None else environ)
    return list(dict.fromkeys(keys))
