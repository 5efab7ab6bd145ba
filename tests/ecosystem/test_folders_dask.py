"""dask writes and reads a folder of Parquet parts (``to_parquet``/``read_parquet``) with the
threaded scheduler (on a ``LocalCluster`` of worker processes: tests/ecosystem/test_dask.py)."""

from __future__ import annotations

import pytest

dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

import dask  # noqa: E402
from pandas.testing import assert_frame_equal  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture
def frame():
    return pd.DataFrame(
        {"i": range(40), "tag": [f"t{i % 3}" for i in range(40)], "x": [i / 4 for i in range(40)]}
    )


def round_trip(fs, frame, storage_options, path):
    """Write ``frame`` as a folder of Parquet parts at ``path``, check it, read it back."""
    ddf = dd.from_pandas(frame, npartitions=4)
    ddf.to_parquet(path, storage_options=storage_options)
    parts = fs.find(path, refresh=True)
    assert len(parts) >= 4 and all(p.endswith(".parquet") for p in parts)
    assert fs.isdir(path) and fs.info(path)["type"] == "directory"
    back = dd.read_parquet(path, storage_options=storage_options).compute()
    back = back.sort_values("i").reset_index(drop=True)
    assert_frame_equal(back, frame, check_dtype=False, check_index_type=False)


def test_to_parquet_read_parquet_of_a_folder_with_threads(fs, frame, storage_options):
    with dask.config.set(scheduler="threads"):
        round_trip(fs, frame, storage_options, "openai://user_data/tables/threads")


def test_read_parquet_of_a_hive_partitioned_folder(fs, frame, storage_options):
    frame.to_parquet(
        "openai://user_data/hive", partition_cols=["tag"], storage_options=storage_options
    )
    assert fs.ls("openai://user_data/hive", detail=False, refresh=True) == [
        f"user_data/hive/tag=t{i}" for i in range(3)
    ]
    with dask.config.set(scheduler="threads"):
        back = dd.read_parquet("openai://user_data/hive", storage_options=storage_options)
        back = back.compute().sort_values("i").reset_index(drop=True)
    assert back["i"].tolist() == frame["i"].tolist()
    assert back["tag"].astype(str).tolist() == frame["tag"].tolist()
