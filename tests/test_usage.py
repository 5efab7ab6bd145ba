"""Storage monitoring: ``openaifs du openai://`` against the project's limit, and the
limits in ``du --json``; the batch size limit refused before any byte is sent."""

from __future__ import annotations

import json

import pytest

from openaifs.limits import MAX_BATCH_SIZE, PROJECT_STORAGE_LIMIT
from openaifs.usage import storage_usage


@pytest.fixture
def stored(fs):
    fs.pipe_file("openai://user_data/a.bin", b"a" * 300)
    fs.pipe_file("openai://user_data/a.bin", b"b" * 200, overwrite="keep")  # counts too
    fs.pipe_file("openai://batch/in.jsonl", b"{}\n" * 100)
    return fs


def test_storage_usage_splits_by_purpose(stored):
    usage = storage_usage(stored)
    assert usage["purposes"] == {
        "batch": {"size": 300, "files": 1},
        "user_data": {"size": 500, "files": 2},
    }
    assert (usage["size"], usage["files"], usage["limit"]) == (800, 3, PROJECT_STORAGE_LIMIT)
    assert usage["used"] == 800 / PROJECT_STORAGE_LIMIT
    assert usage["warning"] is None
    assert storage_usage(stored, project_limit=900)["warning"].startswith("the project uses 89%")


def test_du_root_shows_the_total_against_the_project_limit(stored, cli_run):
    code, out, err = cli_run("du", "openai://")
    assert code == 0
    assert out.splitlines() == [
        "300\topenai://batch",
        "500\topenai://user_data",
        "800\topenai://",
        f"800 of the project's {PROJECT_STORAGE_LIMIT} storage limit (0.0%)",
    ]
    assert err == ""
    code, out, _ = cli_run("du", "-H")
    assert "of the project's 2.3 TiB storage limit" in out


def test_du_warns_above_80_percent(stored, cli_run):
    code, out, err = cli_run("du", "--project-limit", "1000")
    assert code == 0
    assert "(80.0%)" in out
    assert err == ""
    code, out, err = cli_run("du", "--project-limit", "999")
    assert code == 0
    assert "warning: the project uses 80% of its 999 byte storage limit" in err


def test_du_json_exposes_the_limits(stored, cli_run):
    code, out, _ = cli_run("du", "openai://", "--json")
    report = json.loads(out)
    assert report["limits"] == {
        "project_storage": PROJECT_STORAGE_LIMIT,
        "file": 512_000_000,
        "batch_file": 200_000_000,
        "upload": 8_000_000_000,
        "upload_part": 64 * 2**20,
    }
    assert report["project"] == {
        "limit": PROJECT_STORAGE_LIMIT,
        "used": 800 / PROJECT_STORAGE_LIMIT,
        "warning": None,
    }
    assert [e["name"] for e in report["entries"]] == ["openai://batch", "openai://user_data"]
    code, out, _ = cli_run("du", "openai://user_data", "--json", "-s")
    assert code == 0
    report = json.loads(out)
    assert (report["size"], report["limits"]["batch_file"]) == (500, MAX_BATCH_SIZE)
    assert "project" not in report


def test_a_batch_file_over_200_mb_is_refused_before_sending(fs, server):
    server.clear_stats()
    with pytest.raises(ValueError, match="limit of 200000000 bytes"):
        fs.open("openai://batch/big.jsonl", "wb", size=MAX_BATCH_SIZE + 1)
    assert server.stats()["requests"] == {}
