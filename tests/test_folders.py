"""Folders inside a purpose (issue 14): a ``/`` in a filename is a path separator, and a
folder exists while some file's name starts with it, as on S3."""

from __future__ import annotations

import pytest
from conftest import make_fs
from filehelpers import requests_to, sdk_create

TREE = {
    "top.txt": b"top",
    "runs/a/in.jsonl": b"{}\n",
    "runs/a/out.jsonl": b"[]\n",
    "runs/b/deep/x.csv": b"x\n1\n",
    "runs/readme.md": b"# runs",
}


@pytest.fixture
def tree(fs):
    """TREE written under ``user_data``, the listing warm."""
    for name, data in TREE.items():
        fs.pipe(f"openai://user_data/{name}", data)
    return fs


def test_a_nested_name_is_a_file_at_its_path(tree, openaifs_sdk):
    assert tree.cat("openai://user_data/runs/b/deep/x.csv") == b"x\n1\n"
    info = tree.info("openai://user_data/runs/a/in.jsonl")
    assert info["type"] == "file" and info["filename"] == "runs/a/in.jsonl"
    assert info["name"] == "user_data/runs/a/in.jsonl"
    names = {f.filename for f in openaifs_sdk.files.list()}
    assert names == set(TREE)  # the service keeps the whole name


def test_ls_shows_files_and_folders_one_level_at_a_time(tree):
    assert tree.ls("openai://user_data", detail=False) == ["user_data/runs", "user_data/top.txt"]
    assert tree.ls("openai://user_data/runs", detail=False) == [
        "user_data/runs/a",
        "user_data/runs/b",
        "user_data/runs/readme.md",
    ]
    assert tree.ls("user_data/runs/b/") == [
        {"name": "user_data/runs/b/deep", "type": "directory", "size": 0}
    ]


def test_info_isdir_exists_of_a_folder(tree):
    assert tree.info("openai://user_data/runs/a") == {
        "name": "user_data/runs/a",
        "type": "directory",
        "size": 0,
    }
    assert tree.isdir("user_data/runs/b/deep") and tree.exists("user_data/runs/b/deep")
    assert not tree.isfile("user_data/runs/a")
    assert tree.isfile("user_data/runs/a/in.jsonl") and not tree.isdir("user_data/runs/a/in.jsonl")
    # A prefix that is not a whole segment is no folder.
    assert not tree.exists("user_data/run") and not tree.isdir("user_data/runs/a/in")
    with pytest.raises(FileNotFoundError):
        tree.info("user_data/runs/c")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        tree.cat_file("user_data/runs/a")


def test_a_folder_exists_while_a_file_lies_in_it(tree):
    tree.rm("user_data/runs/b/deep/x.csv")
    assert not tree.exists("user_data/runs/b/deep") and not tree.exists("user_data/runs/b")
    assert tree.ls("user_data/runs", detail=False) == [
        "user_data/runs/a",
        "user_data/runs/readme.md",
    ]
    tree.pipe("user_data/runs/b/new.txt", b"n")
    assert tree.isdir("user_data/runs/b")


def test_mkdir_and_makedirs_create_nothing(fs, server):
    server.clear_stats()
    fs.mkdir("openai://user_data/empty")
    fs.makedirs("openai://user_data/empty/deeper", exist_ok=True)
    fs.makedirs("openai://user_data/empty/deeper")
    assert requests_to(server, "files.create") == 0 and requests_to(server, "uploads.create") == 0
    assert not fs.exists("openai://user_data/empty")
    assert fs.ls("openai://user_data") == []
    with pytest.raises(FileExistsError):
        fs.mkdir("openai://file-abc")
    with pytest.raises(ValueError, match="not a purpose"):
        fs.mkdir("openai://no_such_purpose/x")


def test_rmdir_removes_nothing_and_refuses_a_folder_with_files(tree):
    tree.rmdir("openai://user_data/never")
    with pytest.raises(OSError, match="not empty"):
        tree.rmdir("openai://user_data/runs")
    assert tree.exists("openai://user_data/runs/readme.md")


