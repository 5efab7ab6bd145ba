"""The server streams large bodies through bounded buffers: its memory does not grow with them.

The server runs as its own process so its resident memory can be read from /proc. The bounds
are generous (half the body, where the buffers take about 20 MiB), so only a server
that held a body whole, or most of it, fails them.
"""

from __future__ import annotations

import os

import pytest
import requests

from openaifs.testing import ServerProcess

MiB = 2**20
SIZE = 128 * MiB
#: Allowed growth of the server's peak RSS over its idle RSS while a body of SIZE streams.
BOUND = SIZE // 2

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc"),
]


def memory(pid: int, field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak so far) of process ``pid`` in bytes."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise LookupError(field)


def pieces(boundary: str, name: str, size: int):
    """A multipart body holding ``size`` bytes as part ``name``, made as it is sent."""
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="m.bin"\r\n\r\n'
    ).encode()
    block = os.urandom(MiB)
    for _ in range(size // MiB):
        yield block
    yield f"\r\n--{boundary}--\r\n".encode()


@pytest.fixture
def server():
    limits = ["--max-file-size", "--max-part-size", "--max-upload-size"]
    flags = [arg for limit in limits for arg in (limit, str(2 * SIZE))]
    with ServerProcess(*flags) as process:  # in memory: the same streaming, no fsync
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {process.api_key}"
        yield process, session
        session.close()


def test_upload_part_and_download_keep_server_memory_bounded(server):
    process, session = server
    pid = process.process.pid
    idle = memory(pid, "VmRSS")
    form = {"Content-Type": "multipart/form-data; boundary=mem"}
    api = process.base_url

    created = session.post(f"{api}/files", data=pieces("mem", "file", SIZE), headers=form)
    assert created.status_code == 200, created.text
    assert memory(pid, "VmHWM") - idle < BOUND

    upload = session.post(
        f"{api}/uploads",
        json={"bytes": SIZE, "filename": "m.bin", "mime_type": "x/y", "purpose": "user_data"},
    ).json()
    part = session.post(
        f"{api}/uploads/{upload['id']}/parts", data=pieces("mem", "data", SIZE), headers=form
    )
    assert part.status_code == 200, part.text
    done = session.post(
        f"{api}/uploads/{upload['id']}/complete", json={"part_ids": [part.json()["id"]]}
    )
    assert done.status_code == 200, done.text
    assert memory(pid, "VmHWM") - idle < BOUND

    for file_id in (created.json()["id"], done.json()["file"]["id"]):
        received = 0
        with session.get(f"{api}/files/{file_id}/content", stream=True) as answer:
            for chunk in answer.iter_content(MiB):
                received += len(chunk)
        assert received == SIZE
    assert memory(pid, "VmHWM") - idle < BOUND
