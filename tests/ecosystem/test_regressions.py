"""Regression tests for library bugs the ecosystem tests exposed."""

from __future__ import annotations

from pathlib import Path


def test_put_one_file_to_a_new_name_nested_it_under_that_name(fs, tmp_path):
    # fsspec's shared suite (put_file_to_file_in_existing_directory): put of one local file
    # to "openai://user_data/newname.txt" went to "user_data/newname.txt/x.txt" and was
    # refused as a sub-folder.
    local = tmp_path / "x.txt"
    local.write_bytes(b"hi")
    fs.put(str(local), "openai://user_data/newname.txt")
    assert fs.ls("openai://user_data", detail=False) == ["user_data/newname.txt"]
    assert fs.cat("openai://user_data/newname.txt") == b"hi"
    # Into a purpose, it keeps its own name.
    fs.put(str(local), "openai://user_data")
    fs.put(str(local), "openai://evals/")
    assert fs.exists("openai://user_data/x.txt") and fs.exists("openai://evals/x.txt")


def test_put_and_get_of_two_lists_paired_sorted_sources_with_unsorted_destinations(fs, tmp_path):
    # fsspec's shared suite (put/get with_source_and_destination_as_list): the sources
    # were sorted by expand_path, the destinations were not, so files got each other's
    # content.
    names = ["b.txt", "a.txt", "c.txt"]
    sources = []
    for name in names:
        (tmp_path / name).write_text(name)
        sources.append(str(tmp_path / name))
    remote = [f"openai://user_data/{n}" for n in ["z.txt", "y.txt", "x.txt"]]
    fs.put(sources, remote)
    assert [fs.cat(r).decode() for r in remote] == names
    local = [str(tmp_path / f"back-{i}.txt") for i in range(3)]
    fs.get(list(reversed(remote)), local)
    assert [Path(p).read_text() for p in local] == list(reversed(names))
