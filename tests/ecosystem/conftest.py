"""Shared set-up of the ecosystem tests (the server fixtures come from tests/conftest.py)."""

from __future__ import annotations

import pytest

from openaifs import OpenAIFileSystem


@pytest.fixture(autouse=True)
def _fresh_instances():
    """Libraries build filesystems through fsspec's instance cache (same options, same
    instance). The server is emptied before every test, so an instance (and its listing
    cache) must not outlive the test that made it."""
    OpenAIFileSystem.clear_instance_cache()
    yield
    OpenAIFileSystem.clear_instance_cache()


@pytest.fixture
def storage_options(server) -> dict[str, str]:
    """What pandas, dask and UPath take to reach the local server."""
    return {"api_key": server.api_key, "base_url": server.base_url}
