"""A filesystem pickles (dask sends it to workers); a key from the environment stays out."""

from __future__ import annotations

import pickle

import pytest
from conftest import make_fs

from openaifs import OpenAIFileSystem

ENV_KEY = "sk-from-the-environment-0123456789"


@pytest.fixture
def used(fs):
    """A filesystem that has made requests (open session, cached listing, local copies)."""
    fs.pipe("user_data/a.txt", b"abc")
    assert fs.cat("user_data/a.txt") == b"abc"
    with fs.open("user_data/a.txt", "rb") as f:
        f.seek(-1, 2)
        f.read()
    return fs


def test_a_used_filesystem_round_trips(used):
    clone = pickle.loads(pickle.dumps(used))
    assert isinstance(clone, OpenAIFileSystem)
    assert clone.base_url == used.base_url
    assert clone.ls("user_data", detail=False) == ["user_data/a.txt"]
    assert clone.cat("user_data/a.txt") == b"abc"
    clone.pipe("user_data/b.txt", b"b")
    assert clone.cat("user_data/b.txt") == b"b"
    used.invalidate_cache()
    assert used.cat("user_data/b.txt") == b"b"


def test_the_clone_keeps_the_settings(server):
    fs = make_fs(server, read_timeout=7.5, max_retries=4, listings_expiry_time=12, overwrite="keep")
    clone = pickle.loads(pickle.dumps(fs))
    assert clone.client.timeout == (10.0, 7.5)
    assert clone.client.max_retries == 4
    assert clone.metadata.listings_expiry_time == 12
    assert clone.overwrite == "keep"


def test_an_explicit_key_is_in_the_pickle(used, server):
    assert server.api_key.encode() in pickle.dumps(used)


@pytest.fixture
def no_instance_cache():
    """Unpickling makes instances through fsspec's instance cache: start and end empty."""
    OpenAIFileSystem.clear_instance_cache()
    yield
    OpenAIFileSystem.clear_instance_cache()


def env_fs(server, monkeypatch):
    """A filesystem configured by ``OPENAI_API_KEY``/``OPENAI_BASE_URL`` only.

    Parameters
    ----------
    server : openaifs.testing.ServerControls
        What ``OPENAI_BASE_URL`` points at.
    monkeypatch : pytest.MonkeyPatch
        Sets the two variables for the test.
    """
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    return OpenAIFileSystem(skip_instance_cache=True)


def test_an_env_key_is_not_in_the_pickle(server, monkeypatch, no_instance_cache):
    fs = env_fs(server, monkeypatch)
    fs.pipe("user_data/a.txt", b"abc")
    data = pickle.dumps(fs)
    assert ENV_KEY.encode() not in data
    assert ENV_KEY[-10:].encode() not in data
    # A worker with the same environment works...
    assert pickle.loads(data).cat("user_data/a.txt") == b"abc"
    # ...and one without a key says so instead of sending an empty key.
    monkeypatch.delenv("OPENAI_API_KEY")
    OpenAIFileSystem.clear_instance_cache()
    with pytest.raises(PermissionError, match="no API key"):
        pickle.loads(data).ls("user_data", refresh=True)
