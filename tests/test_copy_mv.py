"""``copy`` (``cp``) and ``mv`` within the store: planned by ``openaifs.transfer``."""

from __future__ import annotations

import pytest


@pytest.fixture
def batch(fs):
    fs.pipe("openai://batch/a.jsonl", b"a\n")
    fs.pipe("openai://batch/b.jsonl", b"b\n")
    return fs


def test_copy_one_file_to_a_new_name(batch):
    batch.copy("openai://batch/a.jsonl", "openai://fine-tune/train.jsonl")
    assert batch.cat("openai://fine-tune/train.jsonl") == b"a\n"
    assert (
        batch.info("openai://fine-tune/train.jsonl")["id"]
        != batch.info("openai://batch/a.jsonl")["id"]
    )


def test_cp_of_a_purpose_recursively_into_another(batch):
    batch.cp("openai://batch", "openai://fine-tune", recursive=True)
    assert batch.ls("openai://fine-tune", detail=False) == [
        "fine-tune/a.jsonl",
        "fine-tune/b.jsonl",
    ]
    assert batch.cat("openai://batch/b.jsonl") == b"b\n"  # the source stays


def test_copy_of_a_purpose_without_recursive_says_so(batch):
    with pytest.raises(IsADirectoryError, match="use recursive=True"):
        batch.copy("openai://batch", "openai://fine-tune")


def test_copy_of_a_glob_into_a_purpose(batch):
    batch.copy("openai://batch/*.jsonl", "openai://assistants")
    assert batch.ls("openai://assistants", detail=False) == [
        "assistants/a.jsonl",
        "assistants/b.jsonl",
    ]


def test_copy_of_several_files_to_a_file_name_is_refused(batch):
    with pytest.raises(ValueError, match="needs a purpose"):
        batch.copy("openai://batch/*.jsonl", "openai://vision/one.jsonl")
    assert batch.ls("openai://vision", detail=False) == []


def test_copy_passes_write_options(batch):
    batch.copy("openai://batch/a.jsonl", "openai://batch/a.jsonl", overwrite="keep")
    assert len(batch.ls("openai://batch/a.jsonl", versions=True)) == 2


def test_mv_one_file(batch):
    batch.mv("openai://batch/a.jsonl", "openai://fine-tune/a.jsonl")
    assert batch.cat("openai://fine-tune/a.jsonl") == b"a\n"
    assert not batch.exists("openai://batch/a.jsonl")


def test_mv_of_a_purpose_needs_confirm_before_anything_is_copied(batch):
    with pytest.raises(PermissionError, match="confirm=True"):
        batch.mv("openai://batch", "openai://fine-tune", recursive=True)
    assert batch.ls("openai://fine-tune", detail=False) == []
    batch.mv("openai://batch", "openai://fine-tune", recursive=True, confirm=True)
    assert batch.ls("openai://fine-tune", detail=False) == [
        "fine-tune/a.jsonl",
        "fine-tune/b.jsonl",
    ]
    assert batch.ls("openai://batch", detail=False) == []
