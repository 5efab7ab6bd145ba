"""Scale benchmark: does a warm process's write, replace, rm, ls and info cost the same in a
purpose of 100 files as of 100,000?

For each purpose size, a server subprocess is filled fast (one ``POST /_openaifs/files``
with ``count``), then a fresh ``OpenAIFileSystem`` in its own worker process lists the purpose once
(a warm process) and runs: 20 writes of new names, 20 replace-writes of those names, ``rm``
of 100 names in one call, a warm ``ls`` and 100 ``info`` calls. The server counts the
requests; the table prints time, ``GET /files`` requests and all requests for each, and the
ratio of the largest purpose's figures to the smallest's (target: within 1.5x).

Run: ``python benchmarks/bench_scale.py [--sizes 100,10000,100000]``
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from _common import machine_notes, measure, print_table, server
from bench_listing import PURPOSE


def scale_worker(url: str, base_url: str, api_key: str, files: int) -> dict:
    """In a fresh process: every measured call, with the server's request counts around it."""
    from openaifs import OpenAIFileSystem
    from openaifs.testing import RemoteServer

    controls = RemoteServer(url, api_key)
    fs = OpenAIFileSystem(api_key=api_key, base_url=base_url)
    results: dict[str, Any] = {}

    def run(label: str, operation: Any) -> None:
        controls.clear_stats()
        start = time.perf_counter()
        operation()
        seconds = time.perf_counter() - start
        counts = controls.stats()["requests"]
        results[label] = {
            "seconds": seconds,
            "requests": sum(counts.values()),
            "files.list": counts.get("files.list", 0),
        }

    run("cold ls", lambda: fs.ls(f"openai://{PURPOSE}"))
    new = [f"openai://{PURPOSE}/new-{i:03d}.jsonl" for i in range(20)]
    doomed = [f"openai://{PURPOSE}/row-00000-{i:04d}.jsonl" for i in range(min(100, files))]
    run("20 writes", lambda: [fs.pipe_file(p, b'{"v": 1}\n') for p in new])
    run("20 replace-writes", lambda: [fs.pipe_file(p, b'{"v": 2}\n') for p in new])
    run(f"rm of {len(doomed)} names", lambda: fs.rm(doomed))
    run("warm ls", lambda: fs.ls(f"openai://{PURPOSE}"))
    run("100 info", lambda: [fs.info(new[i % len(new)]) for i in range(100)])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,10000,100000", help="purpose sizes to measure")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    measured: dict[int, dict] = {}
    for size in sizes:
        with server() as process:
            start = time.perf_counter()
            for first in range(0, size, 5000):  # a request per 5,000, within its timeout
                count = min(5000, size - first)
                process.add_service_files(
                    b'{"n": 0}\n',
                    purpose=PURPOSE,
                    filename=f"row-{first:05d}-{{i:04d}}.jsonl",
                    count=count,
                )
            seconds = time.perf_counter() - start
            print(f"filled a purpose with {size:,} files in {seconds:.1f} s", flush=True)
            measured[size], _ = measure(
                scale_worker, process.url, process.base_url, process.api_key, size
            )

    labels = [label for label in measured[sizes[0]] if label != "cold ls"]
    rows = []
    for label in ["cold ls", *labels]:
        row = [label]
        for size in sizes:
            r = measured[size][label]
            row.append(f"{r['seconds'] * 1000:.0f} ms, {r['files.list']} list / {r['requests']}")
        if label != "cold ls":
            small, large = measured[sizes[0]][label], measured[sizes[-1]][label]
            row.append(f"{large['seconds'] / max(small['seconds'], 1e-9):.2f}x")
            row.append(f"{large['files.list'] - small['files.list']:+d}")
        else:
            row += ["(one listing)", ""]
        rows.append(row)
    print_table(
        "Warm-process cost by purpose size (time, GET /files requests / all requests)",
        ["operation", *[f"{s:,} files" for s in sizes], "time ratio", "extra lists"],
        rows,
    )
    worst = max(
        measured[sizes[-1]][label]["seconds"] / max(measured[sizes[0]][label]["seconds"], 1e-9)
        for label in labels
        if label != "warm ls"
    )
    print(
        f"worst time ratio (largest / smallest purpose, warm ls aside): {worst:.2f}x "
        f"(target <= 1.5x)"
    )
    print(f"machine: {machine_notes()}")


if __name__ == "__main__":
    main()
