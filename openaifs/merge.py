"""Many sources into one file: the parts of one Upload, each taken from where it lies.

A local source goes up straight from its file, in parts of at most ``part_size`` (no local
concatenation); an ``openai://`` source streams down and into parts as it comes. The parts
go in parallel (``max_concurrency``), in the order of the sources, as one Upload: the new
file appears whole on ``complete``, or not at all. The whole content's md5 is computed on
the way, in source order, for the service to check.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from openaifs.limits import PROTOCOL
from openaifs.multipart import open_region


@dataclass(frozen=True)
class Source:
    """One source: a local file, or a File object of the store with the name it goes by."""

    size: int
    local_path: str | None = None
    file: dict[str, Any] | None = None
    name: str = ""


def sources_of(fs: Any, sources: list[Any]) -> list[Source]:
    """Check every source before anything is sent: local files exist, remote ones resolve."""
    if isinstance(sources, (str, os.PathLike)) or not sources:
        raise ValueError("sources must be a non-empty list of local paths and openai:// files")
    found = []
    for source in sources:
        text = os.fspath(source)
        if text.startswith(f"{PROTOCOL}://"):
            file, name = fs._file(text)
            found.append(Source(file["bytes"], file=file, name=name))
            continue
        if os.path.isdir(text):
            raise IsADirectoryError(f"{text}: is a folder; merge takes files")
        found.append(Source(os.path.getsize(text), local_path=text))  # FileNotFoundError
    return found


def merge(
    fs: Any,
    path: str,
    sources: list[Any],
    *,
    callback: Any = None,
    **options: Any,
) -> dict[str, Any]:
    """Write one file at ``path`` whose content is ``sources`` in order; return its File.

    See :meth:`openaifs.core.OpenAIFileSystem.merge`.
    """
    if fs._intrans:
        raise NotImplementedError(
            "merge is not deferred by fs.transaction: call it outside the block"
        )
    parts = sources_of(fs, sources)
    total = sum(s.size for s in parts)
    publisher = fs.publisher
    target = publisher.target(
        fs._resolve(path),
        options.get("overwrite"),
        options.get("expires_after"),
        options.get("mime_type"),
        total,
    )
    if callback is not None:
        callback.set_size(total)
    if total == 0:  # an Upload needs at least one part; an empty file needs none
        return publisher.publish(target, publisher.send_bytes(target, b""))
    upload = publisher.start_upload(target, total)
    if callback is not None:
        upload.on_part = callback.relative_update
    settings = publisher.settings
    try:
        with cf.ThreadPoolExecutor(1, thread_name_prefix="openaifs-md5") as hasher:
            # One thread, tasks in submission order: the md5 follows the sources' order.
            digest = hashlib.md5() if settings.checksum else None
            hashed: list[cf.Future] = []
            index = 0
            for source in parts:
                for opener, length, data in _pieces(fs, source, settings.part_size):
                    if digest is not None:
                        hashed.append(hasher.submit(_update, digest, source, data))
                    upload.send(index, opener, length)
                    index += 1
            for future in hashed:
                future.result()
            md5 = digest.hexdigest() if digest is not None else None
        file = publisher.finish_upload(target, upload, md5)
    except BaseException:
        upload.abort()
        raise
    return publisher.publish(target, file)


def _pieces(
    fs: Any, source: Source, part_size: int
) -> Iterator[tuple[Callable[[], Any], int, bytes | tuple[int, int]]]:
    """A source's parts: (opener, length, what the hasher reads: bytes or a local region)."""
    if source.local_path is not None:
        for offset in range(0, source.size, part_size):
            length = min(part_size, source.size - offset)
            yield open_region(source.local_path, offset), length, (offset, length)
        return
    buffer = bytearray()
    for chunk in fs.reader.iter(source.file, source.name):
        buffer += chunk
        while len(buffer) >= part_size:
            piece = bytes(buffer[:part_size])
            del buffer[:part_size]
            yield _opener(piece), len(piece), piece
    if buffer:
        piece = bytes(buffer)
        yield _opener(piece), len(piece), piece


def _opener(data: bytes) -> Callable[[], Any]:
    return lambda: io.BytesIO(data)


def _update(digest: Any, source: Source, data: bytes | tuple[int, int]) -> None:
    if isinstance(data, bytes):
        digest.update(data)
        return
    offset, length = data
    with open(source.local_path, "rb") as f:  # type: ignore[arg-type]
        f.seek(offset)
        while length:
            chunk = f.read(min(4 << 20, length))
            if not chunk:
                raise OSError(f"{source.local_path}: shorter than when the merge began")
            digest.update(chunk)
            length -= len(chunk)
