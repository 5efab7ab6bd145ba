"""``fs.get`` of a purpose: it lands in a local folder, as fsspec's own ``get`` does."""

from __future__ import annotations

import os


def test_get_of_a_purpose_with_one_file_makes_a_folder(fs, tmp_path):
    fs.pipe("openai://evals/only.jsonl", b"{}\n")
    fs.get("openai://evals", str(tmp_path / "out"), recursive=True)
    assert (tmp_path / "out").is_dir()  # not a file named "out"
    assert (tmp_path / "out" / "only.jsonl").read_bytes() == b"{}\n"


def test_get_of_a_purpose_with_two_files(fs, tmp_path):
    fs.pipe("openai://evals/a.jsonl", b"1\n")
    fs.pipe("openai://evals/b.jsonl", b"2\n")
    fs.get("openai://evals", str(tmp_path / "out"), recursive=True)
    assert sorted(os.listdir(tmp_path / "out")) == ["a.jsonl", "b.jsonl"]


def test_get_of_one_file_to_a_new_name(fs, tmp_path):
    fs.pipe("openai://evals/a.jsonl", b"1\n")
    fs.get("openai://evals/a.jsonl", str(tmp_path / "renamed.jsonl"))
    assert (tmp_path / "renamed.jsonl").read_bytes() == b"1\n"


def test_get_of_a_purpose_without_recursive_copies_nothing(fs, tmp_path):
    """As fsspec's own ``get`` does (it used to fail with 'lists ... differ in length')."""
    fs.pipe("openai://evals/a.jsonl", b"1\n")
    fs.pipe("openai://evals/b.jsonl", b"2\n")
    fs.get("openai://evals", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
