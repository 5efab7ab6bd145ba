"""Shared pytest configuration.

The local server fixtures come from :mod:`openaifs.testing` (``openaifs_server``: a real
server over HTTP on 127.0.0.1, reset before each test). ``fs`` is a real
``OpenAIFileSystem`` pointed at it, with small parts and short backoffs so that multipart
and retry paths run on small data in little time. Import helpers from ``fs_support``
(``PART``, ``make_fs``), not from this file.
"""

from __future__ import annotations

import pytest
from fs_support import PART, make_fs

from openaifs import OpenAIFileSystem

pytest_plugins = ["openaifs.testing"]

__all__ = ["PART", "make_fs"]


@pytest.fixture(autouse=True)
def upload_journals(tmp_path_factory, monkeypatch) -> str:
    """Resume journals go to a fresh folder per test, never to the user's own cache."""
    cache = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return str(cache / "openaifs" / "uploads")


@pytest.fixture
def cli_run(openaifs_server, monkeypatch, capsys):
    """``openaifs ARGS...`` in this process against the per-test server: returns
    (exit code, stdout, stderr)."""
    from openaifs import cli

    monkeypatch.setenv("OPENAI_API_KEY", openaifs_server.api_key)

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main([*argv, "--base-url", openaifs_server.base_url])
        return (code, *capsys.readouterr())

    return run


@pytest.fixture
def fs(openaifs_server) -> OpenAIFileSystem:
    """An OpenAIFileSystem on the per-test local server."""
    return make_fs(openaifs_server)


@pytest.fixture
def server(openaifs_server):
    """The per-test local server (reset, controls enabled)."""
    return openaifs_server