def test_find_walk_glob_du_see_folders(tree):
    assert tree.find("openai://user_data") == sorted(f"user_data/{n}" for n in TREE)
    assert tree.find("user_data/runs", maxdepth=1) == ["user_data/runs/readme.md"]
    assert tree.find("user_data/runs", maxdepth=1, withdirs=True) == [
        "user_data/runs/a",
        "user_data/runs/b",
        "user_data/runs/readme.md",
    ]
    assert "user_data/runs/b/deep" in tree.find("user_data", withdirs=True)
    assert tree.find("user_data/runs/a/in.jsonl") == ["user_data/runs/a/in.jsonl"]
    assert tree.glob("openai://user_data/runs/*/*.jsonl") == [
        "user_data/runs/a/in.jsonl",
        "user_data/runs/a/out.jsonl",
    ]
    assert tree.glob("user_data/**/*.csv") == ["user_data/runs/b/deep/x.csv"]
    assert tree.glob("user_data/runs/*") == [
        "user_data/runs/a",
        "user_data/runs/b",
        "user_data/runs/readme.md",
    ]
    walked = {root: (sorted(dirs), sorted(files)) for root, dirs, files in tree.walk("user_data")}
    assert walked["user_data"] == (["runs"], ["top.txt"])
    assert walked["user_data/runs/b"] == (["deep"], [])
    assert tree.du("user_data/runs") == sum(
        len(d) for n, d in TREE.items() if n.startswith("runs/")
    )
    assert tree.du("user_data/runs", total=False)["user_data/runs/a/in.jsonl"] == 3
    assert "user_data/runs/b/deep/x.csv" in tree.find("")


def test_rm_of_a_folder_needs_recursive(tree, server):
    server.clear_stats()
    with pytest.raises(IsADirectoryError, match="recursive=True"):
        tree.rm("openai://user_data/runs/a")
    assert requests_to(server, "files.delete") == 0
    tree.rm("openai://user_data/runs/a", recursive=True)
    assert requests_to(server, "files.delete") == 2
    assert not tree.exists("user_data/runs/a")
    assert tree.find("user_data") == [
        "user_data/runs/b/deep/x.csv",
        "user_data/runs/readme.md",
        "user_data/top.txt",
    ]
    # A purpose-wide delete still needs confirm=True, folders or not.
    with pytest.raises(PermissionError, match="confirm=True"):
        tree.rm("openai://user_data", recursive=True)


def test_rm_of_a_glob_in_folders(tree):
    tree.rm("openai://user_data/runs/*/*.jsonl")
    assert not tree.exists("user_data/runs/a")
    assert tree.exists("user_data/runs/b/deep/x.csv")


def test_copy_and_move_a_folder(tree):
    tree.copy("openai://user_data/runs/a", "openai://user_data/copy", recursive=True)
    assert tree.find("user_data/copy") == ["user_data/copy/in.jsonl", "user_data/copy/out.jsonl"]
    tree.mv("openai://user_data/runs/b", "openai://evals/moved", recursive=True)
    assert tree.cat("openai://evals/moved/deep/x.csv") == b"x\n1\n"
    assert not tree.exists("openai://user_data/runs/b")


def test_names_that_cannot_be_paths_stay_listed_by_id(fs, server):
    odd = {}
    for name in ["a//b.txt", "../up.txt", "a/./b.txt", "trailing/"]:
        odd[name] = server.add_service_file(b"odd", purpose="user_data", filename=name)["id"]
    fs.pipe("openai://user_data/a/ok.txt", b"ok")
    entries = fs.ls("openai://user_data")
    assert {e["name"] for e in entries} == {*odd.values(), "user_data/a"}
    by_id = {e["name"]: e for e in entries}
    for name, file_id in odd.items():
        assert by_id[file_id]["filename"] == name
        assert fs.cat(file_id) == b"odd"
    # They are in no folder: paths below the purpose never reach them.
    assert fs.find("openai://user_data") == ["user_data/a/ok.txt"]
    assert fs.ls("openai://user_data/a", detail=False) == ["user_data/a/ok.txt"]
    assert len(fs.ls("openai://user_data", versions=True)) == 5


def test_a_name_that_is_both_a_file_and_a_folder_is_shown_as_both(fs):
    fs.pipe("openai://user_data/a", b"file a")
    fs.pipe("openai://user_data/a/b", b"file a/b")
    entries = fs.ls("openai://user_data")
    assert [(e["name"], e["type"]) for e in entries] == [
        ("user_data/a", "directory"),
        ("user_data/a", "file"),
    ]
    assert fs.info("user_data/a")["type"] == "file" and fs.cat("user_data/a") == b"file a"
    assert fs.isfile("user_data/a") and fs.isdir("user_data/a")
    assert fs.ls("user_data/a", detail=False) == ["user_data/a/b"]
    # Without recursive, rm takes the file and leaves the folder.
    fs.rm("user_data/a")
    assert not fs.isfile("user_data/a") and fs.isdir("user_data/a")
    assert fs.cat("user_data/a/b") == b"file a/b"


