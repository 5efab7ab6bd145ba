"""The upload pipeline (``openaifs.upload.upload_local_file``) and the part plan, against the
real local server: parts of about equal size, read once, md5 of the whole at ``complete``."""

from __future__ import annotations

import hashlib
import itertools
import json

import pytest
from filehelpers import payload

from openaifs.client import APIClient
from openaifs.parts import plan_parts
from openaifs.upload import UploadSettings, UploadTimings, upload_local_file, upload_plan

PART = 64 * 1024


@pytest.fixture
def client(server):
    made = APIClient(server.api_key, server.base_url, backoff_initial=0.01, backoff_max=0.05)
    yield made
    made.close()


def completes(client: APIClient) -> list[dict]:
    """Record the JSON bodies ``client`` sends to ``/complete`` from now on."""
    sent: list[dict] = []

    def record(response, *args, **kwargs):
        if response.request.url.endswith("/complete"):
            sent.append(json.loads(response.request.body))

    client.session.hooks["response"].append(record)
    return sent


def upload(client, local_path, size, settings, **kwargs):
    return upload_local_file(
        client,
        str(local_path),
        size,
        path="openai://user_data/x.bin",
        filename="x.bin",
        purpose="user_data",
        mime_type="application/octet-stream",
        settings=settings,
        **kwargs,
    )


@pytest.mark.parametrize("size", [PART + 1, 3 * PART - 7, 8 * PART, 8 * PART + 1, 21 * PART + 5])
def test_the_md5_sent_at_complete_is_the_whole_files(server, client, tmp_path, size):
    data = payload(size, seed=size)
    local = tmp_path / "local.bin"
    local.write_bytes(data)
    sent = completes(client)
    settings = UploadSettings(part_size=PART, threshold=PART, concurrency=4)
    file = upload(client, local, size, settings)
    [body] = sent
    # The server joins the parts and refuses a wrong md5: the upload completing proves it.
    assert body["md5"] == hashlib.md5(data).hexdigest()
    assert len(body["part_ids"]) == len(plan_parts(size, max_part=PART, concurrency=4))
    assert server.sdk().files.content(file["id"]).content == data


def test_without_checksum_no_md5_is_sent(client, tmp_path):
    data = payload(5 * PART, seed=1)
    local = tmp_path / "local.bin"
    local.write_bytes(data)
    sent = completes(client)
    settings = UploadSettings(part_size=PART, threshold=PART, concurrency=4, checksum=False)
    upload(client, local, len(data), settings)
    assert "md5" not in sent[0]


def test_a_known_md5_is_sent_as_given(client, tmp_path):
    data = payload(5 * PART, seed=2)
    local = tmp_path / "local.bin"
    local.write_bytes(data)
    sent = completes(client)
    settings = UploadSettings(part_size=PART, threshold=PART, concurrency=4)
    upload(client, local, len(data), settings, md5=hashlib.md5(data).hexdigest())
    assert sent[0]["md5"] == hashlib.md5(data).hexdigest()


def test_a_failed_part_is_sent_again_from_memory(server, client, tmp_path):
    data = payload(6 * PART, seed=3)
    local = tmp_path / "local.bin"
    local.write_bytes(data)
    server.add_fault("uploads.parts.create", "drop_after", times=2)
    settings = UploadSettings(part_size=PART, threshold=PART, concurrency=4)
    file = upload(client, local, len(data), settings)
    assert server.sdk().files.content(file["id"]).content == data


def test_a_local_file_shorter_than_declared_cancels_and_says_so(server, client, tmp_path):
    data = payload(5 * PART, seed=4)
    local = tmp_path / "local.bin"
    local.write_bytes(data)
    settings = UploadSettings(part_size=PART, threshold=PART, concurrency=2)
    with pytest.raises(OSError, match="the local file ended at byte"):
        upload(client, local, len(data) + 100, settings)
    requests = server.stats()["requests"]
    # The short read happens inside the last part's request: it is not taken for a broken
    # connection and sent again.
    plan = plan_parts(len(data) + 100, max_part=PART, concurrency=2)
    assert requests["uploads.parts.create"] <= len(plan)
    assert requests.get("uploads.cancel") == 1
    assert "uploads.complete" not in requests
    assert server.sdk().files.list().data == []


def test_timings_account_for_every_part(client, tmp_path):
    data = payload(8 * PART, seed=5)
    local = tmp_path / "local.bin"
    local.write_bytes(data)
    timings = UploadTimings()
    settings = UploadSettings(part_size=PART, threshold=PART, concurrency=4)
    upload(client, local, len(data), settings, timings=timings)
    assert sum(n for n, _, _ in timings.parts) == len(data)
    assert all(0 <= began <= ended <= timings.total for _, began, ended in timings.parts)
    assert timings.total >= timings.complete


