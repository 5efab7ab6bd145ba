"""Helpers shared by the library tests (imported as ``fs_support``: a name no other test
directory uses, unlike ``conftest``, which pytest may resolve to another directory's)."""

from __future__ import annotations

from openaifs import OpenAIFileSystem

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
