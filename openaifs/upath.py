"""``OpenAIPath``: ``openai://`` paths for universal-pathlib.

Registered through the ``universal_pathlib.implementations`` entry point, so
``UPath("openai://batch/x.jsonl", api_key=..., base_url=...)`` gives an :class:`OpenAIPath`
without importing openaifs first::

    >>> from upath import UPath
    >>> p = UPath("openai://user_data", api_key="sk-...")      # doctest: +SKIP
    >>> (p / "notes.txt").write_text("hello")                  # doctest: +SKIP
    >>> [q.name for q in p.iterdir()]                          # doctest: +SKIP
    ['notes.txt']

The root holds one directory per purpose, and a ``/`` in a filename makes folders, so
``parent`` of ``openai://batch/runs/x.jsonl`` is the folder ``openai://batch/runs``, whose
parent is ``openai://batch``, whose parent is the root. A file id path
(``openai://file-…``) is a file directly under the root.
"""

from __future__ import annotations

from typing import Any

import fsspec
from upath.core import UPath

from openaifs.paths import PROTOCOL

__all__ = ["OpenAIPath"]

# universal-pathlib takes a protocol's path rules (separator, root marker) from the
# filesystem class once fsspec has imported it; without this it would fall back to a
# generic flavour and warn. Importing the class is cheap: openaifs is already loaded.
fsspec.get_filesystem_class(PROTOCOL)


class OpenAIPath(UPath):
    """A path in the OpenAI file store (see :class:`openaifs.OpenAIFileSystem`).

    Storage options are the filesystem's constructor keywords (``api_key``, ``base_url``,
    ``organization``, ``project``...); without them the ``OPENAI_*`` environment variables
    apply. ``stat()`` reports a file's ``created_at`` as its modification time: content
    never changes after a file is created.
    """

    __slots__ = ()

    def stat(self, *, follow_symlinks: bool = True) -> Any:
        from upath._stat import UPathStatResult

        info = dict(self.fs.info(self.path))
        created_at = info.get("created_at")
        if created_at is not None:
            info.setdefault("mtime", created_at)
            info.setdefault("ctime", created_at)
        return UPathStatResult.from_info(info)

    def mkdir(self, mode: int = 0o777, parents: bool = False, exist_ok: bool = False) -> None:
        """Purposes (and the root) always exist, so this succeeds only with ``exist_ok``;
        a folder needs no creating (it appears with its first file): this creates nothing."""
        if self.exists():
            if exist_ok and self.is_dir():
                return
            raise FileExistsError(str(self))
        self.fs.mkdir(self.path, create_parents=parents, mode=mode)