@pytest.mark.parametrize("size", [1, 10, 4095, 4096, 4097, 10**6, 123_456_789])
@pytest.mark.parametrize(("max_part", "concurrency"), [(4096, 1), (4096, 8), (10**5, 3)])
def test_the_plan_covers_the_size_in_parts_of_about_equal_size(size, max_part, concurrency):
    plan = plan_parts(size, max_part=max_part, concurrency=concurrency, min_part=1000)
    assert plan[0][0] == 0
    assert all(a + n == b for (a, n), (b, _) in itertools.pairwise(plan))
    assert sum(n for _, n in plan) == size
    assert max(n for _, n in plan) <= max_part
    assert max(n for _, n in plan) - min(n for _, n in plan) <= 1
    if len(plan) > concurrency:
        assert len(plan) % concurrency == 0


def test_a_size_under_one_part_per_connection_is_cut_for_every_connection():
    assert len(plan_parts(40 * 2**20, max_part=32 * 2**20, concurrency=8)) == 8
    assert len(plan_parts(6 * 2**20, max_part=32 * 2**20, concurrency=8)) == 1
    assert plan_parts(0, max_part=10, concurrency=2) == []


def test_a_bad_plan_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        plan_parts(10, max_part=0, concurrency=2)


def test_parts_sent_side_by_side_name_their_place_so_complete_reads_nothing(
    server, client, tmp_path
):
    # Regression: parts sent side by side reach the service in any order, and the local
    # server's running md5 (kept in the order part requests begin) had to re-read most of
    # the file at complete. Requests once began one after another instead, which made each
    # fresh connection's TLS handshakes wait for the one before (bench_connect.py); now each
    # names its part's place (X-OpenAIFS-Part-Index).
    data = payload(24 * PART + 3, seed=11)
    local = tmp_path / "local.bin"
    local.write_bytes(data)
    settings = UploadSettings(part_size=PART, threshold=PART, concurrency=8)
    for _ in range(3):
        server.clear_stats()
        upload(client, local, len(data), settings)
        assert server.stats()["complete_hashed_bytes"] == 0


def test_a_part_refused_with_many_queued_ends_the_upload_without_hanging(server, client, tmp_path):
    # Parts queued behind a refused one are cancelled before their senders read them: the
    # md5 thread, which once waited for senders to read them, must end rather than hang.
    import threading

    data = payload(32 * PART, seed=12)
    local = tmp_path / "local.bin"
    local.write_bytes(data)
    server.add_fault("uploads.parts.create", status=400, times=1)
    settings = UploadSettings(part_size=PART, threshold=PART, concurrency=2)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            upload(client, local, len(data), settings)
        except BaseException as exc:  # kept for the assertion below
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "the upload hung after a refused part"
    assert len(outcome) == 1 and getattr(outcome[0], "status", None) == 400
    assert server.stats()["requests"].get("uploads.cancel") == 1
    assert server.sdk().files.list().data == []


@pytest.mark.parametrize(
    ("size_mib", "parts"),
    [(40, 8), (100, 16), (256, 24), (2048, 88)],
)
def test_uploads_go_in_three_waves_where_parts_can_stay_8_mib(size_mib, parts):
    # The last wave's parts arrive together and the service hashes them one after another:
    # smaller ones (3 waves of 10.7 MiB for 256 MiB, not 2 of 16) let complete answer sooner.
    settings = UploadSettings()
    plan = upload_plan(size_mib * 2**20, settings)
    assert len(plan) == parts
    assert len(plan) % settings.concurrency == 0
    assert max(n for _, n in plan) - min(n for _, n in plan) <= 1


def test_a_read_error_is_reported_as_itself_not_as_a_later_part_never_read(
    server, client, tmp_path, monkeypatch
):
    # The hasher, reading ahead, met the error first and marked every later part "never
    # read in full": a later part's sender failed with that, and the caller got it instead
    # of the disk's error. The bad sector is the kernel's EIO from pread.
    import errno
    import os

    mib = 2**20
    local = tmp_path / "local.bin"
    local.write_bytes(os.urandom(96 * mib))
    real_preadv = os.preadv

    def preadv(fd, buffers, offset):
        bad = 15 * mib  # beyond what a stalled sender's socket takes in
        if os.path.samefile(f"/proc/self/fd/{fd}", local) and offset <= bad < offset + len(
            buffers[0]
        ):
            raise OSError(errno.EIO, "Input/output error (a bad sector)")
        return real_preadv(fd, buffers, offset)

    monkeypatch.setattr(os, "preadv", preadv)
    server.add_fault("uploads.parts.create", "stall", seconds=2, times=2)  # senders wait
    settings = UploadSettings(part_size=16 * mib, threshold=mib, concurrency=2, memory=64 * mib)
    with pytest.raises(OSError, match="a bad sector"):
        upload(client, local, 96 * mib, settings)
    assert server.stats()["requests"].get("uploads.cancel") == 1


def test_a_small_local_file_shorter_than_declared_is_reported_as_short_and_sent_once(
    server, client, tmp_path
):
    # Read inside the one POST /files, the short read was taken for a broken connection
    # by the HTTP stack: sent three times, then reported as "no answer".
    local = tmp_path / "local.bin"
    local.write_bytes(b"x" * 100_000)
    with pytest.raises(OSError, match="short of its declared size"):
        upload(client, local, 100_100, UploadSettings(part_size=2**20, threshold=2**20))
    assert server.stats()["requests"].get("files.create", 0) == 1
