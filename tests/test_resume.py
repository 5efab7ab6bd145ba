"""Resuming an interrupted ``put_file``: only the parts the service lacks go up again."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time

import pytest
from fs_support import make_fs
from fsspec.callbacks import Callback
from write_helpers import payload

from openaifs.resume import Journals

PATH = "openai://user_data/big.bin"
SMALL_PART = 64 * 1024


class StopAfter(Callback):
    """Interrupts a transfer once ``parts`` parts' worth of bytes have been reported (progress
    comes as bytes are read for sending, at least once per MiB)."""

    def __init__(self, parts: int, exc: type[BaseException] = KeyboardInterrupt) -> None:
        super().__init__()
        self.limit, self.seen, self.exc = parts * SMALL_PART, 0, exc

    def relative_update(self, inc: int = 1) -> None:
        self.seen += inc
        if self.seen >= self.limit:
            raise self.exc()


def journals(directory: str) -> list[dict]:
    if not os.path.isdir(directory):
        return []
    found = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json"):
            with open(os.path.join(directory, name)) as f:
                found.append(json.load(f))
    return found


def interrupted(fs, local: str, parts: int = 6) -> dict:
    """Start a put of ``local`` and stop it after ``parts`` parts; return its journal."""
    with pytest.raises(KeyboardInterrupt):
        fs.put_file(local, PATH, callback=StopAfter(parts))
    [journal] = journals(fs.publisher.journals.directory)
    return journal


@pytest.fixture
def local(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(payload(10 * SMALL_PART + 5))
    return str(path)


def test_an_interrupted_put_resumes_with_the_missing_parts_only(fs, server, local):
    journal = interrupted(fs, local)
    accepted = len(journal["parts"])
    assert 1 <= accepted < 11
    server.clear_stats()
    fs.put_file(local, PATH)
    stats = server.stats()["requests"]
    assert "uploads.create" not in stats
    assert stats["uploads.parts.create"] == 11 - accepted
    assert stats["uploads.complete"] == 1
    assert fs.cat_file(PATH) == payload(10 * SMALL_PART + 5)
    assert journals(fs.publisher.journals.directory) == []


def test_other_part_size_and_concurrency_on_the_rerun_still_resume(fs, server, local):
    journal = interrupted(fs, local)
    server.clear_stats()
    make_fs(server, part_size=3 * SMALL_PART, max_concurrency=1).put_file(local, PATH)
    stats = server.stats()["requests"]
    assert stats["uploads.parts.create"] == 11 - len(journal["parts"])
    assert fs.cat_file(PATH) == payload(10 * SMALL_PART + 5)


def test_a_changed_file_starts_over_and_cancels_the_stale_upload(fs, server, openaifs_sdk, local):
    journal = interrupted(fs, local)
    changed = payload(10 * SMALL_PART + 5)[::-1]
    with open(local, "wb") as f:
        f.write(changed)
    os.utime(local, ns=(journal["mtime_ns"] + 10**9, journal["mtime_ns"] + 10**9))
    server.clear_stats()
    fs.put_file(local, PATH)
    stats = server.stats()["requests"]
    assert stats["uploads.create"] == 1
    assert stats["uploads.cancel"] == 1
    assert stats["uploads.parts.create"] == 11
    assert fs.cat_file(PATH) == changed
    with pytest.raises(Exception, match="cancelled"):
        openaifs_sdk.uploads.parts.create(journal["upload_id"], data=b"x")


def test_an_expired_upload_starts_over(fs, server, local):
    interrupted(fs, local)
    server.advance_clock(3601)
    server.clear_stats()
    fs.put_file(local, PATH)
    stats = server.stats()["requests"]
    assert stats["uploads.create"] == 1
    assert stats["uploads.parts.create"] == 11 + 1  # the refused probe, then every part
    assert fs.cat_file(PATH) == payload(10 * SMALL_PART + 5)


def test_a_cancelled_upload_starts_over(fs, server, openaifs_sdk, local):
    journal = interrupted(fs, local)
    openaifs_sdk.uploads.cancel(journal["upload_id"])
    server.clear_stats()
    fs.put_file(local, PATH)
    assert server.stats()["requests"]["uploads.create"] == 1
    assert fs.cat_file(PATH) == payload(10 * SMALL_PART + 5)


def test_other_target_attributes_start_over(fs, server, local):
    interrupted(fs, local)
    server.clear_stats()
    fs.put_file(local, PATH, expires_after=7200)
    stats = server.stats()["requests"]
    assert stats["uploads.create"] == 1
    assert stats["uploads.cancel"] == 1
    assert fs.info(PATH)["expires_at"] is not None


def test_a_part_changed_under_the_same_mtime_goes_up_again(fs, server, local):
    journal = interrupted(fs, local)
    data = bytearray(payload(10 * SMALL_PART + 5))
    data[0] ^= 0xFF  # in part 0, which the journal holds
    with open(local, "r+b") as f:
        f.write(data[:1])
    os.utime(local, ns=(journal["mtime_ns"], journal["mtime_ns"]))
    server.clear_stats()
    fs.put_file(local, PATH)
    assert server.stats()["requests"]["uploads.parts.create"] == 11 - len(journal["parts"]) + 1
    assert fs.cat_file(PATH) == bytes(data)


def test_resume_false_cancels_and_keeps_no_journal(server, local, upload_journals):
    fs = make_fs(server, resume=False)
    with pytest.raises(KeyboardInterrupt):
        fs.put_file(local, PATH, callback=StopAfter(3))
    assert journals(upload_journals) == []
    assert server.stats()["requests"]["uploads.cancel"] == 1
    resumable = make_fs(server)
    with pytest.raises(KeyboardInterrupt):
        resumable.put_file(local, PATH, callback=StopAfter(3), resume=False)
    assert journals(upload_journals) == []


def test_a_refused_upload_is_cancelled_and_forgotten(fs, server, local, upload_journals):
    server.add_fault("uploads.complete", status=400)
    with pytest.raises(ValueError, match="HTTP 400"):
        fs.put_file(local, PATH)
    assert server.stats()["requests"]["uploads.cancel"] == 1
    assert journals(upload_journals) == []


def test_an_unreadable_journal_is_ignored(fs, server, local):
    journal = interrupted(fs, local)
    [name] = os.listdir(fs.publisher.journals.directory)
    with open(os.path.join(fs.publisher.journals.directory, name), "w") as f:
        f.write("{not json")
    fs.put_file(local, PATH)
    assert fs.cat_file(PATH) == payload(10 * SMALL_PART + 5)
    assert journal["upload_id"]


def test_journals_lists_and_clears_pending_uploads(fs, server, openaifs_sdk, local):
    journal = interrupted(fs, local)
    store: Journals = fs.publisher.journals
    [pending] = store.pending()
    assert pending.upload_id == journal["upload_id"]
    assert pending.target == PATH
    assert store.mine(pending)
    store.discard(pending)
    assert store.pending() == []
    with pytest.raises(Exception, match="cancelled"):
        openaifs_sdk.uploads.parts.create(journal["upload_id"], data=b"x")


KILLED_PUT = """
import sys
from openaifs import OpenAIFileSystem
fs = OpenAIFileSystem(api_key=sys.argv[1], base_url=sys.argv[2], part_size=int(sys.argv[4]),
                      max_concurrency=2, skip_instance_cache=True)
