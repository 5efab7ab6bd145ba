"""The ``openaifs`` command line, run for real against the local server.

Most tests call :func:`openaifs.cli.main` in this process (the environment points it at the
``openaifs_server`` fixture, as a user's shell would); a few run ``python -m openaifs.cli``
and the ``openaifs`` console script as subprocesses, one drives the interactive ``rm``
prompt through a pseudo-terminal, and one runs ``openaifs serve`` as a server process.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import shutil
import subprocess
import sys
import threading

import pytest
from conftest import make_fs

from openaifs import OpenAIFileSystem, cli
from openaifs.upload import UploadSettings, upload_plan

MiB = 2**20
MB = 1_000_000  # the bars count in decimal units
FIELDS = {"name", "type", "size", "id", "purpose", "filename", "created_at", "status", "expires_at"}


@pytest.fixture
def env(openaifs_server, monkeypatch):
    """The environment a user would set, pointed at the per-test server."""
    monkeypatch.setenv("OPENAI_BASE_URL", openaifs_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", openaifs_server.api_key)
    for name in ("OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
    return {**os.environ}


@pytest.fixture
def run(env, capsys):
    """Run the CLI in this process; return (exit code, stdout, stderr)."""

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def store(openaifs_server) -> OpenAIFileSystem:
    """A filesystem to arrange and check the store with; fresh (no cached listing) on each call."""

    class Fresh:
        def __getattr__(self, name):
            return getattr(make_fs(openaifs_server), name)

    return Fresh()  # type: ignore[return-value]


def one_error_line(err: str, kind: str) -> str:
    """``err`` is exactly one line ``openaifs: <kind>: ...`` and no traceback."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"openaifs: {kind}: "), err
    assert "Traceback" not in err
    return lines[0]


