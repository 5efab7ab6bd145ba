"""The ``openai://`` path grammar: pure functions, no I/O.

::

    openai://                       the root: one directory per purpose
    openai://<purpose>/             the files of one purpose (flat: no sub-folders)
    openai://<purpose>/<filename>   the newest file with that filename in that purpose
    openai://<file-id>              one exact file, whatever its purpose

A path is resolved into a :class:`ResolvedPath`; :meth:`ResolvedPath.unresolve` is its inverse,
so ``parse_path(p.unresolve()) == p`` for every resolved path ``p``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openaifs.limits import (  # noqa: F401 - re-exported: the path grammar's vocabulary
    FILE_ID_PREFIX,
    KNOWN_PURPOSES,
    OUTPUT_PURPOSES,
    PROTOCOL,
    WRITABLE_PURPOSES,
)

# Ids are "file-" followed by letters, digits, "_" or "-" (the service uses base62; other
# services that speak this API use longer or dashed forms, so stay permissive).
_FILE_ID = re.compile(r"file-[A-Za-z0-9_\-]+")
# A purpose is a short lowercase identifier; unknown ones found in the data are still valid
# names, so the grammar checks the shape only and leaves "is it known" to the caller.
_PURPOSE = re.compile(r"[a-z][a-z0-9_\-]*")


@dataclass(frozen=True)
class ResolvedPath:
    """One ``openai://`` path, resolved into its parts.

    Exactly one of these shapes holds:

    - root: every field ``None``;
    - a purpose directory: ``purpose`` set;
    - a named file: ``purpose`` and ``filename`` set;
    - a file by id: ``file_id`` set.
    """

    purpose: str | None = None
    filename: str | None = None
    file_id: str | None = None

    @property
    def is_root(self) -> bool:
        return self.purpose is None and self.file_id is None

    @property
    def is_purpose(self) -> bool:
        return self.purpose is not None and self.filename is None

    @property
    def is_named_file(self) -> bool:
        return self.filename is not None

    @property
    def is_file_id(self) -> bool:
        return self.file_id is not None

    def unresolve(self) -> str:
        """Return the path (without protocol) that resolves to this object."""
        if self.file_id is not None:
            return self.file_id
        if self.purpose is None:
            return ""
        if self.filename is None:
            return self.purpose
        return f"{self.purpose}/{self.filename}"


def strip_protocol(path: str) -> str:
    """Remove ``openai://`` (or ``openai:``) and surrounding slashes from ``path``."""
    for prefix in (f"{PROTOCOL}://", f"{PROTOCOL}:"):
        if path.startswith(prefix):
            path = path[len(prefix) :]
            break
    return path.strip("/")


def is_file_id(text: str) -> bool:
    """Whether ``text`` has the shape of a file id (``file-…``)."""
    return _FILE_ID.fullmatch(text) is not None


def is_valid_filename(name: str) -> bool:
    """Whether a service filename can be shown as one path segment.

    Filenames containing ``/``, empty names and ``.``/``..`` cannot; such files are
    listed and reached by their id path instead.
    """
    return bool(name) and "/" not in name and name not in (".", "..")


def parse_path(path: str) -> ResolvedPath:
    """Resolve ``path`` (with or without protocol) into a :class:`ResolvedPath`.

    Parameters
    ----------
    path : str
        ``""``, ``"<purpose>"``, ``"<purpose>/<filename>"`` or ``"file-…"``, optionally
        prefixed with ``openai://``.

    Raises
    ------
    ValueError
        For a path nested below a purpose, a malformed purpose, or an id with a suffix.
    """
    if not isinstance(path, str):
        raise TypeError(f"path must be a str, not {type(path).__name__}")
    stripped = strip_protocol(path)
    if not stripped:
        return ResolvedPath()
    head, sep, rest = stripped.partition("/")
    if head.startswith(FILE_ID_PREFIX):
        if sep or not is_file_id(head):
            raise ValueError(
                f"{path!r}: a file id path is 'openai://file-…' alone, "
                "with letters, digits, '_' or '-' after 'file-'"
            )
        return ResolvedPath(file_id=head)
    if not _PURPOSE.fullmatch(head):
        raise ValueError(
            f"{path!r}: {head!r} is not a purpose; expected one of "
            f"{', '.join(KNOWN_PURPOSES)} (or a file id 'file-…')"
        )
    if not rest:
        return ResolvedPath(purpose=head)
    if "/" in rest:
        raise ValueError(
            f"{path!r}: a purpose is a flat directory; sub-folders are not supported "
            f"(expected 'openai://{head}/<filename>')"
        )
    if rest in (".", ".."):
        raise ValueError(f"{path!r}: {rest!r} is not a filename")
    return ResolvedPath(purpose=head, filename=rest)


def has_magic(text: str) -> bool:
    """Whether ``text`` holds glob characters (``*``, ``?``, ``[``)."""
    return any(c in text for c in "*?[")
