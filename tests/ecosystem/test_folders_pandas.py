"""pandas, pyarrow and fsspec tools writing into folders of a purpose."""

from __future__ import annotations

import pytest

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

import fsspec  # noqa: E402
from fsspec.generic import rsync  # noqa: E402
from pandas.testing import assert_frame_equal  # noqa: E402


@pytest.fixture
def frame():
    return pd.DataFrame({"id": [1, 2, 3], "text": ["a", "b, c", "d"]})


def test_to_csv_into_a_folder(frame, storage_options, fs):
    frame.to_csv(
        "openai://user_data/exports/2024/frame.csv", index=False, storage_options=storage_options
    )
    assert fs.ls("openai://user_data/exports", detail=False, refresh=True) == [
        "user_data/exports/2024"
    ]
    back = pd.read_csv("openai://user_data/exports/2024/frame.csv", storage_options=storage_options)
    assert_frame_equal(back, frame)


def test_pandas_to_parquet_with_partition_cols(storage_options, fs):
    frame = pd.DataFrame({"n": range(12), "day": [f"d{i % 3}" for i in range(12)]})
    frame.to_parquet(
        "openai://user_data/events", partition_cols=["day"], storage_options=storage_options
    )
    assert fs.ls("openai://user_data/events", detail=False, refresh=True) == [
        "user_data/events/day=d0",
        "user_data/events/day=d1",
        "user_data/events/day=d2",
    ]
    back = pd.read_parquet("openai://user_data/events", storage_options=storage_options)
    assert sorted(back["n"]) == list(range(12))


def test_rsync_of_a_folder_with_sub_folders(fs, tmp_path, storage_options):
    src = tmp_path / "src"
    for name in ["a.txt", "sub/b.txt", "sub/deeper/c.txt"]:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(name)
    # rsync's GenericFileSystem takes each protocol's most recent instance ("current").
    fsspec.filesystem("openai", **storage_options)
    current = {"default_method": "current"}
    rsync(str(src), "openai://user_data/mirror", inst_kwargs=current)
    assert fs.find("openai://user_data/mirror", refresh=True) == [
        "user_data/mirror/a.txt",
        "user_data/mirror/sub/b.txt",
        "user_data/mirror/sub/deeper/c.txt",
    ]
    assert fs.cat("openai://user_data/mirror/sub/deeper/c.txt") == b"sub/deeper/c.txt"
    # And back down to a new local folder.
    rsync("openai://user_data/mirror", str(tmp_path / "back"), inst_kwargs=current)
    assert (tmp_path / "back" / "sub" / "deeper" / "c.txt").read_text() == "sub/deeper/c.txt"


def test_hugging_face_save_to_disk_and_load_from_disk(storage_options, fs):
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_dict({"text": ["x", "y", "z"], "label": [0, 1, 0]})
    ds.save_to_disk("openai://user_data/hf/ds", storage_options=storage_options)
    names = fs.ls("openai://user_data/hf/ds", detail=False, refresh=True)
    assert "user_data/hf/ds/dataset_info.json" in names
    back = datasets.load_from_disk("openai://user_data/hf/ds", storage_options=storage_options)
    assert back.to_dict() == ds.to_dict()
