"""The md5 of the whole, sent at ``complete``, is checked by the service."""

from __future__ import annotations

import hashlib

import pytest
from fs_support import make_fs
from write_helpers import PART, Wire, payload


@pytest.mark.parametrize("how", ["put_file", "open", "open size="])
def test_a_correct_md5_is_sent_and_accepted(fs, tmp_path, how):
    data = payload(3 * PART + 11)
    wire = Wire(fs)
    if how == "put_file":
        local = tmp_path / "local.bin"
        local.write_bytes(data)
        fs.put_file(str(local), "openai://user_data/data.bin")
    else:
        size = len(data) if how == "open size=" else None
        with fs.open("openai://user_data/data.bin", "wb", size=size) as f:
            for start in range(0, len(data), 5000):
                f.write(data[start : start + 5000])
    [(_, _, sent, answer)] = wire.ending("/complete")
    assert sent["md5"] == hashlib.md5(data).hexdigest()
    assert answer["status"] == "completed"
    assert fs.cat_file("openai://user_data/data.bin") == data


def start_upload(fs, data: bytes) -> tuple[str, list[str]]:
    """An Upload of ``data`` with every part sent, through the client layer."""
    upload = fs.client.create_upload(
        filename="data.bin", purpose="user_data", size=len(data), mime_type="text/plain"
    )
    part_ids = []
    for start in range(0, len(data), PART):
        chunk = data[start : start + PART]
        part = fs.client.add_part(upload["id"], lambda c=chunk: c, len(chunk))
        part_ids.append(part["id"])
    return upload["id"], part_ids


def test_the_service_rejects_a_wrong_md5(fs, openaifs_sdk):
    data = payload(2 * PART + 1)
    upload_id, part_ids = start_upload(fs, data)
    wrong = hashlib.md5(data + b"x").hexdigest()
    with pytest.raises(ValueError, match=f"does not match the md5 given \\({wrong}\\)") as caught:
        fs.client.complete_upload(upload_id, part_ids, md5=wrong)
    assert caught.value.status == 400
    assert caught.value.param == "md5"
    assert [f for f in openaifs_sdk.files.list() if f.filename == "data.bin"] == []
    # The Upload is still pending: the right md5 completes it.
    upload = fs.client.complete_upload(upload_id, part_ids, md5=hashlib.md5(data).hexdigest())
    assert openaifs_sdk.files.content(upload["file"]["id"]).content == data


def test_the_md5_is_checked_over_the_parts_in_the_order_given(fs):
    data = payload(2 * PART)
    upload_id, part_ids = start_upload(fs, data)
    with pytest.raises(ValueError, match="does not match"):
        fs.client.complete_upload(upload_id, part_ids[::-1], md5=hashlib.md5(data).hexdigest())


@pytest.mark.parametrize("how", ["put_file", "open", "open size="])
def test_checksum_false_sends_no_md5_and_the_file_is_whole(server, tmp_path, how):
    fs = make_fs(server, checksum=False)
    wire = Wire(fs)
    data = payload(3 * PART + 17)
    if how == "put_file":
        local = tmp_path / "data.bin"
        local.write_bytes(data)
        fs.put_file(str(local), "openai://user_data/data.bin")
    else:
        size = len(data) if how == "open size=" else None
        with fs.open("openai://user_data/data.bin", "wb", size=size) as f:
            f.write(data)
    [(_, _, sent, answer)] = wire.ending("/complete")
    assert "md5" not in sent
    assert answer["status"] == "completed"
    assert fs.cat("openai://user_data/data.bin") == data