def test_versions_and_overwrite_are_per_full_name(fs):
    fs.pipe("openai://user_data/a/x.txt", b"1")
    fs.pipe("openai://user_data/b/x.txt", b"other")
    fs.pipe("openai://user_data/a/x.txt", b"2", overwrite="keep")
    assert len(fs.ls("openai://user_data/a/x.txt", versions=True)) == 2
    assert len(fs.ls("openai://user_data/b/x.txt", versions=True)) == 1
    assert len(fs.ls("openai://user_data/a", versions=True)) == 2
    fs.pipe("openai://user_data/a/x.txt", b"3")  # replace: the older two of a/x.txt go
    assert [e["size"] for e in fs.ls("openai://user_data", versions=True)] == [1, 5]
    assert fs.cat("openai://user_data/b/x.txt") == b"other"
    with pytest.raises(FileExistsError):
        fs.pipe("openai://user_data/a/x.txt", b"4", mode="create")


def test_files_the_sdk_names_with_slashes_are_read_through_openaifs(fs, openaifs_sdk):
    sdk_create(openaifs_sdk, "user_data/from/sdk/data.jsonl", b'{"a": 1}\n')
    assert fs.ls("openai://user_data", detail=False) == ["user_data/from"]
    assert fs.cat("openai://user_data/from/sdk/data.jsonl") == b'{"a": 1}\n'
    with fs.open("openai://user_data/from/sdk/data.jsonl") as f:
        assert f.read() == b'{"a": 1}\n'


def test_what_openaifs_writes_in_folders_the_sdk_sees_by_its_full_name(fs, openaifs_sdk):
    fs.pipe("openai://user_data/x/y/z.txt", b"z")
    with fs.open("openai://user_data/x/big.bin", "wb") as f:
        f.write(b"b" * 200_000)  # through the Uploads API (parts of 64 KiB here)
    names = sorted(f.filename for f in openaifs_sdk.files.list())
    assert names == ["x/big.bin", "x/y/z.txt"]


def test_bad_folder_paths_are_value_errors_before_any_request(fs, server):
    for path in ["user_data/a//b.txt", "user_data/a/../b.txt", "user_data/./b.txt"]:
        with pytest.raises(ValueError, match=r"'\.' or '\.\.'"):
            fs.pipe(path, b"x")
        with pytest.raises(ValueError):
            fs.ls(path)
    assert server.stats()["requests"] == {}


# -- cost: folder views come from the one cached listing ----------------------------------


def test_warm_folder_views_cost_no_request(tree, server):
    tree.ls("")
    server.clear_stats()
    tree.ls("user_data/runs")
    tree.ls("user_data/runs/b/deep")
    tree.info("user_data/runs/a")
    tree.isdir("user_data/runs/a")
    tree.exists("user_data/runs/b")
    tree.find("user_data")
    tree.find("user_data/runs", withdirs=True)
    tree.find("")
    tree.glob("user_data/**/*.jsonl")
    tree.du("user_data/runs")
    list(tree.walk("user_data"))
    tree.mkdir("user_data/runs/new")
    assert server.stats()["requests"] == {}


def test_a_cold_find_of_a_purpose_costs_what_its_ls_costs(server, openaifs_sdk):
    for i in range(40):
        server.add_service_file(b"x", purpose="user_data", filename=f"d{i % 8}/e{i % 3}/f{i}.txt")
    server.clear_stats()
    make_fs(server).ls("user_data")
    ls_cost = server.stats()["requests"]
    server.clear_stats()
    found = make_fs(server).find("user_data")
    assert server.stats()["requests"] == ls_cost == {"files.list": 1}
    assert len(found) == 40
    server.clear_stats()
    cold = make_fs(server)
    assert cold.info("user_data/d3/e1")["type"] == "directory"
    assert cold.ls("user_data/d3/e1", detail=False)
    assert server.stats()["requests"] == {"files.list": 1}


def test_a_transaction_publishes_a_folder_at_its_end(fs):
    with fs.transaction:
        fs.pipe("openai://user_data/batch-7/a.txt", b"a")
        with fs.open("openai://user_data/batch-7/sub/b.txt", "wb") as f:
            f.write(b"b")
        assert not fs.exists("openai://user_data/batch-7")
    assert fs.find("openai://user_data/batch-7") == [
        "user_data/batch-7/a.txt",
        "user_data/batch-7/sub/b.txt",
    ]
