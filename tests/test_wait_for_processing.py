"""``fs.wait_for_processing`` and ``wait=True``, on the server's movable clock (no sleeps
race it: the waiter polls until the outcome the test arranges)."""

from __future__ import annotations

import threading

import pytest

from openaifs.processing import FileProcessingError

PATH = "openai://user_data/data.jsonl"


def in_background(func, *args, **kwargs):
    """Run ``func`` in a thread; return a function that joins it and returns (or raises)."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = func(*args, **kwargs)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def join():
        thread.join(60)  # a bound on a hung waiter, not a race
        assert not thread.is_alive()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    return join


def test_a_processed_file_returns_at_once(fs, server):
    fs.pipe_file(PATH, b"{}\n")
    server.clear_stats()
    info = fs.wait_for_processing(PATH)
    assert info["status"] == "processed"
    assert info["name"] == "user_data/data.jsonl"
    assert "files.retrieve" not in server.stats()["requests"]


def test_waits_until_processed_by_name_and_by_id(fs, server):
    server.configure(processing_seconds=60)
    fs.pipe_file(PATH, b"{}\n")
    file_id = fs.info(PATH)["id"]
    assert fs.info(PATH)["status"] == "uploaded"
    by_name = in_background(fs.wait_for_processing, PATH, poll_interval=0.01)
    by_id = in_background(fs.wait_for_processing, f"openai://{file_id}", poll_interval=0.01)
    server.advance_clock(60)
    assert by_name()["status"] == "processed"
    assert by_id()["status"] == "processed"
    assert by_id()["id"] == file_id


def test_an_error_raises_with_the_status_details(fs, server):
    server.configure(processing_seconds=30)
    server.fail_processing("line 3 is not valid JSON")
    fs.pipe_file(PATH, b"not json\n")
    waiter = in_background(fs.wait_for_processing, PATH, poll_interval=0.01)
    server.advance_clock(30)
    with pytest.raises(FileProcessingError, match="line 3 is not valid JSON") as caught:
        waiter()
    assert isinstance(caught.value, ValueError)
    assert caught.value.status_details == "line 3 is not valid JSON"
    assert caught.value.file_id == fs.info(PATH)["id"]
    assert PATH in str(caught.value)


def test_timeout_raises_timeout_error(fs, server):
    server.configure(processing_seconds=60)
    fs.pipe_file(PATH, b"{}\n")
    with pytest.raises(TimeoutError, match=r"still 'uploaded' after 0\.05 s"):
        fs.wait_for_processing(PATH, timeout=0.05, poll_interval=0.01)


@pytest.mark.parametrize(
    ("options", "match"),
    [({"poll_interval": 0}, "poll_interval"), ({"timeout": -1}, "timeout")],
)
def test_bad_arguments_are_refused(fs, options, match):
    fs.pipe_file(PATH, b"{}\n")
    with pytest.raises(ValueError, match=match):
        fs.wait_for_processing(PATH, **options)


def test_a_missing_file_is_file_not_found(fs):
    with pytest.raises(FileNotFoundError):
        fs.wait_for_processing("openai://user_data/nope.jsonl")


@pytest.mark.parametrize("how", ["pipe_file", "put_file", "merge"])
def test_writes_accept_wait(fs, server, openaifs_sdk, tmp_path, how):
    server.configure(processing_seconds=60)
    local = tmp_path / "local.jsonl"
    local.write_bytes(b"{}\n")
    if how == "pipe_file":
        write = in_background(fs.pipe_file, PATH, b"{}\n", wait=True)
    elif how == "put_file":
        write = in_background(fs.put_file, str(local), PATH, wait=True)
    else:
        write = in_background(fs.merge, PATH, [str(local)], wait=True)
    # The write returns only after the clock moves; advancing before it created the file
    # would not count, so wait for the file to exist (it is 'uploaded' until then).
    while not [f for f in openaifs_sdk.files.list() if f.status == "uploaded"]:
        threading.Event().wait(0.01)
    server.advance_clock(60)
    write()
    assert fs.info(PATH, refresh=True)["status"] == "processed"


def test_wait_inside_a_transaction_is_refused(fs):
    with pytest.raises(ValueError, match="transaction"), fs.transaction:
        fs.pipe_file(PATH, b"{}\n", wait=True)
