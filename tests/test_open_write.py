"""``open(path, "wb")``: spooled without ``size``, streamed with it; text mode; edge sizes."""

from __future__ import annotations

import time

import pytest
from write_helpers import (
    PART,
    Wire,
    assert_cancelled,
    files_named,
    leftover_temp_files,
    payload,
    posts,
    private_tempdir,
)

from openaifs.upload import upload_plan

PATH = "openai://user_data/out.bin"
MULTIPART_3 = {"uploads.create": 1, "uploads.parts.create": 3, "uploads.complete": 1}


def write_in_chunks(f, data: bytes, chunk: int) -> None:
    for start in range(0, len(data), chunk):
        f.write(data[start : start + chunk])


def test_spooled_write_without_size_sends_everything_on_close(
    fs, server, openaifs_sdk, tmp_path, monkeypatch
):
    private_tempdir(monkeypatch, tmp_path)
    data = payload(2 * PART + 100)
    with fs.open(PATH, "wb") as f:
        write_in_chunks(f, data, 10_000)
        # Beyond one part, content waits in a local spool file; nothing is sent yet.
        assert len(leftover_temp_files()) == 1
        assert leftover_temp_files()[0].startswith("openaifs-spool-")
        assert posts(server) == {}
    assert posts(server) == MULTIPART_3
    assert leftover_temp_files() == []
    [file] = files_named(openaifs_sdk, "out.bin")
    assert openaifs_sdk.files.content(file.id).content == data


def test_a_spooled_part_whose_answer_is_lost_is_sent_again_from_the_spool(
    fs, server, openaifs_sdk, tmp_path, monkeypatch
):
    # The spool's parts are sent from the file mapped into memory, at offsets that are no
    # multiple of a page; a part sent again reads the same mapping.
    private_tempdir(monkeypatch, tmp_path)
    data = payload(2 * PART + 4097)
    server.add_fault("uploads.parts.create", "drop_after", times=2)
    with fs.open(PATH, "wb") as f:
        write_in_chunks(f, data, 10_000)
    assert server.stats()["requests"]["uploads.parts.create"] == 3 + 2
    [file] = files_named(openaifs_sdk, "out.bin")
    assert openaifs_sdk.files.content(file.id).content == data
    assert leftover_temp_files() == []


def test_parts_sent_while_writing_are_cut_as_put_file_cuts_the_same_size(fs):
    # They were cut at every part_size bytes: a small last part finished its wave late.
    lengths: list[int] = []

    def record(response, *args, **kwargs):
        if response.request.url.endswith("/parts"):
            lengths.append(int(response.request.headers["Content-Length"]))

    fs.client.session.hooks["response"].append(record)
    data = payload(5 * PART // 2)
    with fs.open(PATH, "wb", size=len(data)) as f:
        write_in_chunks(f, data, 1000)
    assert len(lengths) == len(upload_plan(len(data), fs.upload_settings))
    # Every request carries the same form around its part: the lengths differ as the parts.
    assert max(lengths) - min(lengths) <= 1
    assert fs.cat(PATH) == data


def wait_until(condition, timeout: float = 30.0) -> None:
    """Poll ``condition`` until it holds (a generous deadline guards against a hang only)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.01)


def test_streaming_write_with_size_sends_parts_before_close(fs, server, openaifs_sdk):
    data = payload(3 * PART + 10)
    with fs.open(PATH, "wb", size=len(data)) as f:
        write_in_chunks(f, data[: 3 * PART], 1000)

        def parts_sent() -> int:
            return server.stats()["requests"].get("uploads.parts.create", 0)

        wait_until(lambda: parts_sent() == 3)
        requests = server.stats()["requests"]
        assert requests["uploads.create"] == 1
        assert "uploads.complete" not in requests
        assert files_named(openaifs_sdk, "out.bin") == []
        f.write(data[3 * PART :])
    assert posts(server) == {"uploads.create": 1, "uploads.parts.create": 4, "uploads.complete": 1}
    assert fs.cat_file(PATH) == data


@pytest.mark.parametrize("size", [None, PART + 10])
def test_one_byte_writes(fs, size):
    data = payload(PART + 10)
    with fs.open(PATH, "wb", size=size) as f:
        for i in range(len(data)):
            assert f.write(data[i : i + 1]) == 1
    assert fs.cat_file(PATH) == data


def test_text_mode(fs):
    text = "héllo\nwörld\n" * 10_000  # over one part once encoded
    with fs.open("openai://user_data/notes.txt", "w", encoding="utf-8") as f:
        f.write(text)
    assert fs.cat_file("openai://user_data/notes.txt") == text.encode("utf-8")
    with fs.open("openai://user_data/notes.txt", "r", encoding="utf-8") as f:
        assert f.read() == text


@pytest.mark.parametrize("size_known", [False, True])
@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, {"files.create": 1}),
        (PART, {"files.create": 1}),
        (PART + 1, {"uploads.create": 1, "uploads.parts.create": 2, "uploads.complete": 1}),
    ],
)
def test_threshold_edges(fs, server, size, expected, size_known):
    data = payload(size)
    with fs.open(PATH, "wb", size=size if size_known else None) as f:
        f.write(data)
    assert posts(server) == expected
    assert fs.cat_file(PATH) == data
    assert fs.size(PATH) == size


def test_empty_file_without_writing(fs, openaifs_sdk):
    with fs.open(PATH, "wb"):
        pass
    [file] = files_named(openaifs_sdk, "out.bin")
    assert file.bytes == 0
    assert fs.cat_file(PATH) == b""


@pytest.mark.parametrize("declared", [10, PART + 1, 3 * PART])
def test_fewer_bytes_than_declared_size_creates_nothing(fs, server, openaifs_sdk, declared):
    wire = Wire(fs)
    f = fs.open(PATH, "wb", size=declared)
    f.write(payload(declared - 1))
    with pytest.raises(ValueError, match=f"size={declared} was declared"):
        f.close()
    assert files_named(openaifs_sdk, "out.bin") == []
    assert "files.create" not in posts(server)
    assert "uploads.complete" not in posts(server)
    for upload_id in wire.upload_ids:
        assert_cancelled(openaifs_sdk, upload_id)


@pytest.mark.parametrize("declared", [10, 2 * PART])
def test_writing_past_the_declared_size_cancels(fs, server, openaifs_sdk, declared):
    wire = Wire(fs)
    f = fs.open(PATH, "wb", size=declared)
    f.write(payload(declared))
    with pytest.raises(ValueError, match=f"over the declared size of {declared} bytes"):
        f.write(b"x")
    assert f.closed
    f.close()  # closing again publishes nothing
    assert files_named(openaifs_sdk, "out.bin") == []
    assert "uploads.complete" not in posts(server)
    assert "files.create" not in posts(server)
    for upload_id in wire.upload_ids:
        assert_cancelled(openaifs_sdk, upload_id)
    assert len(wire.upload_ids) == (1 if declared > PART else 0)
