"""The figures of ``docs/performance.md``: openaifs against the official SDK, in one run.

Every row is measured against the same server process in this run, so the ratios compare
like with like even on a busy machine:

- ``put`` of a random file (256 MiB, and 2 GiB unless ``--large-mib 0``) on the shaped server
  (``--latency-ms 40 --per-connection-bps 25000000``): ``fs.put_file`` against the SDK's
  ``uploads.upload_file_chunked`` (64 MiB parts, one at a time), and against the shaped limit
  (connections in flight x 25 MB/s);
- the same 256 MiB unshaped, md5 on, and ``fs.open("wb")`` in 1 MiB writes against
  ``fs.put_file`` of the same bytes;
- ``get`` of the 256 MiB file, shaped, from a server that honours byte ranges and from one that
  does not: :func:`openaifs.download.download_to_file` (what ``get_file`` is to call) and
  ``fs.get_file`` as it stands, against the SDK's streamed ``files.content``;
- 1,000 files of 1-10 KB, shaped: ``fs.put``, ``fs.get`` and ``fs.rm`` against a loop over the
  SDK (``files.create``, ``files.list`` + ``files.content``, ``files.list`` + ``files.delete``).

Each operation runs in a fresh worker process (peak RSS is its own).

Run: ``python benchmarks/bench_performance.py [--size-mib 256] [--large-mib 2048] [--files 1000]``
"""

from __future__ import annotations

import argparse
import os
import random
from typing import Any

from _common import (
    SHAPED_RATE,
    SHAPING,
    MiB,
    clock,
    machine_notes,
    measure_against,
    mib,
    print_table,
    random_file,
    scratch_dir,
    server,
    store_file,
)
from bench_get import sdk_get
from bench_put import openaifs_put, openaifs_write_spooled, sdk_put

PEAK_LIMIT = 300 * MiB


# -- workers (each runs in a fresh interpreter) ------------------------------------------


def put_connections(size: int) -> int:
    """Connections a default ``put_file`` of ``size`` bytes keeps in flight."""
    from openaifs import OpenAIFileSystem
    from openaifs.upload import upload_plan

    settings = OpenAIFileSystem(api_key="x", skip_instance_cache=True).upload_settings
    return min(settings.concurrency, len(upload_plan(size, settings)))


def get_connections(size: int) -> int:
    """Connections a default ranged download of ``size`` bytes keeps in flight."""
    from openaifs.download import DownloadSettings
    from openaifs.parts import plan_parts

    settings = DownloadSettings()
    plan = plan_parts(size, max_part=settings.part_size, concurrency=settings.concurrency)
    return min(settings.concurrency, len(plan))


def ranged_get(base_url: str, api_key: str, file: dict, local_path: str) -> tuple[float, float]:
    from openaifs.client import APIClient
    from openaifs.download import DownloadSettings, download_to_file

    client = APIClient(api_key, base_url)
    settings = DownloadSettings()
    result = clock(
        lambda: download_to_file(client, file, local_path, path="openai://x", settings=settings)
    )
    os.unlink(local_path)
    return result


def fs_get_file(base_url: str, api_key: str, file: dict, local_path: str) -> tuple[float, float]:
    from openaifs import OpenAIFileSystem

    fs = OpenAIFileSystem(api_key=api_key, base_url=base_url)
    fs.info(file["id"])
    result = clock(lambda: fs.get_file(file["id"], local_path))
    os.unlink(local_path)
    return result


def fs_put_many(base_url: str, api_key: str, paths: list[str]) -> tuple[float, float]:
    from openaifs import OpenAIFileSystem

    fs = OpenAIFileSystem(api_key=api_key, base_url=base_url)
    return clock(lambda: fs.put(paths, "openai://user_data/"))


def sdk_put_many(base_url: str, api_key: str, paths: list[str]) -> tuple[float, float]:
    import openai

    client = openai.OpenAI(api_key=api_key, base_url=base_url)

    def put() -> None:
        for path in paths:
            with open(path, "rb") as f:
                client.files.create(file=f, purpose="user_data")

    return clock(put)


def fs_get_many(base_url: str, api_key: str, names: list[str], into: str) -> tuple[float, float]:
    from openaifs import OpenAIFileSystem

    fs = OpenAIFileSystem(api_key=api_key, base_url=base_url)
    return clock(lambda: fs.get([f"openai://user_data/{n}" for n in names], into + "/"))


def sdk_get_many(base_url: str, api_key: str, names: list[str], into: str) -> tuple[float, float]:
    import openai

    client = openai.OpenAI(api_key=api_key, base_url=base_url)
    wanted = set(names)

    def get() -> None:
        for file in client.files.list(purpose="user_data"):
            if file.filename in wanted:
                with open(os.path.join(into, file.filename), "wb") as out:
                    out.write(client.files.content(file.id).content)

    return clock(get)


def fs_rm_many(base_url: str, api_key: str, names: list[str]) -> tuple[float, float]:
    from openaifs import OpenAIFileSystem

    fs = OpenAIFileSystem(api_key=api_key, base_url=base_url)
    return clock(lambda: fs.rm([f"openai://user_data/{n}" for n in names]))


def sdk_rm_many(base_url: str, api_key: str, names: list[str]) -> tuple[float, float]:
    import openai

    client = openai.OpenAI(api_key=api_key, base_url=base_url)
    wanted = set(names)

    def rm() -> None:
        for file in client.files.list(purpose="user_data"):
            if file.filename in wanted:
                client.files.delete(file.id)

    return clock(rm)


