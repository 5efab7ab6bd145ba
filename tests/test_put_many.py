"""Many files at once: ``put`` of lists, globs and folders; ``get`` back; ``rm`` of a list."""

from __future__ import annotations

import pytest
from write_helpers import PART, payload, posts

#: Local files by relative path: small ones and multipart ones, in a nested folder.
TREE = {
    "a.txt": b"alpha",
    "b.bin": payload(2 * PART + 3, seed=1),
    "c.csv": b"x,y\n1,2\n",
    "sub/d.bin": payload(PART + 1, seed=2),
    "sub/deeper/e.txt": b"echo",
}


@pytest.fixture
def tree(tmp_path):
    """A local folder holding TREE."""
    root = tmp_path / "src"
    for name, data in TREE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def remote_contents(fs, purpose: str = "user_data") -> dict[str, bytes]:
    """Every file below ``purpose``, folders included, by path."""
    return {name: fs.cat_file(name) for name in fs.find(f"openai://{purpose}")}


def test_put_a_list(fs, tree):
    local = [str(tree / "a.txt"), str(tree / "b.bin"), str(tree / "sub" / "d.bin")]
    fs.put(local, "openai://user_data/")
    assert remote_contents(fs) == {
        "user_data/a.txt": TREE["a.txt"],
        "user_data/b.bin": TREE["b.bin"],
        "user_data/d.bin": TREE["sub/d.bin"],
    }


def test_put_a_list_onto_a_list_of_names(fs, tree):
    fs.put(
        [str(tree / "a.txt"), str(tree / "c.csv")],
        ["openai://assistants/one.txt", "openai://assistants/two.csv"],
    )
    assert remote_contents(fs, "assistants") == {
        "assistants/one.txt": TREE["a.txt"],
        "assistants/two.csv": TREE["c.csv"],
    }


def test_put_a_glob(fs, server, tree):
    fs.put(str(tree / "*.txt"), "openai://user_data/")
    fs.put(str(tree / "*.bin"), "openai://user_data")
    assert remote_contents(fs) == {
        "user_data/a.txt": TREE["a.txt"],
        "user_data/b.bin": TREE["b.bin"],
    }
    assert posts(server)["files.create"] == 1


def test_put_a_folder_recursively_keeps_its_tree_under_its_own_name(fs, tree):
    # fsspec's rule: "src" (no trailing "/") into an existing directory goes in as "src".
    fs.put(str(tree), "openai://user_data", recursive=True)
    assert remote_contents(fs) == {f"user_data/src/{n}": d for n, d in TREE.items()}


def test_put_then_get_back_a_purpose(fs, tree, tmp_path):
    fs.put(str(tree) + "/", "openai://user_data/", recursive=True)
    out = tmp_path / "back"
    fs.get("openai://user_data/", str(out) + "/", recursive=True)
    got = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert got == TREE


def test_get_a_list(fs, tree, tmp_path):
    fs.put(str(tree) + "/", "openai://user_data", recursive=True)
    out = tmp_path / "back"
    out.mkdir()
    fs.get(["openai://user_data/a.txt", "openai://user_data/b.bin"], str(out))
    assert (out / "a.txt").read_bytes() == TREE["a.txt"]
    assert (out / "b.bin").read_bytes() == TREE["b.bin"]
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "b.bin"]


def test_rm_a_list(fs, openaifs_sdk, tree):
    fs.put(str(tree) + "/", "openai://user_data", recursive=True)
    fs.rm(
        ["openai://user_data/a.txt", "openai://user_data/b.bin", "openai://user_data/sub/deeper"],
        recursive=True,
    )
    assert fs.find("openai://user_data") == ["user_data/c.csv", "user_data/sub/d.bin"]
    assert sorted(f.filename for f in openaifs_sdk.files.list()) == ["c.csv", "sub/d.bin"]


def test_a_failure_in_put_is_raised_and_the_others_complete(fs, server, tree):
    server.configure(max_file_size=100)  # a.txt, c.csv and e.txt fit; the rest go as Uploads
    (tree / "big.txt").write_bytes(b"y" * 1000)
    with pytest.raises(ValueError, match=r"big\.txt: HTTP 400"):
        fs.put(
            [str(tree / "a.txt"), str(tree / "big.txt"), str(tree / "c.csv")], "openai://user_data/"
        )
    assert remote_contents(fs) == {
        "user_data/a.txt": TREE["a.txt"],
        "user_data/c.csv": TREE["c.csv"],
    }


