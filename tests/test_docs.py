"""The documentation builds without warnings, and every example in it runs.

Every fenced block marked ```python in README.md and docs/*.md is executed, in order, one
namespace per page, against the local server (through OPENAI_BASE_URL/OPENAI_API_KEY, as a
user would). Blocks marked ```py are illustrations that are not run (they need a real
service or a cluster).
"""

from __future__ import annotations

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
