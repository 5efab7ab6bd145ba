"""Exclusive create (``"xb"``, ``overwrite="error"``) has exactly one winner among concurrent
writers in different processes, with nothing but the public API."""

from __future__ import annotations

import multiprocessing

import pytest
from fs_support import make_fs
from write_helpers import files_named

WRITERS = 8
PATH = "openai://user_data/once.txt"


def _write_exclusively(base_url: str, api_key: str, index: int, start, results) -> None:
    from openaifs import OpenAIFileSystem

    fs = OpenAIFileSystem(api_key=api_key, base_url=base_url, skip_instance_cache=True)
    fs.ls("openai://user_data")  # warm, as a long-lived worker would be
    start.wait(30)
    try:
        with fs.open(PATH, "xb") as f:
            f.write(b"writer %d" % index)
    except FileExistsError:
        results.put((index, "exists"))
    except Exception as exc:  # reported, so the test shows it
        results.put((index, repr(exc)))
    else:
        results.put((index, "won"))


@pytest.mark.slow
def test_eight_concurrent_exclusive_writers_have_exactly_one_winner(server, openaifs_sdk):
    # forkserver: the writers are forked from a clean process that imported openaifs once
    # (cheaper than spawning eight interpreters, and no fork of this threaded process).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["openaifs", "requests"])
    start = context.Event()
    results = context.Queue()
    workers = [
        context.Process(
            target=_write_exclusively, args=(server.base_url, server.api_key, i, start, results)
        )
        for i in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    start.set()
    outcomes = dict(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(30)
    assert sorted(outcomes.values()).count("won") == 1, outcomes
    assert set(outcomes.values()) == {"won", "exists"}, outcomes
    [survivor] = files_named(openaifs_sdk, "once.txt")
    winner = next(i for i, outcome in outcomes.items() if outcome == "won")
    assert openaifs_sdk.files.content(survivor.id).content == b"writer %d" % winner


def test_an_exclusive_write_after_another_clients_write_raises(fs, openaifs_sdk):
    fs.ls("openai://user_data")  # the cache knows the purpose is empty
    openaifs_sdk.files.create(file=("once.txt", b"theirs"), purpose="user_data")
    with pytest.raises(FileExistsError):
        fs.pipe_file(PATH, b"ours", mode="create")
    assert [f.id for f in files_named(openaifs_sdk, "once.txt")] != []
    assert fs.cat(PATH) == b"theirs"


def test_a_loser_withdraws_its_own_file(server, openaifs_sdk):
    # Two writers both pass the check (each looked before the other wrote); the one whose
    # file the service lists as newer withdraws it.
    first, second = make_fs(server), make_fs(server)
    a = first.open(PATH, "xb")
    b = second.open(PATH, "xb")
    a.write(b"a")
    b.write(b"b")
    a.close()
    with pytest.raises(FileExistsError, match="another writer"):
        b.close()
    [survivor] = files_named(openaifs_sdk, "once.txt")
    assert openaifs_sdk.files.content(survivor.id).content == b"a"
