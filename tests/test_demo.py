"""``openaifs demo``: the README's first command runs, and says true things."""

from __future__ import annotations

import os
import re

import pytest

from openaifs import cli

pytest.importorskip("aiohttp")


def test_demo_runs_and_reports_what_it_checked(capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-users-own-key")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    # Each check the tour makes is printed from what it measured, so each must say so.
    assert "the server counted 1 upload created, 4 parts, 1 completed" in out
    assert "same bytes as the local file: True" in out
    assert "same md5 as the original: True" in out
    # `openaifs ls -l` listed it: size, date, id, purpose, name
    assert re.search(r"^298  \S+ \S+  file-\S+  fine-tune  fine-tune/train\.jsonl$", out, re.M)
    versions = out.split("$ openaifs versions openai://fine-tune/train.jsonl\n")[1]
    sizes = [line.split()[0] for line in versions.splitlines()[:2]]
    assert sizes == ["17", "298"]  # newest first
    tail = out.split(">>> fs.exists('openai://fine-tune/train.jsonl')\n")[1]
    assert tail.startswith("False\n")
    assert "16.8 MB\topenai://user_data" in tail
    assert "done in" in out
    # The user's own environment is back as it was.
    assert os.environ["OPENAI_API_KEY"] == "sk-users-own-key"
    assert "OPENAI_BASE_URL" not in os.environ
