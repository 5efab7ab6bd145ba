"""dask on a real ``distributed`` cluster: two worker processes reach the local server over
HTTP, with the filesystem pickled into the graph (credentials in ``storage_options``) or
built from the workers' own environment (no key in the graph)."""

from __future__ import annotations

import json
import os
import pickle

import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")

import cloudpickle  # noqa: E402
import dask.bag as db  # noqa: E402
from pandas.testing import assert_frame_equal  # noqa: E402

from openaifs import OpenAIFileSystem  # noqa: E402

pytestmark = pytest.mark.slow

ENV_NAMES = ("OPENAI_API_KEY", "OPENAI_BASE_URL")


@pytest.fixture(scope="module")
def client():
    """Two single-threaded worker processes (the filesystem crosses process boundaries)."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def _set_env(values: dict[str, str | None]) -> None:
    """Run on a worker: set (or, for None, remove) environment variables."""
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    # A worker keeps filesystems in fsspec's instance cache: start afresh.
    OpenAIFileSystem.clear_instance_cache()


@pytest.fixture
def worker_env(client):
    """Set the workers' environment for one test; restore it (unset) afterwards."""

    def set_env(**values: str | None) -> None:
        client.run(_set_env, values)

    set_env(**{name: None for name in ENV_NAMES})
    yield set_env
    set_env(**{name: None for name in ENV_NAMES})


def _write_requests(fs, count: int = 3, rows: int = 4) -> pd.DataFrame:
    frames = []
    for part in range(count):
        frame = pd.DataFrame(
            {
                "custom_id": [f"p{part}-r{i}" for i in range(rows)],
                "part": part,
                "value": [part * 100 + i for i in range(rows)],
            }
        )
        fs.pipe(
            f"openai://batch/in-{part}.jsonl",
            frame.to_json(orient="records", lines=True).encode(),
        )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _worker_pids(client) -> set[int]:
    return set(client.run(os.getpid).values())


def test_read_json_glob_on_the_cluster(client, fs, storage_options, worker_env):
    expected = _write_requests(fs)
    ddf = dd.read_json("openai://batch/*.jsonl", lines=True, storage_options=storage_options)
    assert ddf.npartitions == 3
    # The workers, not this process, read the files.
    pids = client.submit(os.getpid, pure=False).result()
    assert pids in _worker_pids(client) and pids != os.getpid()
    result = ddf.compute().sort_values("custom_id").reset_index(drop=True)
    assert_frame_equal(
        result, expected.sort_values("custom_id").reset_index(drop=True), check_dtype=False
    )


def test_to_json_into_fine_tune_then_read_back(client, fs, storage_options, worker_env):
    frame = pd.DataFrame({"prompt": [f"q{i}" for i in range(12)], "i": range(12)})
    ddf = dd.from_pandas(frame, npartitions=3)
    ddf.to_json("openai://fine-tune/part-*.jsonl", storage_options=storage_options)
    names = fs.ls("openai://fine-tune", detail=False, refresh=True)
    assert names == [f"fine-tune/part-{i}.jsonl" for i in range(3)]
    first = json.loads(fs.cat("openai://fine-tune/part-0.jsonl").splitlines()[0])
    assert first == {"prompt": "q0", "i": 0}
    # Each worker wrote one part; its filesystem's cached listing lacks the others' parts,
    # so a read of all of them right away goes without the listings cache.
    fresh = dict(storage_options, use_listings_cache=False)
    back = dd.read_json("openai://fine-tune/part-*.jsonl", lines=True, storage_options=fresh)
    result = back.compute().sort_values("i").reset_index(drop=True)
    assert result["prompt"].tolist() == frame["prompt"].tolist()


def test_bag_read_text_and_to_textfiles(client, fs, storage_options, worker_env):
    fs.pipe("openai://user_data/a.txt", b"one\ntwo\n")
    fs.pipe("openai://user_data/b.txt", b"three\n")
    bag = db.read_text("openai://user_data/*.txt", storage_options=storage_options)
    assert sorted(bag.map(str.strip).compute()) == ["one", "three", "two"]
    upper = bag.map(str.upper)
    upper.to_textfiles("openai://evals/upper-*.txt", storage_options=storage_options)
    fs.invalidate_cache()
    written = fs.glob("openai://evals/upper-*.txt")
    assert written == ["evals/upper-0.txt", "evals/upper-1.txt"]
    assert b"".join(fs.cat(written).values()).split() == [b"ONE", b"TWO", b"THREE"]


def test_credentials_from_the_workers_environment(client, fs, server, worker_env, monkeypatch):
    expected = _write_requests(fs, count=2)
    # This process finds the files through its own environment...
    monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    OpenAIFileSystem.clear_instance_cache()
    # (meta given: otherwise dask reads a first chunk at once, on the workers.)
    meta = expected.iloc[:0]
    ddf = dd.read_json("openai://batch/*.jsonl", lines=True, meta=meta)
    # ...and the key is nowhere in the graph that goes to the workers.
    graph = cloudpickle.dumps(dict(ddf.__dask_graph__()))
    assert b"OpenAIFileSystem" in graph
    assert server.api_key.encode() not in graph
    assert server.api_key.encode() not in pickle.dumps(OpenAIFileSystem())

    # Workers without a key of their own cannot read: the graph carries none.
    # (Other options than ddf's, so that no worker keeps this filesystem for ddf.)
    one = dd.read_json(
        "openai://batch/in-0.jsonl", lines=True, meta=meta, storage_options={"max_retries": 0}
    )
    with pytest.raises(PermissionError, match="no API key"):
        one.compute()

    # Given the key in their environment, the same graph runs.
    worker_env(OPENAI_API_KEY=server.api_key, OPENAI_BASE_URL=server.base_url)
    result = ddf.compute().sort_values("custom_id").reset_index(drop=True)
    assert_frame_equal(
        result, expected.sort_values("custom_id").reset_index(drop=True), check_dtype=False
    )


def test_write_from_workers_with_environment_credentials(
    client, fs, server, worker_env, monkeypatch
):
    monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    OpenAIFileSystem.clear_instance_cache()
    worker_env(OPENAI_API_KEY=server.api_key, OPENAI_BASE_URL=server.base_url)
    ddf = dd.from_pandas(pd.DataFrame({"x": range(6)}), npartitions=2)
    ddf.to_json("openai://batch/out-*.jsonl")
    assert fs.glob("openai://batch/out-*.jsonl") == ["batch/out-0.jsonl", "batch/out-1.jsonl"]
    back = dd.read_json("openai://batch/out-*.jsonl", storage_options={"use_listings_cache": False})
    assert sorted(back.compute()["x"]) == list(range(6))


def test_to_parquet_read_parquet_of_a_folder_on_the_cluster(
    client, fs, storage_options, worker_env
):
    # The workers write the parts of one folder and read them back (issue 14).
    from test_folders_dask import round_trip

    frame = pd.DataFrame({"i": range(40), "tag": [f"t{i % 3}" for i in range(40)]})
    round_trip(fs, frame, storage_options, "openai://user_data/tables/cluster")
