"""One transfer plan for ``fs.put``/``fs.get`` and the command line (issue 11 item 1)."""

from __future__ import annotations

import os
import threading

import pytest

from openaifs import cli, transfer


def test_get_of_an_id_into_a_folder_takes_the_filename(fs, tmp_path):
    fs.pipe("openai://user_data/a.jsonl", b"A\n")
    file_id = fs.info("openai://user_data/a.jsonl")["id"]
    fs.get(f"openai://{file_id}", str(tmp_path) + "/")
    assert os.listdir(tmp_path) == ["a.jsonl"]


def test_get_of_two_files_to_one_local_name_is_refused_before_any_download(fs, tmp_path):
    fs.pipe("openai://user_data/same.txt", b"1")
    fs.pipe("openai://vision/same.txt", b"2")
    with pytest.raises(ValueError, match=r"same\.txt.*would both be written to"):
        fs.get(["openai://user_data/same.txt", "openai://vision/same.txt"], str(tmp_path) + "/")
    assert os.listdir(tmp_path) == []


def test_get_of_a_glob_matching_one_file_goes_into_a_folder(fs, tmp_path):
    fs.pipe("openai://user_data/only.jsonl", b"1")
    fs.get("openai://user_data/*.jsonl", str(tmp_path / "into"))
    assert os.listdir(tmp_path / "into") == ["only.jsonl"]


def plan_copy(fs, source, dest, recursive):
    return transfer.plan(fs, source, dest, recursive, None, direction="copy")


def test_plan_copy_into_a_purpose_a_new_name_and_a_folder(fs):
    fs.pipe("openai://batch/a.jsonl", b"a")
    fs.pipe("openai://batch/b.jsonl", b"b")
    assert plan_copy(fs, "openai://batch", "openai://fine-tune", True) == [
        ("batch/a.jsonl", "fine-tune/a.jsonl"),
        ("batch/b.jsonl", "fine-tune/b.jsonl"),
    ]
    assert plan_copy(fs, "openai://batch/a.jsonl", "openai://vision/c.jsonl", False) == [
        ("batch/a.jsonl", "vision/c.jsonl")
    ]
    # A purpose copied to a new name makes a folder of that name (as on S3).
    assert plan_copy(fs, "openai://batch", "openai://vision/c", True) == [
        ("batch/a.jsonl", "vision/c/a.jsonl"),
        ("batch/b.jsonl", "vision/c/b.jsonl"),
    ]


def test_the_cli_plans_with_transfer_plan(monkeypatch, server, tmp_path):
    """The command line has no planner of its own: it asks openaifs.transfer."""
    calls = []
    real = transfer.plan
    monkeypatch.setattr(transfer, "plan", lambda *a, **k: calls.append(a) or real(*a, **k))
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
    local = tmp_path / "x.txt"
    local.write_bytes(b"x")
    assert cli.main(["put", "-q", str(local), "openai://user_data/"]) == 0
    assert cli.main(["get", "-q", "openai://user_data/x.txt", str(tmp_path / "y.txt")]) == 0
    assert len(calls) == 2
    assert (tmp_path / "y.txt").read_bytes() == b"x"


def test_one_transfer_runs_in_the_calling_thread():
    """So that Ctrl-C reaches it and cancels it, instead of waiting for it to finish."""
    seen = []
    transfer.run_each(lambda a, b: seen.append(threading.current_thread()), [(1, 2)], _Count(), 4)
    assert seen == [threading.current_thread()]


class _Count:
    def relative_update(self, n: int) -> None:
        pass