fs.put_file(sys.argv[3], "openai://user_data/big.bin")
"""


def test_resume_after_kill_9_sends_only_the_rest(server, tmp_path, upload_journals):
    """A real ``kill -9`` of a process half-way through a put; the rerun sends the rest."""
    part, parts = 256 * 1024, 16
    data = os.urandom(part * parts)
    local = tmp_path / "big.bin"
    local.write_bytes(data)
    # Slow enough that the kill lands with some parts accepted and some not.
    server.configure(per_connection_bps=1024 * 1024)
    env = {**os.environ, "XDG_CACHE_HOME": os.path.dirname(os.path.dirname(upload_journals))}
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_PUT, server.api_key, server.base_url, str(local), str(part)],
        env=env,
    )
    try:
        deadline = time.monotonic() + 120  # a bound on a hung child, not a race
        while True:
            found = journals(upload_journals)
            if found and len(found[0]["parts"]) >= parts // 3:
                break
            assert child.poll() is None, "the child ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        child.kill()
        child.wait()
    server.configure(per_connection_bps=0)
    [journal] = journals(upload_journals)
    accepted = len(journal["parts"])
    assert 0 < accepted < parts
    server.clear_stats()
    fs = make_fs(server, part_size=1024 * 1024, max_concurrency=4)
    fs.put_file(str(local), "openai://user_data/big.bin")
    stats = server.stats()
    assert "uploads.create" not in stats["requests"]
    assert stats["requests"]["uploads.parts.create"] == parts - accepted
    assert stats["bytes_in"] < (parts - accepted) * part + 64 * 1024  # the parts + form/JSON
    assert fs.cat_file("openai://user_data/big.bin") == data
    assert journals(upload_journals) == []


def test_cli_uploads_lists_and_clears(fs, server, openaifs_sdk, local, cli_run):
    journal = interrupted(fs, local)
    code, out, err = cli_run("uploads", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert row["upload_id"] == journal["upload_id"]
    assert row["target"] == PATH
    assert row["parts"] == f"{len(journal['parts'])}/11"
    code, out, _ = cli_run("uploads")
    assert f"-> {PATH}" in out
    code, _, err = cli_run("uploads", "--clear")
    assert code == 0
    assert "cleared 1" in err
    assert journals(fs.publisher.journals.directory) == []
    with pytest.raises(Exception, match="cancelled"):
        openaifs_sdk.uploads.parts.create(journal["upload_id"], data=b"x")
    code, _, err = cli_run("uploads")
    assert "no pending uploads" in err


def test_cli_put_no_resume_cancels_and_keeps_no_journal(server, cli_run, tmp_path, upload_journals):
    local = tmp_path / "big.bin"
    local.write_bytes(payload(32 * 2**20 + 1))  # over the CLI's default 32 MiB threshold
    server.add_fault("uploads.complete", status=500, times=3)  # every attempt
    code, _, err = cli_run("put", str(local), PATH, "--no-resume")
    assert code == 1
    assert "HTTP 500" in err
    assert server.stats()["requests"]["uploads.cancel"] == 1
    assert journals(upload_journals) == []


def test_an_upload_expired_with_every_part_sent_starts_over_at_complete(fs, server, local):
    server.add_fault("uploads.complete", "status", status=503, times=10)
    with pytest.raises(OSError):  # every part accepted, complete never went through
        fs.put_file(local, PATH)
    server.clear_faults()
    [journal] = journals(fs.publisher.journals.directory)
    assert len(journal["parts"]) == 11
    server.advance_clock(3601)
    server.clear_stats()
    fs.put_file(local, PATH)
    stats = server.stats()["requests"]
    assert stats["uploads.complete"] == 2  # refused (expired), then the fresh Upload's
    assert stats["uploads.create"] == 1
    assert fs.cat_file(PATH) == payload(10 * SMALL_PART + 5)


def test_the_journal_fingerprints_each_sent_part_by_sha256(fs, local):
    journal = interrupted(fs, local)
    assert journal["version"] == 2 and journal["part_hash"] == "sha256"
    data = payload(10 * SMALL_PART + 5)
    for index, (_, digest) in journal["parts"].items():
        start = int(index) * SMALL_PART
        assert digest == hashlib.sha256(data[start : start + SMALL_PART]).hexdigest()


def test_a_version_1_journal_with_md5_fingerprints_still_resumes(fs, server, local):
    journal = interrupted(fs, local)
    data = payload(10 * SMALL_PART + 5)
    old = {k: v for k, v in journal.items() if k != "part_hash"}
    old["version"] = 1
    old["parts"] = {
        i: [part_id, hashlib.md5(data[int(i) * SMALL_PART : (int(i) + 1) * SMALL_PART]).hexdigest()]
        for i, (part_id, _) in journal["parts"].items()
    }
    [name] = os.listdir(fs.publisher.journals.directory)
    with open(os.path.join(fs.publisher.journals.directory, name), "w") as f:
        json.dump(old, f)
    server.clear_stats()
    fs.put_file(local, PATH)
    assert server.stats()["requests"]["uploads.parts.create"] == 11 - len(journal["parts"])
    assert fs.cat_file(PATH) == data


@pytest.mark.parametrize(
    ("size_mib", "part_mib", "parts"),
    [(256, 256 / 24, 24), (2048, 2048 / 88, 88), (100, 8, 13), (40, 8, 5)],
)
def test_resumable_parts_are_those_of_a_plain_upload_in_three_waves_or_more(
    size_mib, part_mib, parts
):
    from openaifs.parts import plan_parts
    from openaifs.resume import resumable_part_size
    from openaifs.upload import UploadSettings

    settings = UploadSettings()
    size = int(size_mib * 2**20)
    part = resumable_part_size(size, settings)
    assert part == pytest.approx(part_mib * 2**20, abs=1)
    assert -(-size // part) == parts
    plan = plan_parts(size, max_part=settings.largest_part, concurrency=settings.concurrency)
    if len(plan) >= 3 * settings.concurrency:  # as a plain upload cuts it, to the byte
        assert len(plan) == parts and abs(plan[0][1] - part) <= 1