# -- the run ----------------------------------------------------------------------------


class Results:
    """Rows of the table, each an operation with its time and peak RSS."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def add(
        self,
        what: str,
        ours: tuple[Any, int],
        theirs: tuple[Any, int] | None,
        *,
        limit: float | None = None,
        against: str = "SDK",
    ) -> None:
        (seconds, _), peak = ours
        ratio = "" if theirs is None else f"{theirs[0][0] / seconds:.2f}x {against}"
        of_limit = "" if limit is None else f"{limit / seconds:.0%}"
        sdk = "" if theirs is None else f"{theirs[0][0]:.2f} s"
        self.rows.append([what, f"{seconds:.2f} s", sdk, ratio, of_limit, mib(peak)])
        print(f"  {what}: {seconds:.2f} s {ratio} {of_limit} peak {mib(peak)}", flush=True)


def run(process: Any, func: Any, *args: Any) -> tuple[Any, int]:
    result, peak, _ = measure_against(process, func, process.base_url, process.api_key, *args)
    return result, peak


def large_put(results: Results, source: str, size: int, label: str) -> None:
    with server(*SHAPING) as process:
        ours = run(process, openaifs_put, source)
        process.reset()
        theirs = run(process, sdk_put, source)
    limit = size / (put_connections(size) * SHAPED_RATE)
    results.add(f"put {label}, shaped", ours, theirs, limit=limit)


def unshaped_put(results: Results, source: str, label: str) -> None:
    with server() as process:
        ours = run(process, openaifs_put, source)
        process.reset()
        theirs = run(process, sdk_put, source)
        process.reset()
        written = run(process, openaifs_write_spooled, source)
    results.add(f"put {label}, unshaped, md5 on", ours, theirs)
    results.add("open('wb'), 1 MiB writes, unshaped", written, ours, against="put_file")


def large_get(results: Results, source: str, size: int, target: str, label: str) -> None:
    for honour in (True, False):
        extra = ("--honour-range",) if honour else ()
        with server(*SHAPING, *extra) as process:
            file = store_file(process, source)
            theirs = run(process, sdk_get, file["id"], target)
            ours = run(process, ranged_get, file, target)
            today = run(process, fs_get_file, file, target)
        how = "honours" if honour else "ignores"
        limit = size / ((get_connections(size) if honour else 1) * SHAPED_RATE)
        results.add(f"get {label}, shaped, server {how} ranges", ours, theirs, limit=limit)
        results.add(f"fs.get_file today, server {how} ranges", today, theirs)


def small_files(results: Results, scratch: str, count: int) -> None:
    rng = random.Random(0)
    folder = os.path.join(scratch, "small")
    os.makedirs(folder)
    paths = []
    for i in range(count):
        path = os.path.join(folder, f"small-{i:05d}.txt")
        with open(path, "wb") as f:
            f.write(rng.randbytes(rng.randint(1000, 10_000)))
        paths.append(path)
    names = [os.path.basename(p) for p in paths]
    fast = {"latency_ms": 0, "per_connection_bps": 0}
    shaped = {"latency_ms": 40, "per_connection_bps": SHAPED_RATE}
    with server(*SHAPING) as process:
        theirs = run(process, sdk_put_many, paths)
        process.reset()
        ours = run(process, fs_put_many, paths)
        results.add(f"put {count} files of 1-10 KB, shaped", ours, theirs)
        into = os.path.join(scratch, "into")
        os.makedirs(into)
        theirs = run(process, sdk_get_many, names, into)
        ours = run(process, fs_get_many, names, into)
        results.add(f"get {count} files, shaped", ours, theirs)
        ours = run(process, fs_rm_many, names)
        process.configure(**fast)  # the files for the SDK's rm go up unshaped, untimed
        run(process, fs_put_many, paths)
        process.configure(**shaped)
        theirs = run(process, sdk_rm_many, names)
        results.add(f"rm {count} files, shaped", ours, theirs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=256, help="the large file (256)")
    parser.add_argument(
        "--large-mib", type=int, default=2048, help="the very large (2048; 0 skips)"
    )
    parser.add_argument("--files", type=int, default=1000, help="small files (1000; 0 skips)")
    args = parser.parse_args()
    size = args.size_mib * MiB
    results = Results()
    with scratch_dir("openaifs-bench-performance-") as scratch:
        source = random_file(os.path.join(scratch, "source.bin"), size)
        target = os.path.join(scratch, "download.bin")
        label = f"{args.size_mib} MiB"
        large_put(results, source, size, label)
        unshaped_put(results, source, label)
        large_get(results, source, size, target, label)
        if args.files:
            small_files(results, scratch, args.files)
        if args.large_mib:
            os.unlink(source)
            large = random_file(os.path.join(scratch, "large.bin"), args.large_mib * MiB)
            large_put(results, large, args.large_mib * MiB, f"{args.large_mib} MiB")
    print_table(
        "openaifs against the official SDK (one run; shaped: 40 ms, 25 MB/s per connection)",
        ["operation", "openaifs", "SDK", "ratio", "of the shaped limit", "peak RSS"],
        results.rows,
    )
    print(f"machine: {machine_notes()}")


if __name__ == "__main__":
    main()
