"""dask writes and reads a folder of Parquet parts (``to_parquet``/``read_parquet``), with
the threaded scheduler and on a ``LocalCluster`` of worker processes."""

from __future__ import annotations

import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
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


def _round_trip(fs, frame, storage_options, path):
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
        _round_trip(fs, frame, storage_options, "openai://user_data/tables/threads")


def test_to_parquet_read_parquet_of_a_folder_on_a_process_cluster(fs, frame, storage_options):
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster),
    ):
        _round_trip(fs, frame, storage_options, "openai://user_data/tables/cluster")


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
