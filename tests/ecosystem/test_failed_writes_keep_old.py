"""A write that fails half way through publishes nothing and keeps the previous version, on
every ecosystem path (issue: ``df.to_csv`` raising half way published the partial file and
then, under ``overwrite="replace"``, deleted the good one)."""

from __future__ import annotations

import warnings

import fsspec
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

from openaifs.file import WriteDiscardedWarning  # noqa: E402

OLD = b"the good version\n"


class Boom(Exception):
    pass


class Explodes:
    """A cell whose text cannot be made: to_csv fails on it, after earlier rows."""

    def __str__(self) -> str:
        raise Boom("a bad cell")


@pytest.fixture
def old(fs):
    def make(url: str) -> str:
        fs.pipe_file(url, OLD)
        return fs.info(url)["id"]

    return make


def only_old(fs, url: str, old_id: str) -> None:
    assert [e["id"] for e in fs.ls(url, versions=True, refresh=True)] == [old_id]
    assert fs.cat(url) == OLD


def test_to_csv_raising_mid_write_keeps_the_old_version(fs, old, storage_options):
    url = "openai://user_data/frame.csv"
    old_id = old(url)
    frame = pd.DataFrame({"a": [*range(5000), Explodes()]})
    with pytest.raises(Boom), pytest.warns(WriteDiscardedWarning):
        frame.to_csv(url, storage_options=storage_options, chunksize=100)
    only_old(fs, url, old_id)


def test_to_json_raising_keeps_the_old_version(fs, old, storage_options):
    url = "openai://batch/frame.jsonl"
    old_id = old(url)
    frame = pd.DataFrame({"a": [object()]})

    def refuse(value):
        raise Boom("cannot serialise")

    with pytest.raises(Boom), warnings.catch_warnings():
        warnings.simplefilter("ignore", WriteDiscardedWarning)
        frame.to_json(
            url,
            orient="records",
            lines=True,
            storage_options=storage_options,
            default_handler=refuse,
        )
    only_old(fs, url, old_id)


def test_to_parquet_raising_mid_write_keeps_the_old_version(fs, old, storage_options):
    url = "openai://user_data/frame.parquet"
    old_id = old(url)
    frame = pd.DataFrame({"a": range(10)})
    # pandas opens the file first, then pyarrow refuses the codec while writing into it.
    with pytest.raises(Exception, match=r"(?i)compression|codec"):
        frame.to_parquet(url, storage_options=storage_options, compression="no-such-codec")
    only_old(fs, url, old_id)


def test_open_files_raising_keeps_the_old_version(fs, old, server):
    url = "openai://user_data/many.txt"
    old_id = old(url)
    [opened] = fsspec.open_files([url], "w", api_key=server.api_key, base_url=server.base_url)
    with pytest.raises(Boom), pytest.warns(WriteDiscardedWarning), opened as f:
        f.write("half")
        raise Boom
    only_old(fs, url, old_id)


def test_a_writer_opened_inside_an_except_clause_still_publishes(fs):
    # The exception already being handled when the writer was opened is not a failure of
    # this write.
    try:
        raise Boom
    except Boom:
        with fsspec.open("openai://user_data/fallback.txt", "wb", **fs.storage_options) as f:
            f.write(b"written from an except clause")
    assert fs.cat("openai://user_data/fallback.txt") == b"written from an except clause"


def test_publish_writes_even_while_an_exception_is_handled(fs):
    f = fs.open("openai://user_data/explicit.txt", "wb")
    f.write(b"explicit")
    try:
        raise Boom
    except Boom:
        f.publish()
    assert fs.cat("openai://user_data/explicit.txt") == b"explicit"
