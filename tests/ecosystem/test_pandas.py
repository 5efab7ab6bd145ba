"""pandas reads and writes ``openai://`` URLs through fsspec, on the local server over HTTP."""

from __future__ import annotations

import json

import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

from pandas.testing import assert_frame_equal  # noqa: E402

from openaifs import OpenAIFileSystem  # noqa: E402
from openaifs.testing import LocalServer  # noqa: E402


@pytest.fixture
def frame():
    return pd.DataFrame(
        {
            "id": [1, 2, 3],
            "text": ["alpha", "beta", "gamma, with a comma"],
            "score": [0.5, 1.25, -3.0],
        }
    )


def test_to_json_read_json_lines(frame, storage_options, fs):
    url = "openai://batch/frame.jsonl"
    frame.to_json(url, orient="records", lines=True, storage_options=storage_options)
    info = fs.info(url)
    assert info["purpose"] == "batch" and info["filename"] == "frame.jsonl"
    first = json.loads(fs.cat(url).splitlines()[0])
    assert first == {"id": 1, "text": "alpha", "score": 0.5}
    back = pd.read_json(url, lines=True, storage_options=storage_options)
    assert_frame_equal(back, frame)


def test_read_json_by_file_id(frame, storage_options, fs):
    frame.to_json(
        "openai://fine-tune/f.jsonl", orient="records", lines=True, storage_options=storage_options
    )
    file_id = fs.info("openai://fine-tune/f.jsonl")["id"]
    back = pd.read_json(f"openai://{file_id}", lines=True, storage_options=storage_options)
    assert_frame_equal(back, frame)


def test_to_csv_read_csv(frame, storage_options):
    url = "openai://user_data/frame.csv"
    frame.to_csv(url, index=False, storage_options=storage_options)
    back = pd.read_csv(url, storage_options=storage_options)
    assert_frame_equal(back, frame)


def test_to_parquet_read_parquet(frame, storage_options, fs):
    url = "openai://user_data/frame.parquet"
    frame.to_parquet(url, storage_options=storage_options)
    assert fs.cat(url)[:4] == b"PAR1"
    back = pd.read_parquet(url, storage_options=storage_options)
    assert_frame_equal(back, frame)
    columns = pd.read_parquet(url, columns=["text"], storage_options=storage_options)
    assert list(columns.columns) == ["text"]


def test_large_csv_goes_through_the_uploads_api(storage_options, server):
    frame = pd.DataFrame({"n": range(40_000), "s": [f"row {i}" for i in range(40_000)]})
    url = "openai://user_data/large.csv"
    options = dict(storage_options, part_size=64 * 1024)
    server.clear_stats()
    frame.to_csv(url, index=False, storage_options=options)
    requests = server.stats()["requests"]
    assert sum(n for op, n in requests.items() if "part" in op) > 1, requests
    assert_frame_equal(pd.read_csv(url, storage_options=options), frame)


def test_rewriting_a_name_replaces_it(frame, storage_options, fs):
    url = "openai://user_data/again.csv"
    frame.to_csv(url, index=False, storage_options=storage_options)
    frame.head(1).to_csv(url, index=False, storage_options=storage_options)
    assert len(fs.ls(url, versions=True, refresh=True)) == 1
    assert_frame_equal(pd.read_csv(url, storage_options=storage_options), frame.head(1))


def test_batch_input_must_be_jsonl(frame, storage_options):
    with pytest.raises(ValueError, match="jsonl"):
        frame.to_csv("openai://batch/input.csv", storage_options=storage_options)


def test_writing_to_an_output_purpose_is_refused(frame, storage_options):
    with pytest.raises(PermissionError, match="read-only"):
        frame.to_json(
            "openai://batch_output/x.jsonl",
            orient="records",
            lines=True,
            storage_options=storage_options,
        )


def test_missing_file_is_file_not_found(storage_options):
    with pytest.raises(FileNotFoundError, match=r"openai://user_data/nope\.csv"):
        pd.read_csv("openai://user_data/nope.csv", storage_options=storage_options)


# -- credentials: pandas retries a PermissionError with anon=True -------------------------------


@pytest.fixture(scope="module")
def keyed_server():
    """A server that accepts one key only, so any other key is a 401."""
    with LocalServer(api_keys=["sk-the-only-good-key"]) as server:
        yield server


