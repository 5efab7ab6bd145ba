"""Listing benchmark: 10,000 files in one purpose, then cold and warm metadata calls.

A fresh ``OpenAIFileSystem`` (in its own worker process) does a cold ``ls("openai://batch")``,
which should cost exactly one ``GET /files``; then a warm ``ls``, ``info`` of 1,000 names and
``exists`` of 1,000 names, which should cost no request at all. It also times ``exists`` of a
few absent names: openaifs looks a name missing from the cached listing up afresh (one full
listing each), so that row shows what a miss costs.
The server counts the requests (``GET /_openaifs/stats``).

Run: ``python benchmarks/bench_listing.py [--files N] [--lookups N] [--misses N]``
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import threading
import time
from typing import Any

from _common import machine_notes, measure, mib, print_table, server

PURPOSE = "batch"


def filename(i: int) -> str:
    return f"row-{i:05d}.jsonl"


def create_files(base_url: str, api_key: str, count: int) -> float:
    """Create ``count`` small files with raw requests from a thread pool; return seconds."""
    import requests

    local = threading.local()

    def create(i: int) -> None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.headers["Authorization"] = f"Bearer {api_key}"
        answer = local.session.post(
            f"{base_url}/files",
            data={"purpose": PURPOSE},
            files={"file": (filename(i), b'{"n": %d}\n' % i, "text/jsonl")},
        )
        answer.raise_for_status()

    start = time.perf_counter()
    with cf.ThreadPoolExecutor(16) as pool:
        list(pool.map(create, range(count)))
    return time.perf_counter() - start


def listing_worker(
    url: str, base_url: str, api_key: str, files: int, lookups: int, misses: int
) -> dict:
    """In a fresh process: every measured call, with the server's request counts around it."""
    from openaifs import OpenAIFileSystem
    from openaifs.testing import RemoteServer

    controls = RemoteServer(url, api_key)
    fs = OpenAIFileSystem(api_key=api_key, base_url=base_url)
    names = [f"openai://{PURPOSE}/{filename(i)}" for i in range(0, files, files // lookups)]
    absent = [f"openai://{PURPOSE}/absent-{i}.jsonl" for i in range(misses)]
    results: dict[str, Any] = {}

    def run(label: str, operation: Any, ops: int) -> None:
        controls.clear_stats()
        start = time.perf_counter()
        operation()
        seconds = time.perf_counter() - start
        counts = controls.stats()["requests"]
        results[label] = {
            "ops": ops,
            "seconds": seconds,
            "requests": sum(counts.values()),
            "files.list": counts.get("files.list", 0),
        }

    listed: list[Any] = []
    run("cold ls", lambda: listed.append(fs.ls(f"openai://{PURPOSE}")), 1)
    results["entries"] = len(listed[0])
    run("warm ls", lambda: fs.ls(f"openai://{PURPOSE}"), 1)
    run(f"info x{len(names)}", lambda: [fs.info(n) for n in names], len(names))
    run(f"exists x{len(names)}", lambda: all(fs.exists(n) for n in names), len(names))
    run(
        f"exists (absent) x{len(absent)}",
        lambda: not any(fs.exists(n) for n in absent),
        len(absent),
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000, help="files to create (10,000)")
    parser.add_argument("--lookups", type=int, default=1_000, help="names for info/exists")
    parser.add_argument("--misses", type=int, default=10, help="absent names for exists (10)")
    args = parser.parse_args()

    with server() as process:
        seconds = create_files(process.base_url, process.api_key, args.files)
        print(f"created {args.files} files in {seconds:.1f} s ({args.files / seconds:.0f}/s)")
        results, peak = measure(
            listing_worker,
            process.url,
            process.base_url,
            process.api_key,
            args.files,
            args.lookups,
            args.misses,
        )

    entries = results.pop("entries")
    rows = []
    for label, r in results.items():
        rows.append(
            [
                label,
                f"{r['seconds'] * 1000:.1f} ms",
                f"{r['ops'] / r['seconds']:,.0f}",
                r["files.list"],
                r["requests"],
            ]
        )
    print_table(
        f"Listing: {args.files:,} files in openai://{PURPOSE} ({entries:,} listed)",
        ["operation", "time", "ops/s", "files.list requests", "all requests"],
        rows,
    )
    print(f"peak RSS of the openaifs worker: {mib(peak)}")
    print(f"machine: {machine_notes()}")
    cold = results["cold ls"]["files.list"]
    warm = sum(
        r["requests"]
        for label, r in results.items()
        if label.startswith(("warm", "info", "exists x"))
    )
    print(f"targets: cold ls files.list == 1: {cold == 1}; warm requests == 0: {warm == 0}")


if __name__ == "__main__":
    main()
