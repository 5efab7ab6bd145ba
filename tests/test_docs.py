"""The documentation builds without warnings, and every example in it runs.

Every fenced block marked ```python in README.md and docs/*.md is executed, in order, one
namespace per page, against the local server (through OPENAI_BASE_URL/OPENAI_API_KEY, as a
user would). Blocks marked ```py are illustrations that are not run (they need a real
service or a cluster).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from openaifs import OpenAIFileSystem

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text())


@pytest.mark.parametrize(
    "page", [p for p in PAGES if python_blocks(p)], ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_examples_run(page, openaifs_server, monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_BASE_URL", openaifs_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", openaifs_server.api_key)
    monkeypatch.chdir(tmp_path)
    OpenAIFileSystem.clear_instance_cache()
    namespace: dict = {"__name__": f"docs_{page.stem}"}
    try:
        for number, block in enumerate(python_blocks(page), 1):
            code = compile(block, f"{page.name} (python block {number})", "exec")
            exec(code, namespace)
    finally:
        OpenAIFileSystem.clear_instance_cache()


@pytest.mark.slow
def test_sphinx_builds_without_warnings(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(ROOT / "docs"),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "html" / "index.html").exists()


# -- samples: what the README shows a command printing is what it prints --------------------

SAMPLE = re.compile(r"<!-- sample: [^\n]*-->\n```console\n(.*?)^```", re.S | re.M)
#: What changes from run to run: file ids and creation times.
VARYING = [
    (re.compile(r"file-[A-Za-z0-9]{24}"), "file-<id>"),
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"), "<created>"),
]


def normalised(text: str) -> str:
    for pattern, placeholder in VARYING:
        text = pattern.sub(placeholder, text)
    return text


def run_transcript(sample: str, cwd: Path, env: dict[str, str]) -> str:
    """Run each ``$ openaifs ...`` line of ``sample`` in a shell; return the transcript."""
    out = []
    for line in sample.splitlines():
        if not line.startswith("$ "):
            continue
        command = line[2:]
        done = subprocess.run(
            ["bash", "-c", 'openaifs() { "$PYTHON" -m openaifs.cli "$@"; }; ' + command],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        out.append(f"$ {command}\n{done.stdout}")
    return "".join(out)


def test_readme_command_line_sample_is_what_the_commands_print(openaifs_server, tmp_path):
    readme = ROOT / "README.md"
    text = readme.read_text()
    [sample] = SAMPLE.findall(text)
    # The file the README's Python tour writes, as pandas writes it.
    (tmp_path / "train.jsonl").write_text('{"messages":[{"role":"user","content":"hi"}]}\n' * 3)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")},
        "OPENAI_BASE_URL": openaifs_server.base_url,
        "OPENAI_API_KEY": openaifs_server.api_key,
        "PYTHON": sys.executable,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    transcript = run_transcript(sample, tmp_path, env)
    if os.environ.get("OPENAIFS_WRITE_SAMPLES"):
        readme.write_text(text.replace(sample, transcript))
    assert normalised(transcript) == normalised(sample)


def test_api_page_renders_every_public_method():
    text = (ROOT / "docs" / "api.md").read_text()
    listed = re.search(
        r"autoclass:: openaifs\.OpenAIFileSystem\n\s+:members: (.*?)\n```", text, re.S
    )
    members = {name.strip() for name in listed[1].split(",")}
    ours = {
        name
        for cls in OpenAIFileSystem.__mro__
        if cls.__module__.startswith("openaifs")
        for name, value in vars(cls).items()
        if callable(value) and not isinstance(value, type) and not name.startswith("_")
    }
    assert ours - members == set()


def test_open_documents_every_option_of_its_public_signature():
    import inspect

    doc = OpenAIFileSystem.open.__doc__
    for name in inspect.signature(OpenAIFileSystem.open).parameters:
        if name not in ("self", "kwargs"):
            assert re.search(rf"^\s+(\w+, )*{name}( :|,)", doc, re.M), name
