"""The ``openai://`` path grammar: pure functions, no I/O.

::

    openai://                       the root: one directory per purpose
    openai://<purpose>/             the files and folders of one purpose
    openai://<purpose>/<a>/<b>/<n>  the newest file named "a/b/n" in that purpose, or the
                                    folder of the names that start with "a/b/n/"
    openai://<file-id>              one exact file, whatever its purpose

As on S3, a ``/`` in a filename separates folders, and a folder exists while some file's
name starts with it. Whether a path below a purpose is a file, a folder or both is a
question for the listing; the grammar only says which name it means.

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
    - a name below a purpose: ``purpose`` and ``filename`` set (``"a/b/n"``: a file of
      that name, a folder of that prefix, or both);
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
    """Whether a service filename can be a path below its purpose.

    It can when it is ``/``-separated segments, none empty, ``.`` or ``..`` (so no leading,
    trailing or doubled ``/``). Other names (another client may send any) are listed and
    reached by their id path instead, never hidden.
    """
    # String tests rather than a split: this runs for every file of every listing shown.
    wrapped = f"/{name}/"
    return "//" not in wrapped and "/./" not in wrapped and "/../" not in wrapped


def folders_of(name: str) -> list[str]:
    """The folders a valid filename lies in, outermost first (``"a/b/n"``: ``a``, ``a/b``)."""
    parts = name.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def parse_path(path: str) -> ResolvedPath:
    """Resolve ``path`` (with or without protocol) into a :class:`ResolvedPath`.

    Parameters
    ----------
    path : str
        ``""``, ``"<purpose>"``, ``"<purpose>/<a>/…/<name>"`` or ``"file-…"``, optionally
        prefixed with ``openai://`` (surrounding slashes are ignored).

    Raises
    ------
    ValueError
        For a malformed purpose, an id with a suffix, or a name with an empty, ``.`` or
        ``..`` segment.
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
    if not is_valid_filename(rest):
        raise ValueError(
            f"{path!r}: {rest!r} is not a path below a purpose: its segments must not be "
            "empty, '.' or '..' (a file with such a name is reached by its id, 'openai://file-…')"
        )
    return ResolvedPath(purpose=head, filename=rest)


def has_magic(text: str) -> bool:
    """Whether ``text`` holds glob characters (``*``, ``?``, ``[``)."""
    return any(c in text for c in "*?[")
