"""``openai://`` is found through the ``fsspec.specs`` entry point, without importing openaifs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from filehelpers import sdk_create


def run_fresh(code, env):
    """Run ``code`` in a fresh interpreter and return what it prints as JSON.

    Parameters
    ----------
    code : str
        Python source; it must print one JSON document last.
    env : dict
        Extra environment variables (``OPENAI_*`` are removed unless given here).
    """
    base = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture
def stored(server, openaifs_sdk):
    sdk_create(openaifs_sdk, "user_data/hello.txt", b"hello from the server")
    return server


def test_storage_options_without_importing_openaifs(stored):
    out = run_fresh(
        """
        import json, sys
        import fsspec
        before = "openaifs" in sys.modules
        options = dict(api_key=API_KEY, base_url=BASE_URL)
        fs = fsspec.filesystem("openai", **options)
        with fsspec.open("openai://user_data/hello.txt", "rb", **options) as f:
            content = f.read().decode()
        print(json.dumps({
            "before": before,
            "class": type(fs).__module__ + "." + type(fs).__name__,
            "names": fs.ls("user_data", detail=False),
            "content": content,
            "known": "openai" in fsspec.available_protocols(),
        }))
        """.replace("API_KEY", repr(stored.api_key)).replace("BASE_URL", repr(stored.base_url)),
        {},
    )
    assert out == {
        "before": False,
        "class": "openaifs.core.OpenAIFileSystem",
        "names": ["user_data/hello.txt"],
        "content": "hello from the server",
        "known": True,
    }


def test_environment_variables_are_the_defaults(stored):
    out = run_fresh(
        """
        import json
        import fsspec
        fs = fsspec.filesystem("openai")
        print(json.dumps({
            "base_url": fs.base_url,
            "text": fsspec.open("openai://user_data/hello.txt", "rt").open().read(),
            "organization": fs.client.organization,
            "project": fs.client.project,
        }))
        """,
        {
            "OPENAI_API_KEY": stored.api_key,
            "OPENAI_BASE_URL": stored.base_url,
            "OPENAI_ORG_ID": "org-test",
            "OPENAI_PROJECT_ID": "proj-test",
        },
    )
    assert out == {
        "base_url": stored.base_url,
        "text": "hello from the server",
        "organization": "org-test",
        "project": "proj-test",
    }


def test_without_a_key_reading_is_refused(stored):
    out = run_fresh(
        """
        import json
        import fsspec
        try:
            fsspec.open("openai://user_data/hello.txt", "rb").open().read()
        except PermissionError as exc:
            print(json.dumps({"error": str(exc)}))
        """,
        {"OPENAI_BASE_URL": stored.base_url},
    )
    assert out["error"].startswith("no API key")
