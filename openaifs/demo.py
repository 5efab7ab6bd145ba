"""``openaifs demo``: a tour of openaifs on a throwaway local server, in this process.

It starts the bundled server in memory on a free port of 127.0.0.1 and does what a user
does, through fsspec and through the ``openaifs`` command line: writes a fine-tuning file,
lists, reads, writes the same name again and looks at its versions, sends a file large
enough to go through the Uploads API in parallel parts (and checks, from the server's own
request counts, that it did), reads it back by seeking and by downloading, measures usage
and deletes. Every result printed is computed, none is canned. Nothing leaves this machine.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator

MiB = 2**20
#: The demo's part size, small so that a 16 MiB file makes several parts.
PART = 4 * MiB
BIG = 16 * MiB


def _md5(local_path: str) -> str:
    digest = hashlib.md5()
    with open(local_path, "rb") as f:
        while chunk := f.read(MiB):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for the duration (the user's own come back afterwards)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _step(title: str) -> None:
    print(f"\n# {title}")


#: The command line's ``main`` (handed in by ``openaifs demo``: importing it here would make
#: the two modules import each other).
Command = Callable[[list[str]], int]


def _shell(cli: Command, *argv: str) -> None:
    """Run one ``openaifs`` command, as typed in a shell; stop the tour if it fails."""
    print("$ openaifs " + " ".join(argv), flush=True)
    code = cli(list(argv))
    sys.stdout.flush()
    if code != 0:
        raise RuntimeError(f"'openaifs {' '.join(argv)}' exited with {code}")


def _tour(server: object, tmp: str, cli: Command) -> None:
    from openaifs import OpenAIFileSystem

    fs = OpenAIFileSystem(
        base_url=server.base_url,  # type: ignore[attr-defined]
        part_size=PART,
        skip_instance_cache=True,
    )
    path = "openai://fine-tune/train.jsonl"

    _step("Write a fine-tuning file through fsspec")
    rows = [
        {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}
        for q, a in [("2+2?", "4"), ("Capital of France?", "Paris"), ("H2O is?", "water")]
    ]
    print(f">>> with fs.open({path!r}, 'w') as f: f.writelines(...)  # {len(rows)} examples")
    with fs.open(path, "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    _shell(cli, "ls", "openai://")
    _shell(cli, "ls", "-l", "openai://fine-tune")
    _shell(cli, "info", path)

    _step("Read it back")
    first = fs.cat(path).splitlines()[0].decode()
    print(f">>> json.loads(fs.cat({path!r}).splitlines()[0])")
    print(json.loads(first))

    _step("Write the same name again, keeping both (overwrite='keep'): filenames are not unique")
    print(f'>>> fs.pipe({path!r}, b\'{{"messages": []}}\\n\', overwrite="keep")')
    fs.pipe(path, b'{"messages": []}\n', overwrite="keep")
    _shell(cli, "versions", path)
    print(
        f"the plain path means the newest: {fs.size(path)} bytes; older ones stay reachable by id"
    )

    _step(f"A {BIG // MiB} MiB file through the Uploads API: {PART // MiB} MiB parts, in parallel")
    local = os.path.join(tmp, "inputs.bin")
    with open(local, "wb") as f:
        f.write(os.urandom(BIG))
    server.clear_stats()  # type: ignore[attr-defined]
    started = time.perf_counter()
    print(">>> fs.put_file('inputs.bin', 'openai://user_data/inputs.bin')")
    fs.put_file(local, "openai://user_data/inputs.bin")
    took = time.perf_counter() - started
    requests = server.stats()["requests"]  # type: ignore[attr-defined]
    print(
        f"sent in {took:.2f} s; the server counted {requests.get('uploads.create', 0)} upload "
        f"created, {requests.get('uploads.parts.create', 0)} parts, "
        f"{requests.get('uploads.complete', 0)} completed (with the md5 of the whole)"
    )
    with fs.open("openai://user_data/inputs.bin", "rb") as f:
        f.seek(-16, 2)
        tail = f.read()
    with open(local, "rb") as f:
        f.seek(-16, 2)
        same_tail = f.read() == tail
    print(
        f">>> f.seek(-16, 2); f.read()  # random access: same bytes as the local file: {same_tail}"
    )
    back = os.path.join(tmp, "back.bin")
    here = os.getcwd()
    os.chdir(tmp)  # so that the command reads as typed: a local name, not a temporary path
    try:
        _shell(cli, "get", "--no-progress", "-q", "openai://user_data/inputs.bin", "back.bin")
    finally:
        os.chdir(here)
    print(f"downloaded copy has the same md5 as the original: {_md5(back) == _md5(local)}")

    _step("Delete, then look at usage")
    print(f">>> fs.rm({path!r})  # every file of the name: both versions")
    fs.rm(path)
    print(f">>> fs.exists({path!r})")
    print(fs.exists(path))
    _shell(cli, "du", "-H", "openai://")


def main(cli: Command) -> int:
    """Run the tour, running commands with ``cli`` (the command line's ``main``); return the
    exit code."""
    try:
        from openaifs.testing import LocalServer

        server = LocalServer()
        server.start()
    except ImportError as exc:
        raise ImportError(
            f"openaifs demo needs the local server: pip install 'openaifs[server]' ({exc})"
        ) from exc
    started = time.perf_counter()
    try:
        print("openaifs demo: a tour on a throwaway local server (in memory, in this process)")
        print(f"server: {server.base_url}  (nothing here talks to api.openai.com)")
        with (
            tempfile.TemporaryDirectory() as tmp,
            _environment(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=server.api_key),
        ):
            _tour(server, tmp, cli)
    finally:
        server.stop()
    print(f"\ndone in {time.perf_counter() - started:.1f} s: every step ran over HTTP.")
    print("Against OpenAI: export OPENAI_API_KEY=... and use the same paths and commands.")
    return 0
