"""A new user's first hour: each trap met gets an error that names the fix, and progress
moves at least once per MiB. One test per trap, named for it."""

from __future__ import annotations

import io
import os

import fsspec
import pytest
from fsspec.callbacks import Callback

from openaifs import OpenAIFileSystem, cli

MiB = 2**20
PATH = "openai://user_data/first.bin"


@pytest.fixture
def big_parts_fs(server) -> OpenAIFileSystem:
    """Default part size (32 MiB): the size at which a once-per-part callback stalls."""
    return OpenAIFileSystem(
        api_key=server.api_key, base_url=server.base_url, skip_instance_cache=True
    )


# -- misused arguments: each error says what to do instead --------------------------------


def test_append_mode_names_the_mode_written(fs):
    with pytest.raises(ValueError, match=r"mode 'a' is not supported: appending is impossible"):
        fs.open(PATH, "a")


def test_append_mode_through_fsspec_open_names_a_not_ab(server):
    opened = fsspec.open(PATH, "a", api_key=server.api_key, base_url=server.base_url)
    with pytest.raises(ValueError, match=r"mode 'a' is not") as caught:
        opened.open()
    assert "'ab'" not in str(caught.value)
    assert "'w'" in str(caught.value)


def test_read_write_mode_says_open_twice(fs):
    with pytest.raises(ValueError, match=r"mode 'r\+'.*open it once for each"):
        fs.open(PATH, "r+b")


def test_negative_size_refused_at_open_before_any_request(fs, server):
    server.clear_stats()
    with pytest.raises(ValueError, match=r"size must be the total number of bytes.*leave it out"):
        fs.open(PATH, "wb", size=-1)
    assert not server.stats()["requests"]


def test_size_of_the_wrong_type_is_a_type_error(fs):
    with pytest.raises(TypeError, match="size must be an int"):
        fs.open(PATH, "wb", size="10")


def test_unknown_open_option_says_did_you_mean(fs):
    with pytest.raises(TypeError, match=r"'sizes'; did you mean 'size'\?"):
        fs.open(PATH, "wb", sizes=3)


def test_write_option_when_reading_says_open_for_writing(fs):
    fs.pipe(PATH, b"x")
    with pytest.raises(ValueError, match=r"expires_after= applies to writing only"):
        fs.open(PATH, "rb", expires_after=3600)


def test_encoding_in_binary_mode_names_the_text_mode(fs):
    fs.pipe(PATH, b"x")
    with pytest.raises(ValueError, match=r"takes no encoding=; open in text mode \('r'\)"):
        fs.open(PATH, "rb", encoding="utf-8")


def test_unknown_compression_lists_the_known(fs):
    with pytest.raises(ValueError, match=r"compression 'zipx' is not one of fsspec's: .*'gzip'"):
        fs.open("openai://user_data/x.gz", "wb", compression="zipx")


def test_writing_to_an_id_path_is_a_value_error_showing_the_path_form(fs):
    fs.pipe(PATH, b"x")
    file_id = fs.info(PATH)["id"]
    for write in (
        lambda: fs.open(file_id, "wb"),
        lambda: fs.pipe(file_id, b"y"),
        lambda: fs.cp_file(PATH, file_id),
    ):
        with pytest.raises(ValueError, match=r"read-only; write to a path such as 'openai://"):
            write()
    assert fs.cat(file_id) == b"x"


def test_pipe_of_text_says_encode_it(fs):
    with pytest.raises(TypeError, match=r"not str: pass value.encode\(\)"):
        fs.pipe_file(PATH, "text")


def test_pipe_mode_other_than_overwrite_or_create(fs):
    with pytest.raises(ValueError, match=r"mode must be 'overwrite' or 'create'.*overwrite='keep'"):
        fs.pipe_file(PATH, b"x", mode="append")
    assert not fs.exists(PATH)


def test_expires_after_out_of_range_before_any_request(fs, server):
    server.clear_stats()
    with pytest.raises(ValueError, match=r"between 3600 \(an hour\) and 2592000 \(30 days\)"):
        fs.pipe_file(PATH, b"x", expires_after=60)
    with pytest.raises(TypeError, match=r"expires_after must be an int number of seconds"):
        fs.pipe_file(PATH, b"x", expires_after="1h")
    assert not server.stats()["requests"]


def test_mime_type_of_the_wrong_type(fs):
    with pytest.raises(TypeError, match="mime_type must be a str"):
        fs.pipe_file(PATH, b"x", mime_type=5)


def test_path_of_the_wrong_type_shows_the_path_form(fs):
    with pytest.raises(TypeError, match=r"a path must be a str such as 'openai://"):
        fs.ls(None)


def test_cat_file_offsets_of_the_wrong_type(fs):
    fs.pipe(PATH, b"abc")
    with pytest.raises(TypeError, match="start must be an int byte offset"):
        fs.cat_file(PATH, start="1")


def test_get_file_into_a_missing_folder_names_the_folder(fs, tmp_path):
    fs.pipe(PATH, b"abc")
    target = tmp_path / "missing" / "out.bin"
    with pytest.raises(FileNotFoundError, match=r"the folder .*missing' does not exist"):
        fs.get_file(PATH, str(target))
    assert not (tmp_path / "missing").exists()


def test_get_file_onto_a_folder_suggests_a_file_path(fs, tmp_path):
    fs.pipe(PATH, b"abc")
    with pytest.raises(IsADirectoryError, match=r"is a folder; download to a file path"):
        fs.get_file(PATH, str(tmp_path))
    assert os.listdir(tmp_path) == []  # no partial file left


