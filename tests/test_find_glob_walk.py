"""``find``, ``glob``, ``walk`` and ``expand_path`` over the flat purpose directories."""

from __future__ import annotations

import pytest
from filehelpers import sdk_create

from openaifs.paths import KNOWN_PURPOSES

ALL = ["batch/in.jsonl", "user_data/a1.txt", "user_data/a2.txt", "user_data/b.csv"]


@pytest.fixture
def tree(fs):
    fs.pipe({path: path.encode() for path in ALL})
    return fs


@pytest.mark.parametrize("root", ["", "openai://", "openai:///"])
def test_find_everything(tree, root):
    assert tree.find(root) == ALL


def test_find_a_purpose(tree):
    assert tree.find("openai://user_data") == ALL[1:]
    assert tree.find("vision") == []


def test_find_with_dirs_and_detail(tree):
    found = tree.find("", withdirs=True, detail=True)
    assert sorted(found) == sorted([*KNOWN_PURPOSES, *ALL])
    assert found["user_data"]["type"] == "directory"
    assert found["batch/in.jsonl"]["size"] == len(b"batch/in.jsonl")


def test_find_maxdepth_one_sees_no_files(tree):
    assert tree.find("", maxdepth=1) == []
    assert tree.find("user_data", maxdepth=1) == ALL[1:]


def test_find_of_a_file_is_that_file(tree):
    assert tree.find("user_data/b.csv") == ["user_data/b.csv"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("openai://user_data/*.txt", ["user_data/a1.txt", "user_data/a2.txt"]),
        ("user_data/a?.txt", ["user_data/a1.txt", "user_data/a2.txt"]),
        ("user_data/a[2-9].txt", ["user_data/a2.txt"]),
        ("*/*.jsonl", ["batch/in.jsonl"]),
        ("openai://*/*", ALL),
        ("**", [*KNOWN_PURPOSES, *ALL]),
        ("user_data/*.parquet", []),
        ("*", list(KNOWN_PURPOSES)),
    ],
)
def test_glob(tree, pattern, expected):
    assert sorted(tree.glob(pattern)) == sorted(expected)


def test_glob_finds_names_with_special_characters(fs):
    fs.pipe("user_data/r#1 %.txt", b"x")
    fs.pipe("user_data/🙂.txt", b"y")
    assert sorted(fs.glob("user_data/*.txt")) == ["user_data/r#1 %.txt", "user_data/🙂.txt"]


def test_walk(tree):
    walked = list(tree.walk(""))
    assert walked[0] == ("", list(KNOWN_PURPOSES), [])
    by_dir = {root: (dirs, files) for root, dirs, files in walked}
    assert by_dir["user_data"] == ([], ["a1.txt", "a2.txt", "b.csv"])
    assert by_dir["batch"] == ([], ["in.jsonl"])
    assert by_dir["vision"] == ([], [])
    assert len(walked) == 1 + len(KNOWN_PURPOSES)


def test_listings_show_one_entry_per_name(fs, openaifs_sdk):
    fs.pipe("user_data/dup.txt", b"one")
    sdk_create(openaifs_sdk, "user_data/dup.txt", b"two")
    fs.invalidate_cache()
    assert fs.find("user_data") == ["user_data/dup.txt"]
    assert fs.glob("user_data/*") == ["user_data/dup.txt"]
    assert list(fs.walk("user_data")) == [("user_data", [], ["dup.txt"])]


def test_expand_path_recursive(tree):
    assert tree.expand_path("user_data", recursive=True) == ["user_data", *ALL[1:]]
