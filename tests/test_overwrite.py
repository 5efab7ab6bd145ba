"""Writing to a name that exists: ``overwrite="replace"`` (default), ``"keep"``, ``"error"``."""

from __future__ import annotations

import threading

import pytest
from fs_support import make_fs
from write_helpers import PART, Wire, files_named, payload, posts

PATH = "openai://user_data/data.bin"


@pytest.fixture
def old(fs, openaifs_sdk):
    """The id of the file that holds the name before each test writes it again."""
    fs.pipe_file(PATH, b"old content")
    [file] = files_named(openaifs_sdk, "data.bin")
    return file.id


@pytest.mark.parametrize("size", [10, 3 * PART])
def test_replace_deletes_the_old_file_once_the_new_one_is_complete(fs, openaifs_sdk, old, size):
    new = payload(size)
    with fs.open(PATH, "wb", size=size) as f:
        f.write(new)
        # Written (and, when large, sent in parts) but not complete: the old file stands.
        assert [f.id for f in files_named(openaifs_sdk, "data.bin")] == [old]
        assert openaifs_sdk.files.content(old).content == b"old content"
    [file] = files_named(openaifs_sdk, "data.bin")
    assert file.id != old
    assert openaifs_sdk.files.content(file.id).content == new
    assert fs.cat_file(PATH) == new
    assert not fs.exists(f"openai://{old}")


def test_replace_deletes_every_older_version(fs, openaifs_sdk, server):
    for i in range(3):
        openaifs_sdk.files.create(file=("data.bin", b"v%d" % i), purpose="user_data")
    fs.pipe_file(PATH, b"newest")
    [file] = files_named(openaifs_sdk, "data.bin")
    assert openaifs_sdk.files.content(file.id).content == b"newest"
    assert server.stats()["requests"]["files.delete"] == 3


def test_replace_leaves_other_names_and_purposes_alone(fs, openaifs_sdk, old):
    fs.pipe_file("openai://user_data/other.bin", b"other")
    fs.pipe_file("openai://assistants/data.bin", b"same name, other purpose")
    fs.pipe_file(PATH, b"new")
    assert len(files_named(openaifs_sdk, "other.bin")) == 1
    assert len(files_named(openaifs_sdk, "data.bin", purpose="assistants")) == 1
    assert fs.cat_file("openai://assistants/data.bin") == b"same name, other purpose"


@pytest.mark.parametrize("size", [10, 2 * PART])
def test_keep_leaves_both_and_the_newest_wins_the_name(fs, server, openaifs_sdk, old, size):
    server.advance_clock(5)  # the new file is strictly newer
    new = payload(size)
    fs.pipe_file(PATH, new, overwrite="keep")
    files = files_named(openaifs_sdk, "data.bin")
    assert [f.id for f in files][1:] == [old]
    assert fs.cat_file(PATH) == new
    assert fs.info(PATH)["id"] == files[0].id
    versions = fs.ls(PATH, versions=True, detail=False)
    assert versions == [files[0].id, old]
    assert fs.cat_file(f"openai://{old}") == b"old content"
    assert "files.delete" not in server.stats()["requests"]


def test_keep_as_the_filesystem_default(server, openaifs_sdk, old):
    fs = make_fs(server, overwrite="keep")
    fs.pipe_file(PATH, b"new")
    assert len(files_named(openaifs_sdk, "data.bin")) == 2


@pytest.mark.parametrize("how", ["pipe_file", "open", "put_file"])
def test_error_refuses_and_sends_nothing(fs, server, openaifs_sdk, old, tmp_path, how):
    server.clear_stats()
    with pytest.raises(FileExistsError, match=old):
        if how == "pipe_file":
            fs.pipe_file(PATH, b"new", overwrite="error")
        elif how == "open":
            fs.open(PATH, "wb", overwrite="error")
        else:
            (tmp_path / "x").write_bytes(b"new")
            fs.put_file(str(tmp_path / "x"), PATH, overwrite="error")
    assert posts(server) == {}
    assert [f.id for f in files_named(openaifs_sdk, "data.bin")] == [old]


def test_error_on_a_new_name_writes(server):
    fs = make_fs(server, overwrite="error")
    fs.pipe_file(PATH, b"first")
    assert fs.cat_file(PATH) == b"first"


def test_unknown_policy_is_refused(fs, server):
    with pytest.raises(ValueError, match="overwrite must be one of"):
        fs.pipe_file(PATH, b"x", overwrite="clobber")
    with pytest.raises(ValueError, match="overwrite must be one of"):
        make_fs(server, overwrite="clobber")
    assert posts(server) == {}


def test_replace_does_not_delete_a_file_newer_than_its_own(fs, server, openaifs_sdk, old):
    """A writer that started first but finished last deletes the other writer's file (it is
    older); the writer that finished first deleted only the file that was there before."""
    first = fs.open(PATH, "wb")
    first.write(b"started first")
    make_fs(server).pipe_file(PATH, b"finished first")  # replaces `old`
    [middle] = files_named(openaifs_sdk, "data.bin")
    server.advance_clock(5)
    first.close()
    [last] = files_named(openaifs_sdk, "data.bin")
    assert openaifs_sdk.files.content(last.id).content == b"started first"
    assert last.id not in (old, middle.id)


@pytest.mark.parametrize("size", [100, 2 * PART + 1])
def test_concurrent_writers_to_one_name_leave_exactly_one_whole_file(server, openaifs_sdk, size):
    writers = 4
    contents = [payload(size, seed=i) for i in range(writers)]
    start = threading.Barrier(writers)
    errors: list[BaseException] = []
    created: list[dict] = []

    def write(i: int) -> None:
        fs = make_fs(server)
        wire = Wire(fs)
        try:
            start.wait()
            fs.pipe_file(PATH, contents[i])
        except BaseException as exc:
            errors.append(exc)
        for method, path, _, answer in wire.exchanges:
            if method == "POST" and path == "/files":
                created.append(answer)
            elif path.endswith("/complete"):
                created.append(answer["file"])

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(created) == writers
    [survivor] = files_named(openaifs_sdk, "data.bin")
    assert openaifs_sdk.files.content(survivor.id).content in contents
    # Only strictly older files were deleted: the survivor is the newest file written.
    assert survivor.created_at == max(f["created_at"] for f in created)
    assert survivor.id in {f["id"] for f in created}


def test_replace_deletes_an_older_file_tied_in_created_at(fs, openaifs_sdk):
    """Regression: a file of the name made by another client after this write began, in the
    same second as the new file (created_at has one-second resolution), survived the
    replace, leaving two files of one name."""
    f = fs.open(PATH, "wb")  # the name is empty when the write begins
    f.write(b"ours")
    openaifs_sdk.files.create(file=("data.bin", b"theirs"), purpose="user_data")
    f.close()
    [file] = files_named(openaifs_sdk, "data.bin")
    assert openaifs_sdk.files.content(file.id).content == b"ours"
