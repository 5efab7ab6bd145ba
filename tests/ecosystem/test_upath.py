"""universal-pathlib: ``UPath("openai://…")`` is an :class:`openaifs.upath.OpenAIPath` on the
local server, found through the entry point, and raises no warnings."""

from __future__ import annotations

import pickle
import time

import pytest

upath = pytest.importorskip("upath")

from upath import UPath  # noqa: E402

from openaifs.upath import OpenAIPath  # noqa: E402

# Any warning (a generic flavour, an untested implementation...) fails these tests.
pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture
def options(storage_options):
    return storage_options


@pytest.fixture
def batch(options):
    return UPath("openai://batch", **options)


def test_entry_point_dispatches_to_openaipath(options):
    from upath.registry import get_upath_class

    assert get_upath_class("openai") is OpenAIPath
    path = UPath("openai://batch/x.jsonl", **options)
    assert type(path) is OpenAIPath
    assert str(path) == "openai://batch/x.jsonl"
    assert path.path == "batch/x.jsonl"
    assert path.name == "x.jsonl" and path.suffix == ".jsonl" and path.stem == "x"


def test_key_is_not_in_repr_or_str(options):
    path = UPath("openai://batch/x.jsonl", **options)
    assert options["api_key"] not in repr(path)
    assert options["api_key"] not in str(path)


def test_write_text_read_text(batch, fs):
    path = batch / "x.jsonl"
    path.write_text('{"a": 1}\n')
    assert path.read_text() == '{"a": 1}\n'
    # The file is really in the store, as a plain filesystem sees it.
    assert fs.cat("openai://batch/x.jsonl") == b'{"a": 1}\n'


def test_write_bytes_read_bytes(options):
    path = UPath("openai://user_data/blob.bin", **options)
    data = bytes(range(256)) * 10
    path.write_bytes(data)
    assert path.read_bytes() == data


def test_read_text_of_a_file_written_elsewhere(fs, options):
    fs.pipe("openai://user_data/notes.txt", b"hello\nworld\n")
    path = UPath("openai://user_data/notes.txt", **options)
    assert path.read_text().splitlines() == ["hello", "world"]


def test_iterdir_on_a_purpose(fs, options):
    fs.pipe("openai://user_data/a.txt", b"a")
    fs.pipe("openai://user_data/b.txt", b"b")
    fs.pipe("openai://evals/c.jsonl", b"{}\n")
    children = list(UPath("openai://user_data", **options).iterdir())
    assert all(type(child) is OpenAIPath for child in children)
    assert sorted(child.name for child in children) == ["a.txt", "b.txt"]
    assert all(str(child.parent) == "openai://user_data" for child in children)


def test_iterdir_on_the_root_lists_the_purposes(options):
    root = UPath("openai://", **options)
    names = {child.name for child in root.iterdir()}
    assert {"batch", "fine-tune", "user_data", "batch_output"} <= names
    assert all(child.is_dir() for child in root.iterdir() if child.name in ("batch", "evals"))


def test_glob(fs, batch):
    fs.pipe("openai://batch/one.jsonl", b"{}\n")
    fs.pipe("openai://batch/two.jsonl", b"{}\n")
    fs.pipe("openai://fine-tune/three.jsonl", b"{}\n")
    assert sorted(p.name for p in batch.glob("*.jsonl")) == ["one.jsonl", "two.jsonl"]
    assert sorted(p.name for p in batch.glob("t*.jsonl")) == ["two.jsonl"]
    root = UPath("openai://", **batch.storage_options)
    assert sorted(str(p) for p in root.glob("*/*.jsonl")) == [
        "openai://batch/one.jsonl",
        "openai://batch/two.jsonl",
        "openai://fine-tune/three.jsonl",
    ]


def test_exists_and_unlink(batch):
    path = batch / "gone.jsonl"
    assert not path.exists()
    path.write_text("{}\n")
    assert path.exists()
    path.unlink()
    assert not path.exists()
    path.unlink(missing_ok=True)
    with pytest.raises(FileNotFoundError):
        path.unlink()


def test_stat_size_and_mtime(batch):
    before = time.time()
    path = batch / "s.jsonl"
    path.write_bytes(b'{"k": "v"}\n')
    st = path.stat()
    assert st.st_size == 11
    # created_at is the service's whole-second clock: the file is at most a few seconds old.
    assert before - 5 <= st.st_mtime <= time.time() + 5
    assert st.st_mtime == path.fs.info(path.path)["created_at"]


def test_stat_of_a_missing_file_raises(batch):
    with pytest.raises(FileNotFoundError):
        (batch / "missing.jsonl").stat()


def test_is_file_is_dir(batch):
    path = batch / "f.jsonl"
    path.write_text("{}\n")
    assert path.is_file() and not path.is_dir()
    assert batch.is_dir() and not batch.is_file()
    root = UPath("openai://", **batch.storage_options)
    assert root.is_dir()
    missing = batch / "missing.jsonl"
    assert not missing.is_file() and not missing.is_dir()


def test_joining_and_parent(options):
    root = UPath("openai://", **options)
    path = root / "fine-tune" / "train.jsonl"
    assert type(path) is OpenAIPath
    assert str(path) == "openai://fine-tune/train.jsonl"
    assert str(path.parent) == "openai://fine-tune"
    assert path.parent.parent.path == root.path
    assert path.storage_options["base_url"] == options["base_url"]
    assert str(path.with_name("valid.jsonl")) == "openai://fine-tune/valid.jsonl"


def test_file_id_path(fs, options):
    fs.pipe("openai://user_data/byid.txt", b"by id")
    file_id = fs.info("openai://user_data/byid.txt")["id"]
    path = UPath(f"openai://{file_id}", **options)
    assert path.is_file()
    assert path.read_bytes() == b"by id"
    assert path.stat().st_size == 5


def test_mkdir_on_a_purpose_and_a_folder(batch, fs):
    batch.mkdir(exist_ok=True)
    batch.mkdir(parents=True, exist_ok=True)
    with pytest.raises(FileExistsError):
        batch.mkdir()
    # A folder needs no creating (as on S3): mkdir succeeds and makes nothing.
    (batch / "sub").mkdir(parents=True, exist_ok=True)
    assert not (batch / "sub").exists()
    assert fs.find("openai://batch") == []


def test_slash_navigates_folders_and_iterdir_lists_them(batch, options):
    (batch / "runs" / "a" / "in.jsonl").write_text("{}\n")
    (batch / "runs" / "b.jsonl").write_text("[]\n")
    runs = UPath("openai://batch", **options) / "runs"
    assert runs.is_dir() and not runs.is_file()
    children = sorted(runs.iterdir(), key=str)
    assert [str(c) for c in children] == ["openai://batch/runs/a", "openai://batch/runs/b.jsonl"]
    assert children[0].is_dir() and children[1].is_file()
    (inner,) = list(children[0].iterdir())
    assert inner.name == "in.jsonl" and inner.read_text() == "{}\n"
    assert inner.parent == children[0] and inner.parent.parent == runs
    assert sorted(p.name for p in runs.glob("**/*.jsonl")) == ["b.jsonl", "in.jsonl"]


def test_touch_creates_an_empty_file(batch):
    path = batch / "empty.jsonl"
    path.touch()
    assert path.exists() and path.stat().st_size == 0


def test_pickles_and_reads_back(batch):
    path = batch / "p.jsonl"
    path.write_text("{}\n")
    copy = pickle.loads(pickle.dumps(path))
    assert type(copy) is OpenAIPath
    assert copy.read_text() == "{}\n"
