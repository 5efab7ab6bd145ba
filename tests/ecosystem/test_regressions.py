"""Regression tests for library bugs the ecosystem tests exposed."""

from __future__ import annotations


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
