"""Files written by openaifs read back byte-identical by the official SDK."""

from __future__ import annotations

import pytest
from write_helpers import PART, files_named, payload


def write(fs, how: str, path: str, data: bytes, tmp_path) -> None:
    if how == "pipe_file":
        fs.pipe_file(path, data)
    elif how == "put_file":
        local = tmp_path / "local"
        local.write_bytes(data)
        fs.put_file(str(local), path)
    else:
        size = len(data) if how == "open size=" else None
        with fs.open(path, "wb", size=size) as f:
            for start in range(0, len(data), 7000):
                f.write(data[start : start + 7000])


@pytest.mark.parametrize("how", ["pipe_file", "put_file", "open", "open size="])
@pytest.mark.parametrize("size", [0, PART, 3 * PART - 1])
def test_the_sdk_reads_what_openaifs_wrote(fs, openaifs_sdk, tmp_path, how, size):
    data = payload(size, seed=size)
    write(fs, how, "openai://user_data/ours.bin", data, tmp_path)
    [file] = files_named(openaifs_sdk, "ours.bin")
    assert file.bytes == size
    assert file.purpose == "user_data"
    assert file.id == fs.info("openai://user_data/ours.bin")["id"]
    assert openaifs_sdk.files.content(file.id).content == data


def test_the_sdk_reads_a_jsonl_file_written_for_fine_tune(fs, openaifs_sdk, tmp_path):
    lines = b"".join(
        b'{"messages": [{"role": "user", "content": "%d"}]}\n' % i for i in range(3000)
    )
    assert len(lines) > PART
    write(fs, "open", "openai://fine-tune/train.jsonl", lines, tmp_path)
    [file] = files_named(openaifs_sdk, "train.jsonl", purpose="fine-tune")
    assert openaifs_sdk.files.content(file.id).content == lines
