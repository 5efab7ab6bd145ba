"""``with fs.transaction:``: every write of the block is published at its end, or none is."""

from __future__ import annotations

import pytest
from filehelpers import requests_to
from fs_support import PART
from write_helpers import files_named, payload


class Boom(Exception):
    pass


def names(sdk) -> set[str]:
    return {f.filename for f in sdk.files.list()}


def test_nothing_is_visible_inside_the_block_and_everything_after(fs, openaifs_sdk):
    big = payload(3 * PART + 5)
    with fs.transaction:
        fs.pipe_file("openai://user_data/small.txt", b"small")
        fs.pipe_file("openai://user_data/big.bin", big)
        with fs.open("openai://user_data/opened.txt", "w") as f:
            f.write("text")
        assert names(openaifs_sdk) == set()  # other clients see nothing yet
    assert names(openaifs_sdk) == {"small.txt", "big.bin", "opened.txt"}
    assert fs.cat("openai://user_data/big.bin") == big
    assert fs.cat("openai://user_data/opened.txt") == b"text"


def test_put_file_in_a_transaction_is_deferred(fs, openaifs_sdk, tmp_path):
    local = tmp_path / "train.jsonl"
    local.write_bytes(b'{"a": 1}\n' * (PART // 4))
    with fs.transaction:
        fs.put_file(str(local), "openai://fine-tune/train.jsonl")
        assert names(openaifs_sdk) == set()
    assert fs.cat("openai://fine-tune/train.jsonl") == local.read_bytes()


def test_an_exception_discards_every_write_and_cancels_uploads(fs, server, openaifs_sdk):
    fs.pipe_file("openai://user_data/kept.txt", b"old")
    with pytest.raises(Boom), fs.transaction:
        fs.pipe_file("openai://user_data/kept.txt", b"new")
        fs.pipe_file("openai://user_data/big.bin", payload(3 * PART))
        raise Boom
    assert names(openaifs_sdk) == {"kept.txt"}
    assert fs.cat("openai://user_data/kept.txt") == b"old"
    assert requests_to(server, "uploads.cancel") == 1
    assert requests_to(server, "uploads.complete") == 0


def test_the_overwrite_policy_applies_only_after_every_file_is_made(fs, openaifs_sdk):
    fs.pipe_file("openai://user_data/a.txt", b"old a")
    fs.pipe_file("openai://user_data/b.txt", b"old b")
    with fs.transaction:
        fs.pipe_file("openai://user_data/a.txt", b"new a")
        fs.pipe_file("openai://user_data/b.txt", b"new b")
    assert fs.cat("openai://user_data/a.txt") == b"new a"
    assert fs.cat("openai://user_data/b.txt") == b"new b"
    assert len(files_named(openaifs_sdk, "a.txt")) == 1
    assert len(files_named(openaifs_sdk, "b.txt")) == 1


def test_a_failed_publish_withdraws_the_files_already_made(fs, server, openaifs_sdk):
    fs.pipe_file("openai://user_data/a.txt", b"old a")
    with pytest.raises(ValueError), fs.transaction:
        fs.pipe_file("openai://user_data/a.txt", b"new a")  # made first, in one POST
        fs.pipe_file("openai://user_data/big.bin", payload(3 * PART))  # an Upload
        server.add_fault("uploads.complete", "status", status=400)
    # a.txt's new file was made, then withdrawn: the names hold exactly what they held.
    assert requests_to(server, "files.create") == 2
    assert [f.filename for f in openaifs_sdk.files.list()] == ["a.txt"]
    assert fs.cat("openai://user_data/a.txt") == b"old a"


def test_autocommit_false_defers_until_commit(fs, openaifs_sdk):
    f = fs.open("openai://user_data/later.txt", "wb", autocommit=False)
    f.write(b"later")
    f.close()
    assert names(openaifs_sdk) == set()
    f.commit()
    assert fs.cat("openai://user_data/later.txt") == b"later"


def test_autocommit_false_discard_leaves_nothing(fs, server, openaifs_sdk):
    f = fs.open("openai://user_data/never.bin", "wb", autocommit=False, size=3 * PART)
    f.write(payload(3 * PART))
    f.close()
    f.discard()
    assert names(openaifs_sdk) == set()
    assert requests_to(server, "uploads.cancel") == 1


def test_the_filesystem_leaves_the_transaction_after_a_failure(fs):
    with pytest.raises(Boom), fs.transaction:
        raise Boom
    assert not fs._intrans
    fs.pipe_file("openai://user_data/after.txt", b"x")
    assert fs.cat("openai://user_data/after.txt") == b"x"
