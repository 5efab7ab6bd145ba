"""kill -9 at various moments while files stream in; restart; nothing partial is listed."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import threading
import time

import pytest
import requests

from openaifs.testing import ServerProcess

KEY = "sk-crash"


def content_for(n: int, size: int) -> bytes:
    """The deterministic content of file number ``n`` (so any listed file can be checked)."""
    seed = hashlib.sha256(str(n).encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


def slow_multipart(data: bytes, filename: str, piece: int, pause: float):
    """A chunked multipart body for POST /files that trickles in."""
    boundary = "openaifs-crash-boundary"
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    for start in range(0, len(data), piece):
        time.sleep(pause)
        yield data[start : start + piece]
    yield f"\r\n--{boundary}--\r\n".encode()


class Traffic:
    """Threads that keep creating files (fast, slow, and through Uploads) until stopped."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.acknowledged: dict[str, bytes] = {}  # file id -> content, for answered creates
        self.stop = threading.Event()
        self.counter = iter(range(10**9))
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._run, args=(mode,), daemon=True)
            for mode in ("fast", "slow", "upload")
        ]

    def _next(self, size: int) -> tuple[str, bytes]:
        with self.lock:
            n = next(self.counter)
        return f"{n}-{size}.bin", content_for(n, size)

    def _run(self, mode: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {KEY}"
        while not self.stop.is_set():
            try:
                file = getattr(self, f"_{mode}")(session)
            except (requests.RequestException, OSError):
                continue
            with self.lock:
                self.acknowledged[file["id"]] = content_for(
                    *map(int, file["filename"][:-4].split("-"))
                )

    def _fast(self, session):
        name, data = self._next(50_000)
        answer = session.post(
            self.base_url + "/files", data={"purpose": "user_data"}, files={"file": (name, data)}
        )
        answer.raise_for_status()
        return answer.json()

    def _slow(self, session):
        name, data = self._next(1_000_000)
        body = slow_multipart(data, name, 64 * 1024, 0.01)
        headers = {"Content-Type": "multipart/form-data; boundary=openaifs-crash-boundary"}
        answer = session.post(self.base_url + "/files", data=body, headers=headers)
        answer.raise_for_status()
        return answer.json()

    def _upload(self, session):
        name, data = self._next(300_000)
        upload = session.post(
            self.base_url + "/uploads",
            json={"bytes": len(data), "filename": name, "mime_type": "x/y", "purpose": "user_data"},
        ).json()
        part_ids = []
        for start in range(0, len(data), 100_000):
            part = session.post(
                f"{self.base_url}/uploads/{upload['id']}/parts",
                files={"data": ("blob", data[start : start + 100_000])},
            )
            part.raise_for_status()
            part_ids.append(part.json()["id"])
        done = session.post(
            f"{self.base_url}/uploads/{upload['id']}/complete", json={"part_ids": part_ids}
        )
        done.raise_for_status()
        return done.json()["file"]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(30)


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [0.3, 0.7, 1.2])
def test_kill_9_then_restart_lists_only_whole_files(tmp_path, kill_after):
    with ServerProcess(data_dir=tmp_path, api_keys=[KEY]) as server:
        with Traffic(server.base_url) as traffic:
            time.sleep(kill_after)
            server.kill()
        acknowledged = dict(traffic.acknowledged)
    with ServerProcess(data_dir=tmp_path, api_keys=[KEY]) as restarted:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {KEY}"
        listed = session.get(restarted.base_url + "/files").json()["data"]
        for file in listed:
            n, size = map(int, file["filename"][:-4].split("-"))
            assert file["bytes"] == size
            content = session.get(f"{restarted.base_url}/files/{file['id']}/content").content
            assert content == content_for(n, size), file
        # Every create that was answered survived the crash.
        assert set(acknowledged) <= {f["id"] for f in listed}
        session.close()
    # Leftovers of the crash are gone: no temp files, no content without a row that claims it
    # (a listed file's blob, a part of a listed file, or a part of a pending Upload).
    assert os.listdir(tmp_path / "tmp") == []
    listed_ids = {f["id"] for f in listed}
    assert set(os.listdir(tmp_path / "blobs")) <= listed_ids
    with contextlib.closing(sqlite3.connect(tmp_path / "metadata.sqlite3")) as db:
        owned = {r[0] for r in db.execute("SELECT id FROM parts")}
        for file_id, part_id in db.execute("SELECT file_id, part_id FROM file_parts"):
            assert file_id in listed_ids
            owned.add(part_id)
    assert set(os.listdir(tmp_path / "parts")) == owned
    assert acknowledged, "the traffic should have created some files before the kill"
