"""Metadata in SQLite and contents as plain files, laid out so a crash never shows a partial file.

Layout of a data directory::

    metadata.sqlite3   files, uploads and parts (WAL journal, synchronous=FULL)
    blobs/<file-id>    the content of each file made by POST /files
    parts/<part-id>    the bytes of each Upload part, and so the content of completed Uploads
    tmp/               bodies being received; emptied at startup

A content file is written under ``tmp/``, fsync'd, renamed into place and its directory
fsync'd *before* the metadata row that makes it visible is committed. So after a crash at any
moment a listed file always has its full content; anything without a row (temp files, orphans)
is removed by :meth:`Storage.recover`.

Completing an Upload copies nothing: the new file's content *is* its parts, in order (rows of
``file_parts``), handed from the Upload to the file in the transaction that adds the file.

All SQLite access goes through one connection guarded by one lock; callers run these methods in
a worker thread because a durable commit waits for the disk.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Iterator
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- insertion order: breaks created_at ties
    id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL,
    filename TEXT NOT NULL,
    purpose TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    md5 TEXT,                            -- lower-case hex, when an Upload's complete checked it
    deleted INTEGER NOT NULL DEFAULT 0   -- kept as a tombstone so a deleted id stays a valid cursor
);
CREATE INDEX IF NOT EXISTS files_order ON files (project, created_at, seq);
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    filename TEXT NOT NULL,
    purpose TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    mime_type TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    file_id TEXT,
    file_expires_after INTEGER
);
CREATE TABLE IF NOT EXISTS parts (
    id TEXT PRIMARY KEY,
    upload_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    bytes INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS parts_upload ON parts (upload_id);
CREATE TABLE IF NOT EXISTS file_parts (   -- the content of a completed Upload's file, in order
    file_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    part_id TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (file_id, seq)
);
"""


logger = logging.getLogger("openaifs.server")


class CursorNotFound(LookupError):
    """The ``after`` id of a listing is not a file of this project."""