def local_file(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


# -- usage, exit codes, global options ----------------------------------------------------


def test_help_version_and_usage_errors(run):
    code, out, _ = run("--help")
    assert code == 0 and "OPENAI_API_KEY" in out
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("openaifs ")
    assert run()[0] == 2
    code, _, err = run("frobnicate")
    assert code == 2 and "invalid choice" in err
    assert run("ls", "--no-such-flag")[0] == 2
    assert run("du", "-H", "--json", "extra", "args")[0] == 2
    code, _, err = run("serve", "--port", "not-a-number")  # the server's own options
    assert code == 2 and "openaifs serve: error" in err


def test_api_key_is_read_from_the_environment_never_a_flag(run, monkeypatch, store):
    store.pipe("openai://batch/a.jsonl", b"{}\n")
    code, _, err = run("ls", "--api-key", "sk-secret", "openai://batch")
    assert code == 2 and "unrecognized arguments" in err
    monkeypatch.delenv("OPENAI_API_KEY")
    code, _, err = run("ls", "openai://batch")
    assert code == 1
    assert "OPENAI_API_KEY" in one_error_line(err, "PermissionError")


@pytest.mark.parametrize("before", [True, False])
def test_base_url_before_or_after_the_command(run, monkeypatch, openaifs_server, store, before):
    store.pipe("openai://batch/a.jsonl", b"{}\n")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    flag = ["--base-url", openaifs_server.base_url]
    argv = [*flag, "ls", "openai://batch"] if before else ["ls", "openai://batch", *flag]
    assert run(*argv) == (0, "batch/a.jsonl\n", "")


def test_failures_are_one_line_exit_1_and_debug_shows_the_traceback(run):
    for argv in (
        ["info", "openai://batch/missing.jsonl"],
        ["cat", "openai://batch/missing.jsonl"],
        ["ls", "openai://batch/missing.jsonl"],
        ["rm", "openai://batch/missing.jsonl"],
        ["versions", "openai://batch/missing.jsonl"],
        ["info", "openai://file-doesnotexist"],
    ):
        code, out, err = run(*argv)
        assert code == 1, argv
        assert out == ""
        assert "missing.jsonl" in one_error_line(err, "FileNotFoundError") or "file-" in err
    code, _, err = run("ls", "openai://batch/a/../b.jsonl")
    assert code == 1 and "'..'" in one_error_line(err, "ValueError")
    with pytest.raises(FileNotFoundError):
        cli.main(["--debug", "info", "openai://batch/missing.jsonl"])
    with pytest.raises(FileNotFoundError):
        cli.main(["info", "openai://batch/missing.jsonl", "--debug"])


def test_interrupt_exits_130(run, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(OpenAIFileSystem, "info", interrupted)
    code, _, err = run("info", "openai://batch/a.jsonl")
    assert code == 130 and err == "openaifs: interrupted\n"


# -- ls, versions, info, cat, du ----------------------------------------------------------


def test_ls_short_long_human_and_json(run, store):
    store.pipe("openai://batch/b.jsonl", b"x" * 1536)
    store.pipe("openai://batch/a.jsonl", b"{}\n")
    store.pipe("openai://user_data/c.txt", b"c")
    code, out, _ = run("ls")
    assert code == 0
    assert out.splitlines()[:3] == ["assistants/", "batch/", "fine-tune/"]
    assert "fine-tune-results/" in out.splitlines()
    assert run("ls", "openai://batch")[1] == "batch/a.jsonl\nbatch/b.jsonl\n"

    details = {e["name"]: e for e in store.ls("openai://batch")}
    code, out, _ = run("ls", "-l", "openai://batch")
    lines = out.splitlines()
    assert len(lines) == 2
    for line, name in zip(lines, ["batch/a.jsonl", "batch/b.jsonl"], strict=True):
        e = details[name]
        when = datetime.datetime.fromtimestamp(e["created_at"], tz=datetime.timezone.utc)
        size, day, clock, file_id, purpose, shown = line.split()
        assert (size, file_id, purpose, shown) == (str(e["size"]), e["id"], "batch", name)
        assert f"{day} {clock}" == when.strftime("%Y-%m-%d %H:%M:%S")
    out = run("ls", "-lH", "openai://batch")[1]
    assert out.splitlines()[1].split()[:2] == ["1.5", "kB"]  # decimal: 1536 B

    code, out, _ = run("ls", "--json", "openai://batch")
    entries = json.loads(out)
    assert entries == store.ls("openai://batch", detail=True)
    assert all(set(e) == FIELDS for e in entries)
    assert json.loads(run("ls", "--json")[1])[1] == {
        "name": "batch",
        "type": "directory",
        "size": 0,
    }


def test_ls_of_one_file_by_name_id_and_glob(run, store):
    store.pipe("openai://user_data/a.jsonl", b"{}\n")
    store.pipe("openai://user_data/b.jsonl", b"{}\n")
    store.pipe("openai://user_data/c.txt", b"x")
    file_id = store.info("openai://user_data/a.jsonl")["id"]
    assert run("ls", "openai://user_data/a.jsonl")[1] == "user_data/a.jsonl\n"
    assert json.loads(run("ls", "--json", f"openai://{file_id}")[1])[0]["id"] == file_id
    assert run("ls", "openai://user_data/*.jsonl")[1] == "user_data/a.jsonl\nuser_data/b.jsonl\n"
    code, out, err = run("ls", "openai://user_data/*.parquet")
    assert (code, out) == (1, "") and "nothing matches" in one_error_line(err, "FileNotFoundError")


def test_versions_lists_every_file_of_a_name_newest_first(run, store):
    for body in (b"1\n", b"22\n", b"333\n"):
        store.pipe("openai://batch/v.jsonl", body, overwrite="keep")
    store.pipe("openai://batch/other.jsonl", b"o\n")
    expected = store.ls("openai://batch/v.jsonl", versions=True)
    code, out, _ = run("versions", "--json", "openai://batch/v.jsonl")
    assert code == 0
    entries = json.loads(out)
    assert entries == expected
    assert [e["size"] for e in entries] == [4, 3, 2]  # newest first
    lines = run("versions", "openai://batch/v.jsonl")[1].splitlines()
    assert [line.split()[3] for line in lines] == [e["id"] for e in expected]
    assert all(line.endswith("batch/v.jsonl") for line in lines)
    # a purpose: all its files, every version
    assert len(run("versions", "openai://batch")[1].splitlines()) == 4
    assert run("versions", "openai://")[0] == 2


def test_info_text_and_json(run, store):
    store.pipe("openai://fine-tune/t.jsonl", b'{"messages": []}\n', expires_after=3600)
    expected = store.info("openai://fine-tune/t.jsonl")
    code, out, _ = run("info", "--json", "openai://fine-tune/t.jsonl")
    assert code == 0 and json.loads(out) == expected
    assert (
        json.loads(run("info", "--json", f"openai://{expected['id']}")[1])["id"] == expected["id"]
    )
    text = dict(
        line.strip().split(": ", 1)
        for line in run("info", "openai://fine-tune/t.jsonl")[1].splitlines()
    )
    assert text["id"] == expected["id"] and text["size"] == "17"
    assert text["expires_at"].startswith(f"{expected['expires_at']} (")
    assert json.loads(run("info", "--json", "openai://batch")[1])["type"] == "directory"


def test_cat_streams_exact_bytes(env, capsysbinary, store):
    data = bytes(range(256)) * 4096 + b"\r\n\x00tail"
    store.pipe("openai://user_data/blob.bin", data)
    store.pipe("openai://user_data/two.txt", b"second")
    assert cli.main(["cat", "openai://user_data/blob.bin", "openai://user_data/two.txt"]) == 0
    out = capsysbinary.readouterr().out
    assert out == data + b"second"


def test_du_counts_every_file_and_its_shapes(run, store):
    store.pipe("openai://batch/a.jsonl", b"a" * 1000, overwrite="keep")
    store.pipe("openai://batch/a.jsonl", b"a" * 2000, overwrite="keep")
    store.pipe("openai://user_data/x.bin", b"x" * 3 * MiB)
    assert run("du")[1] == (
        "3000\topenai://batch\n3145728\topenai://user_data\n3148728\topenai://\n"
        "3148728 of the project's 2500000000000 storage limit (0.0%)\n"
    )
    assert run("du", "-s", "-H")[1] == "3.1 MB\topenai://\n"  # decimal, as the bars
    assert run("du", "-H", "openai://batch")[1] == (
        "3.0 kB\topenai://batch/a.jsonl\n3.0 kB\topenai://batch\n"
    )
    whole = json.loads(run("du", "--json", "openai://batch")[1])
    assert whole == {
        "name": "openai://batch",
        "size": 3000,
        "files": 2,
        "entries": [{"name": "openai://batch/a.jsonl", "size": 3000, "files": 2}],
        "limits": whole["limits"],  # tests/test_usage.py checks them
    }
    summary = json.loads(run("du", "-s", "--json")[1])
    assert {k: summary[k] for k in ("name", "size", "files")} == {
        "name": "openai://",
        "size": 3000 + 3 * MiB,
        "files": 3,
    }


# -- put, get, cp -------------------------------------------------------------------------


def test_put_files_and_folders(run, store, tmp_path):
    a = local_file(tmp_path, "a.jsonl", b"{}\n")
    b = local_file(tmp_path, "b.jsonl", b"[]\n")
    local_file(tmp_path, "folder/x.txt", b"x")
    local_file(tmp_path, "folder/sub/y.txt", b"yy")
    folder = str(tmp_path / "folder")

    code, out, err = run("put", a, "openai://batch")
    new_id = store.info("openai://batch/a.jsonl")["id"]
    assert (code, err) == (0, "")
    assert out == f"{a} -> openai://batch/a.jsonl  ({new_id})\n"
    assert run("put", "-q", a, "openai://batch/renamed.jsonl")[:2] == (0, "")
    code, out, _ = run("put", "--json", a, b, "openai://fine-tune/")
    assert [(r["destination"], r["size"]) for r in json.loads(out)] == [
        ("openai://fine-tune/a.jsonl", 3),
        ("openai://fine-tune/b.jsonl", 3),
    ]
    assert json.loads(out)[0]["id"] == store.info("openai://fine-tune/a.jsonl")["id"]

    code, _, err = run("put", folder, "openai://user_data")
    assert code == 1 and "-r" in one_error_line(err, "IsADirectoryError")
    # As cp -r (and fsspec): into an existing directory, the folder keeps its name...
    assert run("put", "-r", "-q", folder, "openai://user_data")[0] == 0
    assert store.cat("openai://user_data/folder/sub/y.txt") == b"yy"
    assert store.find("openai://user_data") == [
        "user_data/folder/sub/y.txt",
        "user_data/folder/x.txt",
    ]
    # ...and with a trailing "/", what it holds goes.
    assert run("put", "-r", "-q", folder + "/", "openai://vision/new")[0] == 0
    assert store.find("openai://vision") == ["vision/new/sub/y.txt", "vision/new/x.txt"]
    assert store.ls("openai://batch", detail=False) == ["batch/a.jsonl", "batch/renamed.jsonl"]


def test_put_refusals(run, store, tmp_path):
    a = local_file(tmp_path, "a.jsonl", b"{}\n")
    local_file(tmp_path, "one/same.txt", b"1")
    local_file(tmp_path, "two/same.txt", b"2")
    code, _, err = run("put", a, a, "openai://batch/one.jsonl")
    assert code == 2 and "both be copied" in one_error_line(err, "UsageError")
    one, two = str(tmp_path / "one" / "same.txt"), str(tmp_path / "two" / "same.txt")
    code, _, err = run("put", one, two, "openai://vision")
    assert code == 2 and "vision/same.txt" in one_error_line(err, "UsageError")
    assert run("put", a, str(tmp_path / "elsewhere"))[0] == 2
    assert run("put", "openai://batch/a.jsonl", "openai://vision")[0] == 2
    assert run("cp", a, str(tmp_path / "copy"))[0] == 2
    code, _, err = run("put", str(tmp_path / "nope"), "openai://batch")
    assert code == 1 and "nope" in one_error_line(err, "FileNotFoundError")
    code, _, err = run("put", a, "openai://batch_output")
    assert code == 1 and "read-only" in one_error_line(err, "PermissionError")
    assert store.ls("openai://", detail=False)  # nothing above wrote anything
    assert store.du("openai://") == 0


def test_put_overwrite_and_expiry_options(run, store, tmp_path):
    a = local_file(tmp_path, "a.jsonl", b"{}\n")
    assert run("put", "-q", a, "openai://batch")[0] == 0
    code, _, err = run("put", "--overwrite", "error", a, "openai://batch")
    assert code == 1 and "exists" in one_error_line(err, "FileExistsError")
    assert run("put", "-q", "--overwrite", "keep", a, "openai://batch")[0] == 0
    assert len(store.ls("openai://batch/a.jsonl", versions=True)) == 2
    assert run("put", "-q", a, "openai://batch")[0] == 0  # default: replace
    assert len(store.ls("openai://batch/a.jsonl", versions=True)) == 1
    assert run("put", "-q", "--expires-after", "3600", a, "openai://user_data")[0] == 0
    info = store.info("openai://user_data/a.jsonl")
    assert info["expires_at"] == info["created_at"] + 3600
    assert run("put", "--overwrite", "sometimes", a, "openai://batch")[0] == 2


def test_get_files_purposes_ids_and_globs(run, store, tmp_path):
    store.pipe("openai://user_data/a.jsonl", b"A\n")
    store.pipe("openai://user_data/b.jsonl", b"B\n")
    store.pipe("openai://user_data/c.txt", b"C")
    file_id = store.info("openai://user_data/a.jsonl")["id"]

    target = tmp_path / "single.jsonl"
    code, out, _ = run("get", "openai://user_data/a.jsonl", str(target))
    assert code == 0 and target.read_bytes() == b"A\n"
    assert out == f"openai://user_data/a.jsonl -> {target}\n"
    (tmp_path / "into").mkdir()
    assert run("get", "-q", f"openai://{file_id}", str(tmp_path / "into"))[0] == 0
    assert (tmp_path / "into" / "a.jsonl").read_bytes() == b"A\n"  # named by its filename

    code, _, err = run("get", "openai://user_data", str(tmp_path / "all"))
    assert code == 1 and "-r" in one_error_line(err, "IsADirectoryError")
    assert not (tmp_path / "all").exists()
    assert run("get", "-r", "-q", "openai://user_data", str(tmp_path / "all"))[0] == 0
    assert sorted(os.listdir(tmp_path / "all")) == ["a.jsonl", "b.jsonl", "c.txt"]
    assert (tmp_path / "all" / "c.txt").read_bytes() == b"C"

    assert run("get", "-q", "openai://user_data/*.jsonl", str(tmp_path / "globbed"))[0] == 0
    assert sorted(os.listdir(tmp_path / "globbed")) == ["a.jsonl", "b.jsonl"]

    store.pipe("openai://vision/one.png", b"1")
    assert run("get", "-r", "-q", "openai://vision", str(tmp_path / "dir1"))[0] == 0
    assert (tmp_path / "dir1" / "one.png").read_bytes() == b"1"  # a purpose makes a folder

    assert run("get", str(target), str(tmp_path / "x"))[0] == 2
    code, _, err = run("get", "openai://user_data/nope.jsonl", str(tmp_path / "x"))
    assert code == 1 and not (tmp_path / "x").exists()
    one_error_line(err, "FileNotFoundError")


def test_cp_between_openai_paths(run, store):
    data = os.urandom(200_000)
    store.pipe("openai://user_data/src.bin", data)
    code, out, _ = run("cp", "openai://user_data/src.bin", "openai://vision/copy.bin")
    new = store.info("openai://vision/copy.bin")
    assert (
        code == 0
        and out == f"openai://user_data/src.bin -> openai://vision/copy.bin  ({new['id']})\n"
    )
    assert store.cat("openai://vision/copy.bin") == data
    assert new["id"] != store.info("openai://user_data/src.bin")["id"]
    assert store.cat("openai://user_data/src.bin") == data  # the source stays

    store.pipe("openai://batch/a.jsonl", b"{}\n")
    store.pipe("openai://batch/b.jsonl", b"[]\n")
    assert run("cp", "-r", "-q", "openai://batch/", "openai://fine-tune")[0] == 0
    assert store.ls("openai://fine-tune", detail=False) == [
        "fine-tune/a.jsonl",
        "fine-tune/b.jsonl",
    ]
    assert store.cat("openai://fine-tune/b.jsonl") == b"[]\n"
    assert run("cp", "openai://batch/a.jsonl", "openai://")[0] == 2


def test_cp_of_a_large_file_between_openai_paths(run, store, openaifs_server):
    """Above the part size, the copy streams through the Uploads API."""
    data = os.urandom(33 * MiB)  # the CLI's default part size is 32 MiB
    make_fs(openaifs_server, part_size=8 * MiB).pipe("openai://user_data/big.bin", data)
    openaifs_server.clear_stats()
    assert run("cp", "-q", "openai://user_data/big.bin", "openai://vision/big.bin")[0] == 0
    # Cut as put_file cuts 33 MiB: 8 parts of about 4 MiB, one per connection (it was 32 MiB
    # and 1 MiB, the small last part on a connection of its own).
    expected = len(upload_plan(len(data), UploadSettings()))
    assert expected == 8
    assert openaifs_server.stats()["requests"].get("uploads.parts.create") == expected
    assert store.cat("openai://vision/big.bin") == data


# -- progress bars ------------------------------------------------------------------------


def test_progress_bar_counts_bytes_of_one_file(run, tmp_path):
    path = local_file(tmp_path, "one.bin", os.urandom(MB))
    code, _, err = run("put", "--progress", "-q", path, "openai://user_data")
    assert code == 0
    assert "one.bin" in err and "100%" in err and "1.00M/1.00M" in err and "B/s" in err
    code, _, err = run("get", "--progress", "-q", "openai://user_data/one.bin", str(tmp_path / "b"))
    assert code == 0 and "1.00M/1.00M" in err


def test_progress_bar_counts_bytes_of_many_files(run, tmp_path):
    for name in ("a", "b", "c"):
        local_file(tmp_path, f"up/{name}.bin", os.urandom(MB))
    code, _, err = run("put", "-r", "--progress", "-q", str(tmp_path / "up"), "openai://user_data")
    assert code == 0 and "3 files" in err and "3.00M/3.00M" in err
    code, _, err = run("get", "-r", "--progress", "-q", "openai://user_data", str(tmp_path / "dn"))
    assert code == 0 and "3 files" in err and "3.00M/3.00M" in err


def test_no_progress_bar_when_not_wanted(run, tmp_path):
    path = local_file(tmp_path, "one.bin", os.urandom(MiB))
    assert run("put", "--no-progress", "-q", path, "openai://user_data") == (0, "", "")
    assert run("put", "-q", path, "openai://user_data") == (0, "", "")  # stderr is no tty
    assert run("get", "--progress", "--no-progress", "-q", "openai://user_data/one.bin",
               str(tmp_path / "b")) == (0, "", "")  # fmt: skip


# -- rm -----------------------------------------------------------------------------------


def test_rm_names_and_ids(run, store):
    store.pipe("openai://batch/a.jsonl", b"1\n", overwrite="keep")
    store.pipe("openai://batch/a.jsonl", b"22\n", overwrite="keep")
    store.pipe("openai://batch/b.jsonl", b"b\n", overwrite="keep")
    store.pipe("openai://batch/b.jsonl", b"bb\n", overwrite="keep")
    assert run("rm", "openai://batch/a.jsonl") == (0, "", "")
    assert not store.exists("openai://batch/a.jsonl")  # every version went
    older, newer = store.ls("openai://batch/b.jsonl", versions=True)[::-1]
    assert run("rm", f"openai://{newer['id']}")[0] == 0
    assert store.info("openai://batch/b.jsonl")["id"] == older["id"]  # the older one is back


def test_rm_of_a_purpose_needs_r_and_confirmation(run, store, monkeypatch):
    store.pipe("openai://batch/a.jsonl", b"{}\n")
    store.pipe("openai://batch/b.jsonl", b"{}\n")
    store.pipe("openai://vision/keep.png", b"png")
    code, _, err = run("rm", "openai://batch")
    assert code == 1 and "-r" in one_error_line(err, "IsADirectoryError")
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))  # not a terminal: no prompt
    code, _, err = run("rm", "-r", "openai://batch")
    assert code == 2 and "--yes" in one_error_line(err, "UsageError")
    assert len(store.ls("openai://batch")) == 2
    assert run("rm", "-r", "--yes", "openai://batch") == (0, "", "")
    assert store.ls("openai://batch") == []
    assert store.exists("openai://vision/keep.png")


