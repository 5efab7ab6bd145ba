"""Shared pytest configuration.

The local server fixtures come from :mod:`openaifs.testing` (``openaifs_server``: a real
server over HTTP on 127.0.0.1, reset before each test). ``fs`` is a real
``OpenAIFileSystem`` pointed at it, with small parts and short backoffs so that multipart
and retry paths run on small data in little time.
"""

from __future__ import annotations

import pytest

from openaifs import OpenAIFileSystem

pytest_plugins = ["openaifs.testing"]

#: Part size used by the ``fs`` fixture: content above it goes through the Uploads API.
PART = 64 * 1024


def make_fs(server, **options) -> OpenAIFileSystem:
    """A fresh filesystem (no fsspec instance cache) for ``server``."""
    settings = dict(
        api_key=server.api_key,
        base_url=server.base_url,
        part_size=PART,
        backoff_initial=0.01,
        backoff_max=0.05,
        skip_instance_cache=True,
    )
    settings.update(options)
    return OpenAIFileSystem(**settings)


@pytest.fixture
def fs(openaifs_server) -> OpenAIFileSystem:
    """An OpenAIFileSystem on the per-test local server."""
    return make_fs(openaifs_server)


@pytest.fixture
def server(openaifs_server):
    """The per-test local server (reset, controls enabled)."""
    return openaifs_server