def test_fs_accepts_and_ignores_anon(keyed_server):
    # pandas passes anon=True when it retries: it must not be a TypeError, and it must not
    # drop the key (the service has no anonymous access).
    fs = OpenAIFileSystem(
        api_key=keyed_server.api_key,
        base_url=keyed_server.base_url,
        anon=True,
        skip_instance_cache=True,
    )
    fs.pipe("openai://user_data/anon.txt", b"x")
    assert fs.cat("openai://user_data/anon.txt") == b"x"


@pytest.mark.parametrize("method", ["read_csv", "read_json", "read_parquet"])
def test_bad_key_is_permission_error_naming_401(keyed_server, method):
    good = {"api_key": keyed_server.api_key, "base_url": keyed_server.base_url}
    pd.DataFrame({"a": [1]}).to_csv("openai://user_data/secret.csv", storage_options=good)
    bad = {"api_key": "sk-wrong-key-0123456789", "base_url": keyed_server.base_url}
    with pytest.raises(PermissionError, match="401") as caught:
        getattr(pd, method)("openai://user_data/secret.csv", storage_options=bad)
    assert "anon" not in str(caught.value)
    assert bad["api_key"] not in str(caught.value)
    # Whatever pandas retried before giving up was also a 401, not a complaint about anon.
    context = caught.value.__context__
    assert context is None or (isinstance(context, PermissionError) and "401" in str(context))


def test_bad_key_on_write_is_permission_error(keyed_server, frame):
    bad = {"api_key": "sk-wrong-key-0123456789", "base_url": keyed_server.base_url}
    with pytest.raises(PermissionError, match="401"):
        frame.to_csv("openai://user_data/out.csv", storage_options=bad)


def test_no_key_at_all_says_how_to_pass_one(keyed_server, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(PermissionError, match="api_key"):
        pd.read_csv(
            "openai://user_data/secret.csv", storage_options={"base_url": keyed_server.base_url}
        )


# -- recipes (docs/recipes.md) ------------------------------------------------------------------


def test_recipe_fine_tune_file_from_a_dataframe(storage_options, fs):
    examples = pd.DataFrame(
        {
            "messages": [
                [
                    {"role": "user", "content": f"What is {i} + {i}?"},
                    {"role": "assistant", "content": str(2 * i)},
                ]
                for i in range(20)
            ]
        }
    )
    url = "openai://fine-tune/train.jsonl"
    examples.to_json(url, orient="records", lines=True, storage_options=storage_options)
    lines = fs.cat(url).decode().splitlines()
    assert len(lines) == 20
    assert json.loads(lines[3])["messages"][1] == {"role": "assistant", "content": "6"}
    assert fs.info(url)["purpose"] == "fine-tune"
    back = pd.read_json(url, lines=True, storage_options=storage_options)
    assert back["messages"].tolist() == examples["messages"].tolist()


def test_recipe_batch_round_trip(openaifs_server):
    server = openaifs_server
    options = {"api_key": server.api_key, "base_url": server.base_url}
    requests = pd.DataFrame(
        {
            "custom_id": [f"req-{i}" for i in range(5)],
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": [
                {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"#{i}"}]}
                for i in range(5)
            ],
        }
    )
    requests.to_json(
        "openai://batch/requests.jsonl", orient="records", lines=True, storage_options=options
    )
    fs = OpenAIFileSystem(**options, skip_instance_cache=True)
    input_id = fs.info("openai://batch/requests.jsonl")["id"]
    # What the Batch API would write: one line per request, in batch_output.
    output = "".join(
        json.dumps(
            {
                "id": f"batch_req_{i}",
                "custom_id": f"req-{i}",
                "response": {"status_code": 200, "body": {"answer": i * i}},
                "error": None,
            }
        )
        + "\n"
        for i in range(5)
    ).encode()
    output_id = server.add_service_file(
        output, purpose="batch_output", filename="batch_abc_output.jsonl"
    )["id"]
    # The service made this file after fs's last listing: the name is looked up afresh.
    assert fs.exists("openai://batch_output/batch_abc_output.jsonl")
    results = pd.read_json(
        "openai://batch_output/batch_abc_output.jsonl", lines=True, storage_options=options
    )
    assert fs.info(f"openai://{output_id}")["purpose"] == "batch_output"
    answers = results["response"].map(lambda r: r["body"]["answer"])
    joined = requests.assign(answer=answers.values).set_index("custom_id")
    assert joined.loc["req-3", "answer"] == 9
    assert results["custom_id"].tolist() == requests["custom_id"].tolist()
    assert input_id != output_id
