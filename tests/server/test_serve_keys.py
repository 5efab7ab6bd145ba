"""``openaifs serve`` takes its keys from ``OPENAIFS_SERVER_API_KEYS`` or ``--api-key-file`` (out
of the process table), with one-line errors that name the source and never show a key."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests

from openaifs.server.keys import KeySourceError, gather_keys, keys_from_file
from openaifs.testing import ServerProcess

SECRET = "sk-very-secret-key-0123456789"


class Serve(ServerProcess):
    """``openaifs serve`` (the top-level command line, as a user runs it) in a subprocess."""

    def __init__(self, *args: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.command[1:3] = ["-m", "openaifs.cli", "serve"]


def statuses(server, *keys):
    """The status of ``GET /files`` for each key."""
    return [
        requests.get(
            server.base_url + "/files", headers={"Authorization": f"Bearer {k}"}, timeout=10
        ).status_code
        for k in keys
    ]


def refused(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``openaifs serve`` that must refuse to start; return the finished process."""
    environ = {k: v for k, v in os.environ.items() if k != "OPENAIFS_SERVER_API_KEYS"}
    environ.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "openaifs.cli", "serve", "--port", "0", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert SECRET not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("openaifs serve: error: ")
    return done


def test_keys_from_the_environment_variable():
    env = {"OPENAIFS_SERVER_API_KEYS": f" {SECRET} ,sk-second,, "}
    with Serve(env=env) as server:
        assert statuses(server, SECRET, "sk-second", "sk-other") == [200, 200, 401]
        assert SECRET not in " ".join(server.command)


def test_keys_from_a_file_with_comments_and_blank_lines(tmp_path):
    key_file = tmp_path / "keys"
    key_file.write_text(f"# the team's keys\n\n  {SECRET}  \n# retired: sk-old\nsk-second\n")
    with Serve("--api-key-file", str(key_file)) as server:
        assert statuses(server, SECRET, "sk-second", "sk-old", "#") == [200, 200, 401, 401]


def test_all_sources_add_up(tmp_path):
    key_file = tmp_path / "keys"
    key_file.write_text("sk-from-file\n")
    env = {"OPENAIFS_SERVER_API_KEYS": "sk-from-env"}
    with Serve("--api-key-file", str(key_file), api_keys=["sk-from-flag"], env=env) as server:
        assert statuses(server, "sk-from-flag", "sk-from-file", "sk-from-env", "sk-x") == [
            200,
            200,
            200,
            401,
        ]


def test_empty_variable_means_any_key():
    with Serve(env={"OPENAIFS_SERVER_API_KEYS": "  "}) as server:
        assert statuses(server, "sk-anything") == [200]


def test_missing_key_file_is_a_clear_error(tmp_path):
    missing = tmp_path / "nope"
    done = refused("--api-key-file", str(missing))
    assert f"cannot read --api-key-file {missing}: No such file or directory" in done.stderr
    assert "Traceback" not in done.stderr


def test_unreadable_key_file_is_a_clear_error(tmp_path):
    done = refused("--api-key-file", str(tmp_path))  # a directory
    assert f"cannot read --api-key-file {tmp_path}: Is a directory" in done.stderr


def test_empty_key_file_is_a_clear_error(tmp_path):
    key_file = tmp_path / "keys"
    key_file.write_text("\n# only a comment\n   \n")
    done = refused("--api-key-file", str(key_file))
    assert f"--api-key-file {key_file} holds no key" in done.stderr


def test_key_file_line_with_a_space_names_the_line_not_the_key(tmp_path):
    key_file = tmp_path / "keys"
    key_file.write_text(f"sk-fine\n{SECRET} # prod\n")
    done = refused("--api-key-file", str(key_file))
    assert "line 2: one key a line" in done.stderr  # and refused() checks SECRET is not shown


def test_variable_with_only_commas_is_a_clear_error():
    done = refused(env={"OPENAIFS_SERVER_API_KEYS": ", ,"})
    assert "OPENAIFS_SERVER_API_KEYS holds no key" in done.stderr


def test_variable_key_with_whitespace_is_refused_without_showing_it():
    done = refused(env={"OPENAIFS_SERVER_API_KEYS": f"sk-a,{SECRET} sk-b"})
    assert "OPENAIFS_SERVER_API_KEYS: key 2 contains whitespace" in done.stderr


def test_non_utf8_key_file_is_a_clear_error(tmp_path):
    key_file = tmp_path / "keys"
    key_file.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(KeySourceError, match=r"cannot read --api-key-file .*UnicodeDecodeError"):
        keys_from_file(str(key_file))


def test_gather_keys_drops_duplicates_and_keeps_order(tmp_path):
    key_file = tmp_path / "keys"
    key_file.write_text("sk-b\nsk-a\n")
    environ = {"OPENAIFS_SERVER_API_KEYS": "sk-c,sk-a"}
    assert gather_keys(["sk-a"], [str(key_file)], environ) == ["sk-a", "sk-b", "sk-c"]
    assert gather_keys([], [], {}) == []


def test_server_process_ignores_the_developers_variable(monkeypatch):
    monkeypatch.setenv("OPENAIFS_SERVER_API_KEYS", "sk-from-my-shell")
    with ServerProcess() as server:
        assert statuses(server, "sk-anything") == [200]
