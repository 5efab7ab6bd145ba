"""Files by age: ``fs.rm(..., older_than=)``, the ``older_than`` helper, the ``expires_after``
storage option and ``--older-than`` on ``ls``/``du``/``rm``.

Old files are made with the server's movable clock: files written, the clock moved two days
on, files written again. Ages count from the newest ``created_at`` the service showed when
that is later than this machine's clock (it is, here), so nothing depends on timing.
"""

from __future__ import annotations

import datetime
import json

import pytest
from fs_support import make_fs

from openaifs.age import older_than, parse_duration

DAY = 86_400


@pytest.fixture
def aged(fs, server):
    """old.txt and a first both.txt two days old; new.txt and a second both.txt new."""
    fs.pipe_file("openai://user_data/old.txt", b"old")
    fs.pipe_file("openai://user_data/both.txt", b"first")
    server.advance_clock(2 * DAY)
    fs.pipe_file("openai://user_data/new.txt", b"new")
    fs.pipe_file("openai://user_data/both.txt", b"second", overwrite="keep")
    return fs


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30d", 30 * DAY),
        ("12h", 12 * 3600),
        ("90s", 90),
        ("15m", 900),
        ("2w", 14 * DAY),
        ("1d12h", 1.5 * DAY),
        ("45", 45),
        (" 1.5h ", 5400),
        (3600, 3600),
        (datetime.timedelta(hours=2), 7200),
    ],
)
def test_durations(value, seconds):
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "30x", "d", "1d 2h", "-5", -5, "1h-", True, None, [1]])
def test_bad_durations_are_refused(value):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(value)


def remaining(fs) -> list[tuple[str, bytes]]:
    return sorted(
        (f["filename"], fs.cat_file(f["id"]))
        for f in fs.ls("openai://user_data", versions=True, refresh=True)
    )


def test_rm_older_than_deletes_only_the_old_files_of_a_purpose(aged):
    aged.rm("openai://user_data", recursive=True, older_than="1d")  # no confirm needed
    assert remaining(aged) == [("both.txt", b"second"), ("new.txt", b"new")]


def test_rm_older_than_on_names_and_ids(aged):
    old_id = aged.info("openai://user_data/old.txt")["id"]
    new_id = aged.info("openai://user_data/new.txt")["id"]
    aged.rm(
        ["openai://user_data/both.txt", f"openai://{old_id}", f"openai://{new_id}"],
        older_than=datetime.timedelta(days=1),
    )
    assert remaining(aged) == [("both.txt", b"second"), ("new.txt", b"new")]


def test_rm_dry_run_lists_and_deletes_nothing(aged):
    going = aged.rm("openai://user_data", recursive=True, older_than=DAY, dry_run=True)
    assert sorted(f["filename"] for f in going) == ["both.txt", "old.txt"]
    assert len(remaining(aged)) == 4


def test_rm_older_than_still_needs_recursive_for_a_purpose(aged):
    with pytest.raises(IsADirectoryError):
        aged.rm("openai://user_data", older_than="1d")


def test_rm_older_than_a_bad_duration_deletes_nothing(aged):
    with pytest.raises(ValueError, match="not a duration"):
        aged.rm("openai://user_data", recursive=True, older_than="soon")
    assert len(remaining(aged)) == 4


def test_the_older_than_helper_filters_ls_and_find(aged):
    old = older_than(aged.ls("openai://user_data"), "1d")
    assert [e["name"] for e in old] == ["user_data/old.txt"]  # ls shows the newest both.txt
    found = aged.find("openai://user_data", detail=True).values()
    assert sorted(e["name"] for e in older_than(found, "1d")) == ["user_data/old.txt"]
    assert older_than(aged.ls("openai://"), "1d") == []  # directories have no age


def test_expires_after_storage_option_is_the_default_of_writes(server):
    fs = make_fs(server, expires_after="2h")
    fs.pipe_file("openai://user_data/scratch.txt", b"x")
    info = fs.info("openai://user_data/scratch.txt")
    assert info["expires_at"] == info["created_at"] + 7200
    fs.pipe_file("openai://user_data/kept.txt", b"x", expires_after=86_400)
    info = fs.info("openai://user_data/kept.txt")
    assert info["expires_at"] == info["created_at"] + 86_400


@pytest.mark.parametrize("value", ["30m", 31 * DAY, "later"])
def test_a_bad_expires_after_option_is_refused_at_once(server, value):
    with pytest.raises(ValueError, match=r"expires_after|duration"):
        make_fs(server, expires_after=value)


def test_cli_ls_and_du_older_than(aged, cli_run):
    code, out, _ = cli_run("ls", "openai://user_data", "--older-than", "1d")
    assert (code, out) == (0, "user_data/old.txt\n")
    code, out, _ = cli_run("du", "openai://user_data", "--older-than", "36h", "--json")
    usage = json.loads(out)
    assert (usage["files"], usage["size"]) == (2, len(b"old") + len(b"first"))


def test_cli_rm_older_than_dry_run_then_for_real(aged, cli_run):
    code, out, err = cli_run("rm", "-r", "openai://user_data", "--older-than", "1d", "--dry-run")
    assert code == 0
    assert "old.txt" in out and "both.txt" in out and "new.txt" not in out
    assert "would delete 2 files" in err
    assert len(remaining(aged)) == 4
    code, _, err = cli_run("rm", "-r", "openai://user_data", "--older-than", "1d")
    assert code == 0, err
    assert remaining(aged) == [("both.txt", b"second"), ("new.txt", b"new")]


def test_cli_a_bad_age_is_a_usage_error(aged, cli_run):
    code, _, err = cli_run("rm", "-r", "openai://user_data", "--older-than", "old")
    assert code == 2
    assert "not a duration" in err
    assert len(remaining(aged)) == 4