def test_get_of_a_glob_matching_nothing_names_it(fs, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"openai://user_data/nope\*: .*nothing matches"):
        fs.get("openai://user_data/nope*", str(tmp_path) + "/")


# -- the command line: one line, naming the flag or variable ------------------------------


@pytest.fixture
def run(server, monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", server.api_key)

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_without_a_key_says_set_openai_api_key_not_python(run, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    code, out, err = run("ls", "openai://user_data")
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert "set the OPENAI_API_KEY environment variable" in err
    assert "api_key=" not in err and "storage_options" not in err


def test_cli_connection_refused_names_base_url(run):
    code, _, err = run("--base-url", "http://127.0.0.1:9/v1", "ls", "openai://user_data")
    assert code == 1 and err.count("\n") == 1
    assert err.rstrip().endswith(
        "check --base-url (or OPENAI_BASE_URL) and that the service is reachable"
    )


def test_cli_base_url_without_v1_names_base_url(run, server):
    code, _, err = run(
        "--base-url", server.base_url.removesuffix("/v1"), "ls", "openai://user_data"
    )
    assert code == 1 and err.count("\n") == 1
    assert "--base-url" in err and "/v1" in err


def test_cli_exists_with_overwrite_error_names_the_flag(run, tmp_path):
    local = tmp_path / "a.txt"
    local.write_bytes(b"a")
    assert run("put", "-q", str(local), "openai://user_data/")[0] == 0
    code, _, err = run("put", "--overwrite", "error", str(local), "openai://user_data/")
    assert code == 1 and err.count("\n") == 1
    assert err.rstrip().endswith("--overwrite replace (or keep) writes anyway")


# -- progress that moves ------------------------------------------------------------------


class Steps(Callback):
    """Records every increment, from whichever thread reports it."""

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[int] = []

    def call(self, *args, **kwargs) -> None:
        pass

    def relative_update(self, inc: int = 1) -> None:
        self.steps.append(inc)
        super().relative_update(inc)


def moved_per_mib(steps: Steps, total: int) -> None:
    assert steps.value == total == sum(steps.steps)
    assert max(steps.steps) <= MiB, max(steps.steps)
    assert len(steps.steps) >= total // MiB


def test_put_file_progress_moves_at_least_once_per_mib(big_parts_fs, tmp_path):
    for size in (40 * MiB, 3 * MiB + 5):  # an Upload in parts, and one POST /files
        local = tmp_path / f"{size}.bin"
        local.write_bytes(os.urandom(size))
        steps = Steps()
        big_parts_fs.put_file(str(local), PATH, callback=steps)
        moved_per_mib(steps, size)
        assert steps.size == size


def test_open_wb_close_progress_moves_at_least_once_per_mib(big_parts_fs):
    for size in (40 * MiB, 3 * MiB):
        steps = Steps()
        with big_parts_fs.open(PATH, "wb", callback=steps) as f:
            f.write(os.urandom(size))
        moved_per_mib(steps, size)
        assert big_parts_fs.size(PATH) == size


def test_open_wb_with_size_reports_while_writing(big_parts_fs):
    steps = Steps()
    size = 40 * MiB
    with big_parts_fs.open(PATH, "wb", size=size, callback=steps) as f:
        f.write(os.urandom(size))
    moved_per_mib(steps, size)
    assert steps.size == size


def test_get_file_progress_moves_at_least_once_per_mib(big_parts_fs, tmp_path):
    size = 5 * MiB + 3
    big_parts_fs.pipe(PATH, os.urandom(size))
    steps = Steps()
    big_parts_fs.get_file(PATH, str(tmp_path / "out.bin"), callback=steps)
    moved_per_mib(steps, size)


def test_cat_to_a_file_progress_moves_at_least_once_per_mib(big_parts_fs):
    size = 5 * MiB + 3
    big_parts_fs.pipe(PATH, os.urandom(size))
    steps = Steps()
    out = io.BytesIO()
    big_parts_fs.get_file(PATH, None, callback=steps, outfile=out)
    moved_per_mib(steps, size)
    assert len(out.getvalue()) == size


def test_cp_file_progress_counts_bytes_sent(big_parts_fs):
    size = 3 * MiB
    big_parts_fs.pipe(PATH, os.urandom(size))
    steps = Steps()
    big_parts_fs.cp_file(PATH, "openai://vision/copy.bin", callback=steps)
    moved_per_mib(steps, size)


def test_retried_part_is_not_counted_twice(server, tmp_path):
    """A part sent again after a failure does not push the bar past its total."""
    fs = OpenAIFileSystem(
        api_key=server.api_key,
        base_url=server.base_url,
        skip_instance_cache=True,
        part_size=4 * MiB,
        backoff_initial=0.01,
        backoff_max=0.02,
    )
    local = tmp_path / "r.bin"
    local.write_bytes(os.urandom(8 * MiB + 1))
    server.add_fault("uploads.parts.create", "drop_after")
    steps = Steps()
    fs.put_file(str(local), PATH, callback=steps)
    assert [f["hits"] for f in server.faults()] == [1]  # one part was read twice
    assert steps.value == 8 * MiB + 1
    assert fs.size(PATH) == 8 * MiB + 1


def test_cli_expires_after_out_of_range_names_the_flag(run, tmp_path):
    local = tmp_path / "a.txt"
    local.write_bytes(b"a")
    code, _, err = run("put", "--expires-after", "60", str(local), "openai://user_data/")
    assert code == 2 and err.count("\n") == 1
    assert "--expires-after must be between 3600 (an hour) and 2592000 (30 days)" in err
