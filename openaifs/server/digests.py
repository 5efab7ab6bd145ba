"""The md5 of an Upload's parts, worked out while they arrive, so ``complete`` need not wait.

md5 cannot be combined from the parts' own digests: the md5 of a file is one pass over its
bytes in order, and the order is only known at ``complete`` (its ``part_ids``). Hashing every
part there put a serial pass over the whole file on the critical path of every upload (0.6 s
for 256 MiB on a quiet 2-core machine, longer than the last part took to arrive).

Clients send parts in the order they will list them (the SDK one at a time), so the running
md5 here follows the order in which part *requests began*: each part is hashed, in a worker
thread, as soon as it and every part begun before it are in. A request may name its part's
place instead, in the header :data:`~openaifs.limits.PART_INDEX_HEADER` (openaifs does: its
parts go on several connections at once, and requests begun together reach the server in
any order); the part then takes that place, and a part sent again takes the place of the
earlier attempt. ``complete`` takes the longest prefix of its ``part_ids`` that the running
md5 covers and hashes only the rest, so any other order is still answered correctly, only
later.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from .blobs import hash_files

#: Runs a blocking call off the event loop (:meth:`ServerState.run`).
Run = Callable[..., Awaitable[Any]]

#: Places beyond this are not kept in order (a bound on what one header can make us hold).
MAX_PART_INDEX = 100_000


def part_index(value: str | None) -> int | None:
    """The place a :data:`~openaifs.limits.PART_INDEX_HEADER` value names, or ``None``
    (none, or not one)."""
    # ASCII digits only: str.isdigit() takes "²", which int() refuses (a 500, not ignored).
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > 6:
        return None
    index = int(value)
    return index if index < MAX_PART_INDEX else None


class _Slot:
    """One part request, from the moment it began."""

    __slots__ = ("dropped", "index", "part_id", "path")

    def __init__(self, index: int | None = None) -> None:
        self.part_id: str | None = None
        self.path: str | None = None
        self.dropped = False
        self.index = index  # the place the request named, if any


class RunningDigest:
    """The md5 of one Upload's parts in the order their requests began.

    Parameters
    ----------
    run
        Runs the blocking hashing in a worker thread.
    """

    def __init__(self, run: Run, project: str = "") -> None:
        self._run = run
        self.project = project
        self._slots: list[_Slot] = []  # in the order the requests began
        self._next = 0  # the first slot not yet consumed
        self._md5 = hashlib.md5()
        self.covered: list[str] = []  # the part ids hashed so far, in order
        self._states: list[Any] = []  # a copy of the md5 after each covered part
        self._task: asyncio.Task[None] | None = None
        self._stopped = False

    def begin(self, index: int | None = None) -> _Slot:
        """Note that a part request has begun; its place in the running order is now fixed:
        ``index``, if the request named one, else after every part begun before it."""
        slot = _Slot(index)
        if index is None:
            self._slots.append(slot)
        elif index >= self._next:  # a place already hashed over is not taken again
            self._slots.extend(_Slot(i) for i in range(len(self._slots), index + 1))
            self._slots[index] = slot  # a part sent again replaces the earlier attempt
        return slot

    def finished(self, slot: _Slot, part_id: str, path: str) -> None:
        """The part of ``slot`` is stored at ``path``: hash it once its turn comes."""
        slot.part_id, slot.path = part_id, path
        self._advance()

    def dropped(self, slot: _Slot) -> None:
        """The request of ``slot`` stored no part (refused, failed, disconnected)."""
        if slot.index is not None:
            return  # its place waits for the part to be sent again
        slot.dropped = True
        self._advance()

    def stop(self) -> None:
        """Hash nothing more (the Upload is completed, cancelled or expired)."""
        self._stopped = True

    def _advance(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._hash_ready())

    async def _hash_ready(self) -> None:
        """Hash every finished part at the head of the running order, one after another."""
        while not self._stopped and self._next < len(self._slots):
            slot = self._slots[self._next]
            if slot.dropped:
                self._next += 1
                continue
            if slot.path is None:
                return  # still arriving; its finishing starts this again
            try:
                await self._run(hash_files, [slot.path], self._md5)
            except Exception:  # removed meanwhile, say: complete hashes the rest itself
                self._stopped = True
                return
            self._next += 1
            self.covered.append(slot.part_id)
            self._states.append(self._md5.copy())

    async def md5(self, part_ids: Sequence[str], paths: Sequence[str]) -> tuple[str, int]:
        """Return the md5 of ``paths`` (the files of ``part_ids``, in that order), and how
        many bytes had to be read for it now.

        What the running md5 already covers of that order is not read again.
        """
        task = self._task
        if task is not None:
            await asyncio.shield(task)  # parts already in are hashed by now, or soon
        known = 0
        for covered, wanted in zip(self.covered, part_ids, strict=False):
            if covered != wanted:
                break
            known += 1
        md5 = self._states[known - 1].copy() if known else hashlib.md5()
        read = await self._run(hash_files, paths[known:], md5)
        return md5.hexdigest(), read


class Digests:
    """The running digests of pending Uploads, by Upload id.

    Parameters
    ----------
    run
        Runs the blocking hashing in a worker thread.
    """

    def __init__(self, run: Run) -> None:
        self._run = run
        self._by_upload: dict[str, RunningDigest] = {}

    def of(self, upload_id: str, project: str = "") -> RunningDigest:
        """Return the running digest of ``upload_id`` (a new one on its first part).

        A request of another ``project`` gets a digest of its own that is not kept: its
        Upload id is not found for it, and it must not disturb the owner's.
        """
        digest = self._by_upload.get(upload_id)
        if digest is None:
            digest = self._by_upload[upload_id] = RunningDigest(self._run, project)
        elif digest.project != project:
            return RunningDigest(self._run, project)
        return digest

    def forget_unless_owned(self, upload_id: str, project: str) -> None:
        """Drop the digest of ``upload_id`` unless another project's Upload owns it (a
        request naming no pending Upload of its own made it)."""
        digest = self._by_upload.get(upload_id)
        if digest is not None and digest.project == project:
            self.forget([upload_id])

    def pending(self) -> list[str]:
        """Return the ids of the Uploads that have a running digest."""
        return list(self._by_upload)

    def forget_all(self) -> None:
        """Drop every digest (the server was reset)."""
        self.forget(list(self._by_upload))

    def forget(self, upload_ids: Sequence[str]) -> None:
        """Drop the digests of Uploads that take no more parts."""
        for upload_id in upload_ids:
            digest = self._by_upload.pop(upload_id, None)
            if digest is not None:
                digest.stop()
