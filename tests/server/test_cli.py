"""``python -m openaifs.server``: the printed URL, flags, signals, the parser hooks."""

from __future__ import annotations

import argparse
import re
import signal

import pytest
import requests

from openaifs.server.cli import build_parser
from openaifs.testing import ServerProcess


def test_port_zero_prints_the_bound_url_and_stops_on_sigterm():
    server = ServerProcess("--max-file-size", "10", "--latency-ms", "5", "--honour-range")
    with server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
        assert not server.url.endswith(":0")
        config = server.configure()
        assert (config["max_file_size"], config["latency_ms"], config["honour_range"]) == (
            10,
            5,
            True,
        )
        answer = requests.get(server.base_url + "/files", headers={"Authorization": "Bearer k"})
        assert answer.status_code == 200
        assert "in memory" in server.stderr_text()
        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(10) == 0


def test_api_key_flag(tmp_path):
    with ServerProcess(data_dir=tmp_path, api_keys=["sk-a", "sk-b"]) as server:
        get = lambda key: requests.get(  # noqa: E731
            server.base_url + "/files", headers={"Authorization": f"Bearer {key}"}, timeout=10
        )
        assert [get(k).status_code for k in ("sk-a", "sk-b", "sk-c")] == [200, 200, 401]
        assert server.stop() == 0
    assert (tmp_path / "metadata.sqlite3").exists()


def test_build_parser_on_a_subcommand():
    parser = argparse.ArgumentParser(prog="openaifs")
    build_parser(parser.add_subparsers(dest="command").add_parser("serve"))
    args = parser.parse_args(["serve", "--api-key", "a", "--api-key", "b", "--in-memory"])
    assert args.api_keys == ["a", "b"] and args.port == 8000 and args.host == "127.0.0.1"
    assert args.data_dir is None and args.max_part_size == 67_108_864


@pytest.mark.parametrize(
    "flag, value",
    [
        ("--max-upload-size", str(2**63)),  # more than storage can record
        ("--max-file-size", "-1"),
        ("--processing-seconds", "1.5"),
        ("--latency-ms", "nan"),
        ("--latency-ms", "inf"),
        ("--per-connection-bps", "fast"),
    ],
)
def test_numeric_flags_refuse_what_a_setting_cannot_be(flag, value, capsys):
    parser = argparse.ArgumentParser(prog="openaifs serve")
    build_parser(parser)
    with pytest.raises(SystemExit) as done:
        parser.parse_args([flag, value])
    assert done.value.code == 2
    assert f"argument {flag}: must be a" in capsys.readouterr().err
