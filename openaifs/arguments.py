"""Misused arguments of the public methods, refused before any request.

Each error names the argument, what was given, and what to pass instead: a new user's
mistake should cost one reading of the message, not a search of the docs.
"""

from __future__ import annotations

import difflib
import os
from typing import Any

from openaifs.limits import MAX_EXPIRES_AFTER, MIN_EXPIRES_AFTER

OPEN_MODES = ("rb", "r", "wb", "w", "xb", "x")
_ALLOWED_MODES = {"r", "rb", "rt", "w", "wb", "wt", "x", "xb", "xt"}

#: Keywords ``open`` accepts besides its named parameters (text layers, transactions,
#: fsspec's read cache).
OPEN_EXTRAS = ("encoding", "errors", "newline", "autocommit", "cache_type")
#: Named parameters of ``open`` that only mean something when writing. (``size`` is not
#: among them: fsspec's own callers pass a reader the size they already know.)
WRITE_ONLY = ("overwrite", "expires_after", "mime_type", "callback")
TEXT_ONLY = ("encoding", "errors", "newline")
WRITE_MODES = ("overwrite", "create")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_path(path: Any) -> None:
    """A path is a ``str`` (or ``os.PathLike``)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"a path must be a str such as 'openai://user_data/notes.txt', "
            f"not {type(path).__name__} ({path!r:.40})"
        )


def check_mode(mode: Any) -> None:
    """``open``'s mode is one openaifs supports; the error names the mode as written.

    fsspec's ``OpenFile`` (``fsspec.open``, pandas) adds a ``b`` to the mode the user
    wrote before it reaches :meth:`open`, so the message names the mode without it.
    """
    if not isinstance(mode, str):
        raise TypeError(f"mode must be a str such as 'rb' or 'wb', not {type(mode).__name__}")
    if mode in _ALLOWED_MODES:
        return
    written = mode.replace("b", "") or mode
    if "a" in mode:
        reason = (
            "appending is impossible: a file's content never changes once written; "
            "write the whole content with 'w' (or 'wb')"
        )
    elif "+" in mode:
        reason = "a file is read or written, not both; open it once for each"
    else:
        reason = f"use one of {', '.join(repr(m) for m in OPEN_MODES)}"
    raise ValueError(f"mode {written!r} is not supported: {reason}")


def check_open_arguments(
    mode: str,
    block_size: Any,
    cache_options: Any,
    compression: Any,
    named: dict[str, Any],
    kwargs: dict[str, Any],
) -> None:
    """Refuse a misused argument of :meth:`OpenAIFileSystem.open` before any request.

    Parameters
    ----------
    named : dict
        The write-only named parameters (``size``, ``overwrite``, ...) as given.
    kwargs : dict
        The other keywords.
    """
    check_mode(mode)
    writing = "r" not in mode
    if block_size is not None and (not _is_int(block_size) or block_size <= 0):
        raise ValueError(
            f"block_size must be a positive number of bytes (an int), not {block_size!r}"
        )
    if cache_options is not None and not isinstance(cache_options, dict):
        raise TypeError(f"cache_options must be a dict, not {type(cache_options).__name__}")
    _check_compression(compression)
    for name in kwargs:
        if name not in OPEN_EXTRAS:
            known = [*OPEN_EXTRAS, *WRITE_ONLY, "size"]
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"open() got an unknown option {name!r}{hint}")
    given = {**named, **kwargs}
    if not writing:
        wrong = [n for n in WRITE_ONLY if given.get(n) is not None]
        if wrong:
            raise ValueError(
                f"{wrong[0]}= applies to writing only; open with 'wb' (or 'w') to write"
            )
    if "b" in mode:
        wrong = [n for n in TEXT_ONLY if given.get(n) is not None]
        if wrong:
            raise ValueError(
                f"binary mode {mode!r} takes no {wrong[0]}=; open in text mode "
                f"({mode.replace('b', '')!r}) to decode text"
            )
    size = named.get("size")
    if size is not None:
        check_size_argument(size)
    check_write_options(named.get("expires_after"), named.get("mime_type"))
    cache_type = kwargs.get("cache_type")
    if cache_type is not None:
        from fsspec.caching import caches

        if cache_type not in caches:
            known = ", ".join(sorted(str(c) for c in caches))
            raise ValueError(f"cache_type {cache_type!r} is not one of fsspec's: {known}")


def _check_compression(compression: Any) -> None:
    if compression is None or compression == "infer":
        return
    from fsspec.compression import compr

    if compression not in compr:
        known = ", ".join(repr(c) for c in sorted(c for c in compr if c))
        raise ValueError(f"compression {compression!r} is not one of fsspec's: 'infer', {known}")


def check_size_argument(size: Any) -> None:
    """``size=`` is the total number of bytes to be written."""
    if not _is_int(size):
        raise TypeError(f"size must be an int number of bytes, not {type(size).__name__}")
    if size < 0:
        raise ValueError(
            f"size must be the total number of bytes to be written (>= 0), not {size}; "
            "leave it out if you do not know it"
        )


def check_write_options(expires_after: Any, mime_type: Any) -> None:
    """``expires_after`` (seconds, in the service's range) and ``mime_type`` (a str)."""
    if expires_after is not None:
        if not _is_int(expires_after):
            raise TypeError(
                "expires_after must be an int number of seconds "
                f"({MIN_EXPIRES_AFTER} to {MAX_EXPIRES_AFTER}), not {expires_after!r}"
            )
        if not MIN_EXPIRES_AFTER <= expires_after <= MAX_EXPIRES_AFTER:
            raise ValueError(
                f"expires_after must be between {MIN_EXPIRES_AFTER} (an hour) and "
                f"{MAX_EXPIRES_AFTER} (30 days) seconds, not {expires_after}"
            )
    if mime_type is not None and not isinstance(mime_type, str):
        raise TypeError(
            f"mime_type must be a str such as 'text/plain', not {type(mime_type).__name__}"
        )


def check_write_mode(mode: Any) -> None:
    """``mode`` of ``pipe_file``/``put_file``: fsspec's ``"overwrite"`` or ``"create"``."""
    if mode not in WRITE_MODES:
        raise ValueError(
            f"mode must be 'overwrite' or 'create' (fail if the name exists), not {mode!r}; "
            "for keeping older files of the name use overwrite='keep'"
        )


def check_content(value: Any) -> None:
    """What ``pipe_file`` writes is bytes."""
    if isinstance(value, str):
        raise TypeError("pipe_file writes bytes, not str: pass value.encode() (or use write_text)")
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"pipe_file writes bytes, not {type(value).__name__}")


def check_range(start: Any, end: Any) -> None:
    """``start``/``end`` of ``cat_file`` are int byte offsets or ``None``."""
    for name, value in (("start", start), ("end", end)):
        if value is not None and not _is_int(value):
            raise TypeError(
                f"{name} must be an int byte offset (negative: from the end) or None, "
                f"not {type(value).__name__}"
            )


def check_local_target(lpath: str, remote: str) -> None:
    """A download goes to a file path whose folder exists."""
    name = remote.rstrip("/").rsplit("/", 1)[-1]
    if os.path.isdir(lpath):
        raise IsADirectoryError(
            f"{lpath}: is a folder; download to a file path such as "
            f"{os.path.join(lpath, name)!r} (or use get(), which puts files into folders)"
        )
    parent = os.path.dirname(os.path.abspath(lpath))
    if not os.path.isdir(parent):
        raise FileNotFoundError(
            f"{lpath}: the folder {parent!r} does not exist; create it first "
            "(get() creates the folders it needs)"
        )
