"""A warm process's writes, replace-writes, deletes and lookups cost the same in a purpose of
a few files or of many: no request lists the purpose again (issue: 20 writes in a purpose of
12,000 files took 50 list requests, and rm of 10 names 20)."""

from __future__ import annotations

import pytest
from fs_support import make_fs
from write_helpers import Wire


def fill(server, count: int) -> None:
    """``count`` files of other names, made behind the filesystem's back in one request."""
    server.add_service_files(b"x", purpose="user_data", filename="other-{i:05}.txt", count=count)


def cost(server, others: int) -> dict[str, tuple[int, int]]:
    """(list requests, files listed) of each kind of operation, in a warm process."""
    server.reset()
    fill(server, others)
    fs = make_fs(server)
    fs.ls("openai://user_data")  # a warm process has listed once
    wire = Wire(fs)

    def measure(action) -> tuple[int, int]:
        wire.exchanges.clear()
        action()
        lists = [a for m, p, _, a in wire.exchanges if (m, p) == ("GET", "/files")]
        return len(lists), sum(len(a["data"]) for a in lists if a)

    names = [f"openai://user_data/new-{i}.txt" for i in range(5)]
    figures = {
        "write": measure(lambda: [fs.pipe_file(n, b"one") for n in names]),
        "replace": measure(lambda: [fs.pipe_file(n, b"two") for n in names]),
        "info after write": measure(lambda: [fs.info(n) for n in names]),
        "exists after write": measure(lambda: [fs.exists(n) for n in names]),
        "rm of names": measure(lambda: fs.rm(names)),
        "exists after rm": measure(lambda: [fs.exists(n) for n in names]),
    }
    return figures


@pytest.mark.slow
def test_the_cost_of_writes_and_deletes_does_not_grow_with_the_purpose(server):
    small = cost(server, 50)  # more than one first page of a look (32 files)
    large = cost(server, 600)
    assert large == small
    # And it is small: a few short looks at what is newer than the cache, never a listing.
    assert large["write"][0] == 5  # one short look per write, after publishing
    assert large["replace"][0] == 5
    assert large["rm of names"][0] == 1  # one look for every name
    assert large["info after write"] == (0, 0)
    assert large["exists after write"] == (0, 0)


def test_rm_of_many_names_lists_at_most_once_when_cold(server):
    fill(server, 30)
    fs = make_fs(server)
    wire = Wire(fs)
    fs.rm([f"openai://user_data/other-{i:05}.txt" for i in range(10)])
    lists = [e for e in wire.exchanges if (e[0], e[1]) == ("GET", "/files")]
    assert len(lists) == 1  # one listing for every name
    assert not any(fs.exists(f"openai://user_data/other-{i:05}.txt") for i in range(10))


def test_a_cold_put_lists_the_project_once_not_twice(server, tmp_path):
    # Regression: a process with nothing cached listed the whole project before the write
    # (for the name's versions) and again after it (its look had no mark to stop at).
    fill(server, 600)
    local = tmp_path / "a.txt"
    local.write_bytes(b"new")
    fs = make_fs(server)
    wire = Wire(fs)
    fs.put_file(str(local), "openai://user_data/new.txt")
    lists = [a for m, p, _, a in wire.exchanges if (m, p) == ("GET", "/files")]
    listed = sum(len(a["data"]) for a in lists if a)
    assert listed <= 601 + 32, f"{len(lists)} list requests, {listed} files listed"
    assert fs.cat_file("openai://user_data/new.txt") == b"new"