def test_a_listing_fetched_during_a_write_does_not_hide_the_written_file(fs):
    """Regression: a listing fetched while another thread's write completed was cached over
    the write, so the new file looked absent (``put`` then ``get`` failed now and then)."""

    def fetch_racing_a_write():
        yield from fs.client.list_files(order="desc")  # the snapshot, without the file...
        fs.pipe_file("openai://user_data/new.txt", b"new")  # ...which is written meanwhile

    fs.metadata.store_listing(fetch_racing_a_write())
    assert fs.exists("openai://user_data/new.txt")
    assert fs.ls("openai://user_data", detail=False) == ["user_data/new.txt"]


def test_many_small_files_are_published_with_one_look_and_each_replaces_its_older_version(
    fs, server, tmp_path, openaifs_sdk
):
    # Regression: each small file's write made its own look at the newest files after
    # publishing (two list requests per file with 16 writers at once); a put of many small
    # files now sends them all, then applies every replace after one look.
    names = [f"f{i:03}.txt" for i in range(60)]
    for name in names[:20]:  # older versions, to be replaced
        fs.pipe_file(f"openai://user_data/{name}", b"old")
    local = tmp_path / "many"
    local.mkdir()
    for name in names:
        (local / name).write_bytes(name.encode())
    server.configure(latency_ms=20)  # as on a network: writers overlap (reset after the test)
    server.clear_stats()
    fs.put([str(local / n) for n in names], "openai://user_data/")
    lists = server.stats()["requests"].get("files.list", 0)
    # Was 2 per file; now one look, of a few pages.
    assert lists <= 5, f"{lists} list requests for {len(names)} files"
    server.configure(latency_ms=0)
    by_name: dict[str, list[str]] = {}
    for f in openaifs_sdk.files.list(purpose="user_data"):
        by_name.setdefault(f.filename, []).append(f.id)
    assert sorted(by_name) == names
    assert all(len(ids) == 1 for ids in by_name.values()), "an older version was left"
    assert fs.cat_file("openai://user_data/f000.txt") == b"f000.txt"


def test_put_of_many_small_files_in_create_mode_refuses_only_the_existing_name(
    fs, tmp_path, openaifs_sdk
):
    fs.pipe_file("openai://user_data/b.txt", b"kept")
    local = tmp_path / "three"
    local.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (local / name).write_bytes(name.encode())
    with pytest.raises(FileExistsError):
        fs.put(str(local / "*.txt"), "openai://user_data/", mode="create")
    assert fs.cat_file("openai://user_data/b.txt") == b"kept"
    assert [f.filename for f in openaifs_sdk.files.list(purpose="user_data")].count("b.txt") == 1


def test_a_failed_file_in_a_put_of_small_files_still_publishes_the_others(
    fs, server, tmp_path, openaifs_sdk
):
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):
        fs.pipe_file(f"openai://user_data/{name}", b"old")
    local = tmp_path / "four"
    local.mkdir()
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):
        (local / name).write_bytes(b"new " + name.encode())
    server.add_fault("files.create", status=400)
    with pytest.raises(ValueError):
        fs.put(str(local / "*.txt"), "openai://user_data/")
    by_name: dict[str, list[str]] = {}
    for f in openaifs_sdk.files.list(purpose="user_data"):
        by_name.setdefault(f.filename, []).append(f.id)
    # Every name sent anew has its new version only; the refused one keeps its old one, as
    # does any not yet sent when the refusal came (the put stops there: which ones depends
    # on timing, so this asserts what holds either way).
    assert all(len(ids) == 1 for ids in by_name.values()), by_name
    contents = {n: fs.cat_file(f"openai://user_data/{n}") for n in by_name}
    new = {n for n, c in contents.items() if c == b"new " + n.encode()}
    old = {n for n, c in contents.items() if c == b"old"}
    assert new | old == set(by_name) == {"a.txt", "b.txt", "c.txt", "d.txt"}
    assert old  # the refused one
    # Each file the service made for the put (all but the refused one) is published.
    assert server.stats()["requests"]["files.create"] == 4 + 1 + len(new)