class Storage:
    """Files, Uploads and parts of every project.

    Parameters
    ----------
    data_dir
        Directory to keep everything in, created if needed; ``None`` keeps metadata in an in-memory
        SQLite database and contents in a private temporary directory removed by :meth:`close`
        (nothing is fsync'd then).
    """

    def __init__(self, data_dir: str | os.PathLike[str] | None) -> None:
        self.durable = data_dir is not None
        if data_dir is None:
            self.root = tempfile.mkdtemp(prefix="openaifs-memory-")
            database = ":memory:"
        else:
            self.root = os.path.abspath(os.fspath(data_dir))
            os.makedirs(self.root, exist_ok=True)
            database = os.path.join(self.root, "metadata.sqlite3")
        self.blob_dir = os.path.join(self.root, "blobs")
        self.part_dir = os.path.join(self.root, "parts")
        self.tmp_dir = os.path.join(self.root, "tmp")
        for path in (self.blob_dir, self.part_dir, self.tmp_dir):
            os.makedirs(path, exist_ok=True)
        self._lock = threading.Lock()
        # isolation_level=None: explicit BEGIN/COMMIT make a multi-row change one transaction.
        self._db = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        if self.durable:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
        else:
            self._db.execute("PRAGMA synchronous=OFF")
        self._db.executescript(_SCHEMA)
        self.recover()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """Hold the lock around one transaction, rolled back if anything in it fails."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- paths -----------------------------------------------------------------------------------

    def blob_path(self, file_id: str) -> str:
        """Return where the content of ``file_id`` lives."""
        return os.path.join(self.blob_dir, file_id)

    def part_path(self, part_id: str) -> str:
        """Return where the bytes of ``part_id`` live."""
        return os.path.join(self.part_dir, part_id)

    def temp_path(self) -> str:
        """Return a fresh path under ``tmp/`` (on the same file system, so a rename is atomic)."""
        handle, path = tempfile.mkstemp(dir=self.tmp_dir, suffix=".partial")
        os.close(handle)
        return path

    # -- housekeeping ------------------------------------------------------------------------------

    def recover(self) -> None:
        """Remove temp files and contents that no metadata row claims (left by a crash)."""
        with self._lock:
            files = {r[0] for r in self._db.execute("SELECT id FROM files WHERE deleted = 0")}
            parts = {r[0] for r in self._db.execute("SELECT id FROM parts")}
            parts |= {
                r[0]
                for r in self._db.execute(
                    "SELECT part_id FROM file_parts JOIN files ON files.id = file_parts.file_id"
                    " WHERE files.deleted = 0"
                )
            }
        _remove_all(self.tmp_dir, keep=())
        _remove_all(self.blob_dir, keep=files)
        _remove_all(self.part_dir, keep=parts)

    def reset(self) -> None:
        """Delete every file, upload and part of every project."""
        with self._transaction():
            for table in ("files", "uploads", "parts", "file_parts"):
                self._db.execute(f"DELETE FROM {table}")
        for path in (self.tmp_dir, self.blob_dir, self.part_dir):
            _remove_all(path, keep=())

    def close(self) -> None:
        """Close the database; in memory mode also remove the private directory."""
        with self._lock:
            self._db.close()
        if not self.durable:
            shutil.rmtree(self.root, ignore_errors=True)

    # -- files -------------------------------------------------------------------------------------

    def content(self, file_id: str) -> list[tuple[str, int]]:
        """Return the pieces of a file's content in order, as ``(path, size)`` pairs."""
        with self._lock:
            rows = self._db.execute(
                "SELECT part_id, bytes FROM file_parts WHERE file_id = ? ORDER BY seq", (file_id,)
            ).fetchall()
            if not rows:
                row = self._db.execute("SELECT bytes FROM files WHERE id = ?", (file_id,))
                size = row.fetchone()[0]
                # An empty Upload completed with no parts has neither parts nor a blob.
                return [(self.blob_path(file_id), size)] if size else []
        return [(self.part_path(part_id), size) for part_id, size in rows]

    def add_file(self, record: dict[str, Any]) -> dict[str, Any]:
        """Make a file visible; its content must already be at :meth:`blob_path`."""
        with self._lock:
            self._insert_file(record)
        return self.get_file(record["project"], record["id"], now=None) or record

    def _insert_file(self, record: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT INTO files (id, project, filename, purpose, bytes, created_at, expires_at, md5)"
            " VALUES (:id, :project, :filename, :purpose, :bytes, :created_at, :expires_at, :md5)",
            record,
        )

    def get_file(self, project: str, file_id: str, now: int | None) -> dict[str, Any] | None:
        """Return the live file ``file_id`` of ``project`` (``None``: absent, deleted, expired)."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM files WHERE id = ? AND project = ? AND deleted = 0",
                (file_id, project),
            ).fetchone()
        if row is None or _expired(row["expires_at"], now):
            return None
        return dict(row)

    def list_files(
        self,
        project: str,
        *,
        now: int,
        purpose: str | None = None,
        limit: int = 10_000,
        order: str = "desc",
        after: str | None = None,
    ) -> tuple[list[dict[str, Any]], bool]:
        """Return one page of live files ordered by ``(created_at, seq)`` and whether more follow.

        Raises
        ------
        CursorNotFound
            If ``after`` is not the id of a file (live, deleted or expired) of this project.
        """
        descending = order == "desc"
        sql = "SELECT * FROM files WHERE project = ? AND deleted = 0"
        sql += " AND (expires_at IS NULL OR expires_at > ?)"
        args: list[Any] = [project, now]
        if purpose is not None:
            sql += " AND purpose = ?"
            args.append(purpose)
        with self._lock:
            if after is not None:
                cursor = self._db.execute(
                    "SELECT created_at, seq FROM files WHERE id = ? AND project = ?",
                    (after, project),
                ).fetchone()
                if cursor is None:
                    raise CursorNotFound(after)
                sql += " AND (created_at, seq) " + ("<" if descending else ">") + " (?, ?)"
                args += [cursor["created_at"], cursor["seq"]]
            direction = "DESC" if descending else "ASC"
            sql += f" ORDER BY created_at {direction}, seq {direction} LIMIT ?"
            args.append(limit + 1)
            rows = [dict(r) for r in self._db.execute(sql, args)]
        return rows[:limit], len(rows) > limit

    def delete_file(self, project: str, file_id: str, now: int) -> list[str] | None:
        """Delete a live file (its row becomes a tombstone); ``None`` if absent.

        Returns the paths that held its content, for :meth:`remove_content` to unlink: the
        file is gone once this returns, and removing a large file's freshly written pages
        can wait on the disk (25 ms per 16 MiB part seen here), which no answer should.
        """
        with self._transaction():
            row = self._db.execute(
                "SELECT expires_at FROM files WHERE id = ? AND project = ? AND deleted = 0",
                (file_id, project),
            ).fetchone()
            if row is None or _expired(row["expires_at"], now):
                return None
            self._db.execute("UPDATE files SET deleted = 1 WHERE id = ?", (file_id,))
            part_ids = [
                r[0]
                for r in self._db.execute(
                    "SELECT part_id FROM file_parts WHERE file_id = ?", (file_id,)
                )
            ]
            self._db.execute("DELETE FROM file_parts WHERE file_id = ?", (file_id,))
        # The rows go first: a crash before the unlinks leaves orphans that recover() removes.
        return [self.blob_path(file_id), *(self.part_path(p) for p in part_ids)]

    def remove_content(self, paths: Iterable[str]) -> None:
        """Unlink what :meth:`delete_file` returned (errors logged: the file is gone anyway)."""
        for path in paths:
            try:
                _unlink(path)
            except OSError as exc:  # recover() removes it at the next start
                logger.warning("could not remove %s: %s", path, exc)

    # -- uploads -----------------------------------------------------------------------------------

    def add_upload(self, record: dict[str, Any]) -> None:
        """Store a new pending Upload."""
        with self._lock:
            self._db.execute(
                "INSERT INTO uploads (id, project, filename, purpose, bytes, mime_type, created_at,"
                " expires_at, status, file_id, file_expires_after) VALUES (:id, :project,"
                " :filename, :purpose, :bytes, :mime_type, :created_at, :expires_at, 'pending',"
                " NULL, :file_expires_after)",
                record,
            )

    def get_upload(self, project: str, upload_id: str) -> dict[str, Any] | None:
        """Return the Upload row (``status`` as stored; see :func:`upload_status`)."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM uploads WHERE id = ? AND project = ?", (upload_id, project)
            ).fetchone()
        return None if row is None else dict(row)

    def add_part(self, upload_id: str, part: dict[str, Any], now: int) -> str:
        """Record a part whose bytes are already at :meth:`part_path`.

        Returns the Upload's status at that moment: the part is recorded only if it is ``pending``.
        """
        with self._lock:
            row = self._db.execute("SELECT * FROM uploads WHERE id = ?", (upload_id,)).fetchone()
            status = upload_status(dict(row), now)
            if status == "pending":
                self._db.execute(
                    "INSERT INTO parts (id, upload_id, created_at, bytes)"
                    " VALUES (:id, :upload_id, :created_at, :bytes)",
                    part,
                )
        return status

    def get_parts(self, upload_id: str) -> dict[str, dict[str, Any]]:
        """Return the parts of an Upload by id."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM parts WHERE upload_id = ?", (upload_id,))
            return {r["id"]: dict(r) for r in rows}

    def complete_upload(
        self, upload_id: str, file_record: dict[str, Any], part_ids: list[str]
    ) -> bool:
        """In one transaction: add the new file made of ``part_ids`` in that order, mark the
        Upload completed, and forget its parts (removing those not listed).

        Returns ``False`` (changing nothing) if the Upload is no longer pending: an expiry
        sweep may have freed its parts meanwhile.
        """
        with self._transaction():
            status = self._db.execute("SELECT status FROM uploads WHERE id = ?", (upload_id,))
            if status.fetchone()[0] != "pending":
                return False
            self._insert_file(file_record)
            self._db.executemany(
                "INSERT INTO file_parts (file_id, seq, part_id, bytes)"
                " SELECT ?, ?, id, bytes FROM parts WHERE id = ? AND upload_id = ?",
                [(file_record["id"], n, p, upload_id) for n, p in enumerate(part_ids)],
            )
            self._db.execute(
                "UPDATE uploads SET status = 'completed', file_id = ? WHERE id = ?",
                (file_record["id"], upload_id),
            )
            unlisted = set(self._drop_parts(upload_id)) - set(part_ids)
        self._unlink_parts(unlisted)
        return True

    def finish_upload(self, upload_id: str, status: str) -> None:
        """Mark an Upload ``cancelled`` (or ``expired``) and remove its parts."""
        with self._transaction():
            self._db.execute("UPDATE uploads SET status = ? WHERE id = ?", (status, upload_id))
            part_ids = self._drop_parts(upload_id)
        self._unlink_parts(part_ids)

    def _drop_parts(self, upload_id: str) -> list[str]:
        ids = [
            r[0] for r in self._db.execute("SELECT id FROM parts WHERE upload_id = ?", (upload_id,))
        ]
        self._db.execute("DELETE FROM parts WHERE upload_id = ?", (upload_id,))
        return ids

    def _unlink_parts(self, part_ids: Iterable[str]) -> None:
        for part_id in part_ids:
            _unlink(self.part_path(part_id))

    def expire_uploads(self, now: int) -> list[str]:
        """Expire pending Uploads past their expiry (freeing their parts); return their ids."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM uploads WHERE status = 'pending' AND expires_at <= ?", (now,)
            ).fetchall()
        for row in rows:
            self.finish_upload(row[0], "expired")
        return [row[0] for row in rows]


def upload_status(row: dict[str, Any], now: int | None) -> str:
    """Return an Upload's status, ``expired`` once a pending one has outlived its ``expires_at``."""
    if row["status"] == "pending" and _expired(row["expires_at"], now):
        return "expired"
    return row["status"]


def _expired(expires_at: int | None, now: int | None) -> bool:
    return expires_at is not None and now is not None and expires_at <= now


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _remove_all(directory: str, keep: Iterable[str]) -> None:
    keep = set(keep)
    for name in os.listdir(directory):
        if name not in keep:
            _unlink(os.path.join(directory, name))
