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


DEMO_SAMPLE = re.compile(
    r"## `openaifs demo`, as it prints\n\n```console\n\$ openaifs demo\n(.*?)^```", re.S | re.M
)
#: What changes from run to run besides ids and dates: the port, timestamps, timings.
DEMO_VARYING = [
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"created_at: \d+"), "created_at: <ts>"),
    (re.compile(r"(sent|done) in \d+\.\d+ s"), r"\1 in <s> s"),
]


def test_the_demo_sample_in_docs_cli_is_what_it_prints(capsys, monkeypatch):
    from test_docs import ROOT, normalised

    monkeypatch.setenv("OPENAI_API_KEY", "sk-users-own-key")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    page = ROOT / "docs" / "cli.md"
    text = page.read_text()
    [sample] = DEMO_SAMPLE.findall(text)
    if os.environ.get("OPENAIFS_WRITE_SAMPLES"):
        page.write_text(text.replace(sample, out))

    def varying(s: str) -> str:
        for pattern, placeholder in DEMO_VARYING:
            s = pattern.sub(placeholder, s)
        return normalised(s)

    assert varying(out) == varying(sample)
