"""pyarrow: Parquet files and datasets over a purpose, with the filesystem passed directly
(pyarrow wraps it) or through ``PyFileSystem(FSSpecHandler(fs))``."""

from __future__ import annotations

import pytest

pa = pytest.importorskip("pyarrow")

import pyarrow.dataset as ds  # noqa: E402
import pyarrow.fs as pafs  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402


@pytest.fixture
def table():
    return pa.table({"n": list(range(100)), "tag": [f"t{i % 4}" for i in range(100)]})


@pytest.fixture
def arrow_fs(fs):
    return pafs.PyFileSystem(pafs.FSSpecHandler(fs))


def test_write_table_read_table_with_fsspec_filesystem(table, fs):
    pq.write_table(table, "openai://user_data/t.parquet", filesystem=fs)
    assert fs.info("openai://user_data/t.parquet")["purpose"] == "user_data"
    assert pq.read_table("openai://user_data/t.parquet", filesystem=fs).equals(table)


def test_write_table_read_table_through_fsspec_handler(table, arrow_fs, fs):
    pq.write_table(table, "user_data/h.parquet", filesystem=arrow_fs)
    assert fs.cat("openai://user_data/h.parquet")[-4:] == b"PAR1"
    back = pq.read_table("user_data/h.parquet", filesystem=arrow_fs, columns=["tag"])
    assert back.column("tag").to_pylist() == table.column("tag").to_pylist()


def test_parquet_file_metadata_from_the_footer(table, fs):
    # Footer-first reading seeks to the end: served from the local copy of the content.
    pq.write_table(table, "openai://user_data/m.parquet", filesystem=fs, row_group_size=25)
    with fs.open("openai://user_data/m.parquet", "rb") as f:
        meta = pq.ParquetFile(f).metadata
    assert meta.num_rows == 100 and meta.num_row_groups == 4


def test_file_info_of_purposes_and_files(table, arrow_fs):
    pq.write_table(table, "user_data/i.parquet", filesystem=arrow_fs)
    assert arrow_fs.get_file_info("").type == pafs.FileType.Directory
    assert arrow_fs.get_file_info("user_data").type == pafs.FileType.Directory
    info = arrow_fs.get_file_info("user_data/i.parquet")
    assert info.type == pafs.FileType.File and info.size > 0
    assert arrow_fs.get_file_info("user_data/none.parquet").type == pafs.FileType.NotFound
    listed = arrow_fs.get_file_info(pafs.FileSelector("user_data"))
    assert [i.path for i in listed] == ["user_data/i.parquet"]


def test_dataset_over_a_purpose(table, fs):
    for i in range(3):
        pq.write_table(
            table.slice(i * 30, 30), f"openai://user_data/part-{i}.parquet", filesystem=fs
        )
    fs.pipe("openai://user_data/readme.txt", b"not parquet")
    # A purpose holds every kind of file: pick the Parquet ones with a glob.
    dataset = ds.dataset(fs.glob("openai://user_data/*.parquet"), filesystem=fs, format="parquet")
    assert sorted(dataset.files) == [f"user_data/part-{i}.parquet" for i in range(3)]
    result = dataset.to_table(filter=ds.field("tag") == "t1").sort_by("n")
    assert result.column("n").to_pylist() == [n for n in range(90) if n % 4 == 1]


def test_dataset_from_a_purpose_directory(table, fs):
    for i in range(2):
        pq.write_table(table.slice(i * 50, 50), f"openai://user_data/p{i}.parquet", filesystem=fs)
    # pyarrow hands the directory path to the filesystem as given and expects the listed
    # paths below it, so name the purpose without "openai://" when passing filesystem=.
    dataset = ds.dataset("user_data", filesystem=fs, format="parquet")
    assert dataset.count_rows() == 100
    assert dataset.to_table().sort_by("n").equals(table)


def test_write_dataset_flat_with_basename_template(table, fs):
    ds.write_dataset(
        table,
        "user_data",
        filesystem=fs,
        format="parquet",
        basename_template="rows-{i}.parquet",
        max_rows_per_file=40,
        max_rows_per_group=40,
    )
    names = fs.ls("openai://user_data", detail=False, refresh=True)
    assert names == [
        "user_data/rows-0.parquet",
        "user_data/rows-1.parquet",
        "user_data/rows-2.parquet",
    ]
    back = ds.dataset("user_data", filesystem=fs, format="parquet").to_table().sort_by("n")
    assert back.equals(table)


def test_write_dataset_into_a_purpose_that_has_files_needs_overwrite_or_ignore(table, fs):
    fs.pipe("openai://user_data/other.txt", b"x")
    with pytest.raises(pa.ArrowInvalid, match="not empty"):
        ds.write_dataset(table, "user_data", filesystem=fs, format="parquet")
    ds.write_dataset(
        table,
        "user_data",
        filesystem=fs,
        format="parquet",
        basename_template="more-{i}.parquet",
        existing_data_behavior="overwrite_or_ignore",
    )
    assert fs.exists("openai://user_data/more-0.parquet")
    assert fs.exists("openai://user_data/other.txt")


def test_write_dataset_with_hive_partitions_round_trips(table, fs):
    ds.write_dataset(
        table,
        "user_data/table",
        filesystem=fs,
        format="parquet",
        partitioning=["tag"],
        partitioning_flavor="hive",
    )
    assert fs.ls("openai://user_data/table", detail=False, refresh=True) == [
        f"user_data/table/tag=t{i}" for i in range(4)
    ]
    assert fs.find("openai://user_data/table") == [
        f"user_data/table/tag=t{i}/part-0.parquet" for i in range(4)
    ]
    back = ds.dataset("user_data/table", filesystem=fs, format="parquet", partitioning="hive")
    back = back.to_table().sort_by("n")
    assert back.column("n").equals(table.column("n"))
    assert back.column("tag").to_pylist() == table.column("tag").to_pylist()
    only = ds.dataset("user_data/table", filesystem=fs, partitioning="hive").to_table(
        filter=ds.field("tag") == "t1"
    )
    assert only.num_rows == 25


def test_hive_dataset_through_the_fsspec_handler(table, arrow_fs, fs):
    ds.write_dataset(
        table,
        "user_data/h",
        filesystem=arrow_fs,
        format="parquet",
        partitioning=["tag"],
        partitioning_flavor="hive",
    )
    info = arrow_fs.get_file_info("user_data/h/tag=t0")
    assert info.type == pafs.FileType.Directory
    back = ds.dataset("user_data/h", filesystem=arrow_fs, partitioning="hive").to_table()
    assert back.num_rows == 100


def test_mkdir_and_makedirs_as_fsspec_tools_expect(fs, server):
    server.clear_stats()
    fs.mkdir("openai://user_data")
    fs.makedirs("openai://user_data", exist_ok=True)
    fs.mkdir("openai://")
    assert fs.isdir("openai://user_data")
    # A folder needs no creating (as on S3): these succeed and make nothing.
    fs.makedirs("openai://user_data/sub", exist_ok=True)
    fs.mkdir("openai://user_data/sub/deeper")
    assert server.stats()["requests"].get("files.create", 0) == 0
    assert not fs.exists("openai://user_data/sub")
    with pytest.raises(ValueError, match="not a purpose"):
        fs.mkdir("openai://no_such_purpose")
