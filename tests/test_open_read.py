"""``open(path, "rb")``: streamed sequential reads, seeks served from a local copy, text and
compression through ``fsspec.open``."""

from __future__ import annotations

import gzip
import io

import fsspec
import pytest
from filehelpers import payload, requests_to, sdk_create

DATA = payload(200_000, seed=2)
PATH = "user_data/data.bin"
LINES = b"".join(f"line {i}: {'x' * (i % 7)}\n".encode() for i in range(500))


@pytest.fixture
def stored(server, fs, openaifs_sdk):
    sdk_create(openaifs_sdk, PATH, DATA)
    sdk_create(openaifs_sdk, "user_data/lines.txt", LINES)
    server.clear_stats()
    return fs


def test_read_all(stored):
    with stored.open(f"openai://{PATH}", "rb") as f:
        assert f.read() == DATA
        assert f.tell() == len(DATA)
        assert f.read() == b""


def test_sequential_reads_stream_once_without_a_local_copy(server, stored):
    chunks = []
    with stored.open(PATH, "rb", block_size=10_000) as f:
        while chunk := f.read(7_777):
            chunks.append(chunk)
    assert b"".join(chunks) == DATA
    assert requests_to(server, "files.content") == 1
    # Nothing was copied to disk (the cache is shared by the process: ask for this file).
    assert stored.content_cache.existing(stored.info(PATH)["id"], len(DATA)) is None


def test_seek_and_tell(stored):
    with stored.open(PATH, "rb") as f:
        assert f.seek(150_000) == 150_000
        assert f.read(10) == DATA[150_000:150_010]
        assert f.tell() == 150_010
        f.seek(-5, 2)
        assert f.read() == DATA[-5:]
        f.seek(10)
        f.seek(20, 1)
        assert f.read(3) == DATA[30:33]
        assert f.seekable() and f.readable() and not f.writable()


def test_readline_and_iteration(stored):
    expected = LINES.splitlines(keepends=True)
    with stored.open("user_data/lines.txt", "rb") as f:
        assert f.readline() == expected[0]
        assert f.readline() == expected[1]
        assert list(f) == expected[2:]


def test_info_of_the_open_file(stored):
    with stored.open(PATH, "rb") as f:
        assert f.size == len(DATA)
        assert f.details["id"] == stored.info(PATH)["id"]


def test_open_by_id(stored):
    with stored.open(stored.info(PATH)["id"], "rb") as f:
        assert f.read(100) == DATA[:100]


def test_footer_first_reads_come_from_one_local_copy(server, fs, openaifs_sdk):
    big = payload(1_500_000, seed=3)  # a jump to the end is beyond the read-through limit
    sdk_create(openaifs_sdk, "user_data/big.bin", big)
    server.clear_stats()
    with fs.open("user_data/big.bin", "rb") as f:
        f.seek(-8, 2)
        assert f.read(8) == big[-8:]
        f.seek(-10_000, 2)
        assert f.read(1000) == big[-10_000:-9000]
        f.seek(4)
        assert f.read(4) == big[4:8]
        f.seek(1_000_000)
        assert f.read(50_000) == big[1_000_000:1_050_000]
    assert requests_to(server, "files.content") == 1


def test_a_small_file_read_from_its_end_is_downloaded_at_most_twice(server, stored):
    with stored.open(PATH, "rb") as f:
        f.seek(-8, 2)
        assert f.read(8) == DATA[-8:]  # read through the stream
        f.seek(0)
        assert f.read(8) == DATA[:8]  # a local copy
    assert requests_to(server, "files.content") == 2


def test_a_second_open_reads_the_existing_local_copy(server, stored):
    """Regression: a new file object streamed the content again although a complete
    local copy of it was already on disk."""
    with stored.open(PATH, "rb") as f:
        f.seek(-5, 2)
        f.read()
        f.seek(0)
        f.read(5)
    server.clear_stats()
    for _ in range(2):
        with stored.open(PATH, "rb") as f:
            assert f.read(5) == DATA[:5]
            f.seek(-4, 2)
            assert f.read() == DATA[-4:]
    assert requests_to(server, "files.content") == 0


def test_parquet_footer_reads(server, fs):
    pq = pytest.importorskip("pyarrow.parquet")
    pa = pytest.importorskip("pyarrow")
    table = pa.table({"n": list(range(5000)), "s": [f"row {i}" for i in range(5000)]})
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=1000)
    fs.pipe("user_data/t.parquet", sink.getvalue())
    server.clear_stats()
    with fs.open("user_data/t.parquet", "rb") as f:
        assert pq.ParquetFile(f).metadata.num_rows == 5000
        f.seek(0)
        assert pq.read_table(f).equals(table)
    assert requests_to(server, "files.content") == 1


def test_a_cut_short_stream_is_resumed(server, stored):
    server.add_fault("files.content", "truncate", after_bytes=60_000)
    with stored.open(PATH, "rb", block_size=16_384) as f:
        assert f.read() == DATA
    assert requests_to(server, "files.content") == 2


def test_text_mode_through_fsspec_open(server, stored):
    with fsspec.open(
        "openai://user_data/lines.txt",
        "rt",
        encoding="utf-8",
        api_key=server.api_key,
        base_url=server.base_url,
        skip_instance_cache=True,
    ) as f:
        assert f.readline() == "line 0: \n"
        assert f.read() == LINES.decode()[len("line 0: \n") :]


def test_gzip_through_fsspec_open(server, fs):
    text = "\u00e9,\u00fc\n" + "".join(f"{i},{i * i}\n" for i in range(2000))
    fs.pipe("user_data/table.csv.gz", gzip.compress(text.encode()))
    opened = fsspec.open(
        "openai://user_data/table.csv.gz",
        "rt",
        compression="infer",
        encoding="utf-8",
        api_key=server.api_key,
        base_url=server.base_url,
        skip_instance_cache=True,
    )
    with opened as f:
        assert f.read() == text


def test_open_a_directory_or_a_missing_file(stored):
    with pytest.raises(IsADirectoryError):
        stored.open("user_data", "rb")
    with pytest.raises(FileNotFoundError, match=r"openai://user_data/none\.bin"):
        stored.open("user_data/none.bin", "rb")


@pytest.mark.parametrize("mode", ["ab", "r+b", "rb+"])
def test_unsupported_modes(stored, mode):
    with pytest.raises(ValueError):
        stored.open(PATH, mode)


def test_read_after_close(stored):
    f = stored.open(PATH, "rb")
    f.close()
    with pytest.raises(ValueError):
        f.read()