@pytest.mark.parametrize(("answer", "code", "left"), [("n", 1, 2), ("", 1, 2), ("y", 0, 0)])
def test_rm_asks_on_a_terminal(env, store, answer, code, left):
    pexpect = pytest.importorskip("pexpect")
    store.pipe("openai://batch/a.jsonl", b"{}\n")
    store.pipe("openai://batch/b.jsonl", b"[]\n")
    child = pexpect.spawn(
        sys.executable, ["-m", "openaifs.cli", "rm", "-r", "openai://batch"], env=env, timeout=30
    )
    child.expect(r"Delete 2 files \(6 B\) in openai://batch\? \[y/N\] ")
    child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == code
    if code:
        assert b"nothing deleted" in child.before
    assert len(store.ls("openai://batch")) == left


# -- subprocesses: python -m openaifs.cli, the console script, serve -----------------------


def test_python_m_and_console_script(env, store):
    store.pipe("openai://batch/a.jsonl", b"{}\n")
    done = subprocess.run(
        [sys.executable, "-m", "openaifs.cli", "ls", "--json", "openai://batch"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [e["name"] for e in json.loads(done.stdout)] == ["batch/a.jsonl"]

    script = shutil.which("openaifs")
    if script is None:
        pytest.skip("the openaifs console script is not installed")
    done = subprocess.run(
        [script, "info", "openai://batch/missing.jsonl"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    one_error_line(done.stderr, "FileNotFoundError")
    done = subprocess.run([script, "ls", "-Q"], env=env, capture_output=True, timeout=60)
    assert done.returncode == 2


def test_cat_into_a_closed_pipe_is_quiet(env, store):
    store.pipe("openai://user_data/big.bin", os.urandom(MiB))
    process = subprocess.Popen(
        [sys.executable, "-m", "openaifs.cli", "cat", "openai://user_data/big.bin"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert len(process.stdout.read(10)) == 10
    process.stdout.close()  # like `openaifs cat ... | head -c 10`
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == b""
    process.stderr.close()


def test_serve_prints_its_url_first_and_serves():
    pytest.importorskip("aiohttp")
    process = subprocess.Popen(
        [sys.executable, "-m", "openaifs.cli", "serve", "--port", "0", "--in-memory"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        first: list[str] = []
        reader = threading.Thread(target=lambda: first.append(process.stdout.readline()))
        reader.start()
        reader.join(30)
        assert first and first[0].startswith("http://127.0.0.1:"), first
        url = first[0].strip()
        assert url.endswith("/v1")
        fs = OpenAIFileSystem(api_key="sk-any", base_url=url, skip_instance_cache=True)
        fs.pipe("openai://batch/served.jsonl", b"{}\n")
        assert fs.cat("openai://batch/served.jsonl") == b"{}\n"
    finally:
        process.terminate()
        code = process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
    assert code == 0
