"""The command line over folders: ``ls``, ``du``, ``rm -r``, ``cp -r``/``put -r``/``get -r``."""

from __future__ import annotations

import json
import os

import pytest
from conftest import make_fs


@pytest.fixture
def run(cli_run):
    """The command line in this process against the per-test server (tests/conftest.py)."""
    return cli_run


@pytest.fixture
def tree(openaifs_server):
    fs = make_fs(openaifs_server)
    fs.pipe("openai://user_data/top.txt", b"t")
    fs.pipe("openai://user_data/runs/a/in.jsonl", b"{}\n")
    fs.pipe("openai://user_data/runs/b/out.jsonl", b"[1]\n")
    fs.pipe("openai://user_data/runs/b/out.jsonl", b"[22]\n", overwrite="keep")
    return lambda: make_fs(openaifs_server)


def test_ls_of_a_purpose_and_a_folder(run, tree):
    assert run("ls", "openai://user_data") == (0, "user_data/runs/\nuser_data/top.txt\n", "")
    code, out, _ = run("ls", "openai://user_data/runs/")
    assert (code, out) == (0, "user_data/runs/a/\nuser_data/runs/b/\n")
    code, out, _ = run("ls", "-l", "openai://user_data/runs/b")
    assert code == 0 and out.rstrip().endswith("user_data/runs/b/out.jsonl")
    code, out, _ = run("ls", "openai://user_data/runs/*/*.jsonl")
    assert out.split() == ["user_data/runs/a/in.jsonl", "user_data/runs/b/out.jsonl"]


def test_du_of_a_purpose_and_a_folder_counts_every_version(run, tree):
    code, out, _ = run("du", "--json", "openai://user_data")
    report = json.loads(out)
    assert report["size"] == 1 + 3 + 4 + 5 and report["files"] == 4
    rows = {e["name"]: (e["size"], e["files"]) for e in report["entries"]}
    assert rows == {"openai://user_data/runs/": (12, 3), "openai://user_data/top.txt": (1, 1)}
    code, out, _ = run("du", "--json", "openai://user_data/runs/b")
    assert code == 0
    assert json.loads(out)["entries"] == [
        {"name": "openai://user_data/runs/b/out.jsonl", "size": 9, "files": 2}
    ]


def test_rm_of_a_folder_needs_r(run, tree):
    code, _, err = run("rm", "openai://user_data/runs")
    assert code == 1 and "use -r" in err
    assert run("rm", "-r", "openai://user_data/runs/b") == (0, "", "")
    assert tree().find("openai://user_data") == ["user_data/runs/a/in.jsonl", "user_data/top.txt"]


def test_put_get_cp_of_folders(run, tree, tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "x.txt").write_bytes(b"x")
    (src / "y.txt").write_bytes(b"y")
    assert run("put", "-r", "-q", str(src), "openai://evals")[0] == 0
    assert tree().find("openai://evals") == ["evals/src/sub/x.txt", "evals/src/y.txt"]
    code, _, err = run("get", "openai://evals/src", str(tmp_path / "no"))
    assert code == 1 and "-r" in err
    assert run("get", "-r", "-q", "openai://evals/src", str(tmp_path / "back"))[0] == 0
    assert (tmp_path / "back" / "sub" / "x.txt").read_bytes() == b"x"
    assert run("cp", "-r", "-q", "openai://user_data/runs/", "openai://evals/copied")[0] == 0
    assert tree().find("openai://evals/copied") == [
        "evals/copied/a/in.jsonl",
        "evals/copied/b/out.jsonl",
    ]


def test_get_r_skips_an_unsafe_name_and_says_so(run, openaifs_server, tmp_path):
    bad = openaifs_server.add_service_file(b"!", purpose="user_data", filename="../../x.txt")
    make_fs(openaifs_server).pipe("openai://user_data/ok.txt", b"ok")
    out = tmp_path / "a" / "b"
    code, _, err = run("get", "-r", "-q", "openai://user_data", str(out))
    assert code == 0 and bad["id"] in err and "'../../x.txt'" in err
    assert os.listdir(out) == ["ok.txt"]
    assert sorted(os.listdir(tmp_path)) == ["a"] and os.listdir(tmp_path / "a") == ["b"]
