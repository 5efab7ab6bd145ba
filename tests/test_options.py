"""Storage options are checked: an unknown one is a ``TypeError`` that names the fix.

Every way a user hands options to openaifs is tried: the constructor, ``fsspec.filesystem``,
``fsspec.open``, pandas' ``storage_options=`` and universal-pathlib. The options fsspec and
pandas themselves pass through keep working.
"""

from __future__ import annotations

import fsspec
import pandas as pd
import pytest

from openaifs import OpenAIFileSystem
from openaifs.options import OTHER_NAMES, PASSED_THROUGH, check_options, known_options

PATH = "openai://user_data/options.csv"


@pytest.fixture
def options(server) -> dict:
    """The options that point at the test server (no instance cache between tests)."""
    return {"api_key": server.api_key, "base_url": server.base_url, "skip_instance_cache": True}


@pytest.fixture
def stored(fs):
    fs.pipe(PATH, b"a,b\n1,2\n")
    return fs


def test_endpoint_url_names_base_url(options):
    with pytest.raises(TypeError, match=r"'endpoint_url'.*openaifs calls it base_url"):
        OpenAIFileSystem(**options, endpoint_url="http://proxy.example/v1")


def test_token_names_api_key(options):
    with pytest.raises(TypeError, match=r"'token'.*openaifs calls it api_key"):
        OpenAIFileSystem(**options, token="sk-x")


def test_client_kwargs_names_the_options_themselves(options):
    with pytest.raises(TypeError, match=r"'client_kwargs'.*base_url=, api_key="):
        OpenAIFileSystem(**options, client_kwargs={"endpoint_url": "http://proxy.example"})


def test_typo_api_keys_says_did_you_mean(options):
    with pytest.raises(TypeError, match=r"'api_keys'.*did you mean 'api_key'\?"):
        OpenAIFileSystem(**options, api_keys="sk-x")


def test_unknown_option_without_near_miss_points_at_the_docs(options):
    with pytest.raises(TypeError, match=r"'frobnicate'.*docs/configuration.md") as caught:
        OpenAIFileSystem(**options, frobnicate=1)
    assert "did you mean" not in str(caught.value)


def test_unknown_option_message_never_shows_the_key(options):
    with pytest.raises(TypeError) as caught:
        OpenAIFileSystem(**options, token="sk-secret-value")
    assert "sk-secret-value" not in str(caught.value)
    assert options["api_key"] not in str(caught.value)


def test_every_other_backend_name_is_refused_with_its_pointer(options):
    for name, ours in OTHER_NAMES.items():
        with pytest.raises(TypeError, match="openaifs calls it") as caught:
            OpenAIFileSystem(**options, **{name: "x"})
        assert ours in str(caught.value), name


def test_other_backend_names_never_shadow_real_options():
    known = set(known_options(OpenAIFileSystem))
    assert not set(OTHER_NAMES) & known
    assert not PASSED_THROUGH & known


def test_check_options_accepts_the_constructor_keywords():
    check_options(OpenAIFileSystem, {"part_size": 1, "overwrite": "keep"})


def test_through_fsspec_filesystem(options):
    with pytest.raises(TypeError, match="endpoint_url"):
        fsspec.filesystem("openai", **options, endpoint_url="http://proxy.example/v1")


def test_through_fsspec_open(options, stored):
    with (
        pytest.raises(TypeError, match="did you mean 'api_key'"),
        fsspec.open(PATH, "rb", **options, api_keys="sk-x") as f,
    ):
        f.read()


def test_through_fsspec_open_files_before_any_request(options, server):
    server.clear_stats()
    with pytest.raises(TypeError, match="token"):
        fsspec.open_files("openai://user_data/*.csv", **options, token="sk-x")
    assert not server.stats()["requests"]


def test_through_pandas_storage_options_reading(options, stored):
    with pytest.raises(TypeError, match="endpoint_url"):
        pd.read_csv(PATH, storage_options={**options, "endpoint_url": "http://proxy.example"})


def test_through_pandas_storage_options_writing(options, stored):
    frame = pd.DataFrame({"a": [3]})
    with pytest.raises(TypeError, match="client_kwargs"):
        frame.to_csv(PATH, storage_options={**options, "client_kwargs": {}})
    assert stored.cat(PATH) == b"a,b\n1,2\n"  # nothing was written


def test_through_upath(options, stored):
    upath = pytest.importorskip("upath")
    with pytest.raises(TypeError, match="did you mean 'api_key'"):
        upath.UPath(PATH, **options, api_keys="sk-x").read_bytes()


def test_pandas_round_trip_with_good_options(options, stored):
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    frame.to_csv(PATH, index=False, storage_options=options)
    assert pd.read_csv(PATH, storage_options=options).equals(frame)


def test_upath_with_good_options(options, stored):
    upath = pytest.importorskip("upath")
    assert upath.UPath(PATH, **options).read_bytes() == b"a,b\n1,2\n"


@pytest.mark.parametrize(
    "passed",
    [
        {"skip_instance_cache": True},
        {"anon": False},
        {"use_listings_cache": False},
        {"listings_expiry_time": 5},
        {"listings_expiry_time": None},
        {"max_paths": 10},
    ],
    ids=lambda o: next(iter(o)),
)
def test_options_fsspec_and_pandas_pass_keep_working(options, stored, passed):
    merged = {**options, **passed}
    fs = fsspec.filesystem("openai", **merged)
    assert fs.cat(PATH) == b"a,b\n1,2\n"
    with fsspec.open(PATH, "rb", **merged) as f:
        assert f.read() == b"a,b\n1,2\n"
    assert len(pd.read_csv(PATH, storage_options=merged)) == 1


def test_use_listings_cache_false_lists_afresh(options, stored, server):
    fs = OpenAIFileSystem(**options, use_listings_cache=False)
    fs.ls("openai://user_data")
    server.clear_stats()
    fs.ls("openai://user_data")
    assert server.stats()["requests"].get("files.list", 0) >= 1


def test_checked_options_survive_pickling(options):
    import pickle

    fs = OpenAIFileSystem(**options, part_size=5 * 2**20)
    assert pickle.loads(pickle.dumps(fs)).upload_settings.part_size == 5 * 2**20


def test_through_dask_storage_options(options, stored):
    dd = pytest.importorskip("dask.dataframe")
    with pytest.raises(TypeError, match="endpoint_url"):
        dd.read_csv(PATH, storage_options={**options, "endpoint_url": "http://proxy.example"})
    frame = dd.read_csv(PATH, storage_options=options).compute()
    assert frame.to_dict("list") == {"a": [1], "b": [2]}
