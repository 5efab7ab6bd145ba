"""Upload benchmark: ``fs.put_file`` and ``fs.open("wb")`` against the official SDK.

For each network condition (unshaped, then a server started with ``--latency-ms 40
--per-connection-bps 25000000``) it uploads the same random file with:

- ``fs.put_file`` (parts in parallel, straight from disk),
- the SDK's ``client.uploads.upload_file_chunked(..., part_size=64 MiB)`` (parts one at a time),
- ``fs.open("wb")`` written in 1 MiB pieces (spooled to a temporary file, sent on close),
- ``fs.open("wb", size=...)`` written in 1 MiB pieces (parts sent while writing).

Each runs in a fresh worker process with default settings: the times exclude start-up and the
peak RSS is that worker's alone. Every upload is deleted before the next.

Run: ``python benchmarks/bench_put.py [--size-mib N] [--only unshaped|shaped]``  (default 1024)
"""

from __future__ import annotations

import argparse
import os

from _common import (
    SHAPING,
    MiB,
    baseline_rows,
    clock,
    machine_notes,
    measure_against,
    mib,
    print_table,
    random_file,
    rate,
    scratch_dir,
    server,
)

SDK_PART_SIZE = 64 * MiB
WRITE_SIZE = 1 * MiB


def _filesystem(base_url: str, api_key: str, **options):
    from openaifs import OpenAIFileSystem

    return OpenAIFileSystem(api_key=api_key, base_url=base_url, **options)


def _write_in_pieces(fs, path: str, local_path: str, size: int | None = None) -> None:
    """Copy ``local_path`` to ``path`` through ``fs.open("wb")``, 1 MiB per ``write``."""
    with open(local_path, "rb") as source, fs.open(path, "wb", size=size) as f:
        while piece := source.read(WRITE_SIZE):
            f.write(piece)


def openaifs_put(base_url: str, api_key: str, local_path: str, **options) -> float:
    fs = _filesystem(base_url, api_key, **options)
    fs.ls("openai://user_data")  # the listing a write consults, outside the timing
    return clock(lambda: fs.put_file(local_path, "openai://user_data/put.bin"))


def openaifs_put_unchecked(base_url: str, api_key: str, local_path: str) -> float:
    # No md5 at complete: what the SDK does; shows what the integrity check costs.
    return openaifs_put(base_url, api_key, local_path, checksum=False)


def sdk_put(base_url: str, api_key: str, local_path: str) -> float:
    from pathlib import Path

    import openai

    client = openai.OpenAI(api_key=api_key, base_url=base_url)
    return clock(
        lambda: client.uploads.upload_file_chunked(
            file=Path(local_path),
            mime_type="application/octet-stream",
            purpose="user_data",
            bytes=os.path.getsize(local_path),
            part_size=SDK_PART_SIZE,
        )
    )


def openaifs_write_spooled(base_url: str, api_key: str, local_path: str) -> float:
    fs = _filesystem(base_url, api_key)
    fs.ls("openai://user_data")
    return clock(lambda: _write_in_pieces(fs, "openai://user_data/spooled.bin", local_path))


def openaifs_write_sized(base_url: str, api_key: str, local_path: str) -> float:
    fs = _filesystem(base_url, api_key)
    fs.ls("openai://user_data")
    size = os.path.getsize(local_path)
    return clock(lambda: _write_in_pieces(fs, "openai://user_data/sized.bin", local_path, size))


SDK_CASE = "SDK upload_file_chunked (64 MiB parts)"
CASES = [
    ("fs.put_file", openaifs_put),
    ("fs.put_file, checksum=False", openaifs_put_unchecked),
    (SDK_CASE, sdk_put),
    ("fs.open('wb'), 1 MiB writes (spooled)", openaifs_write_spooled),
    ("fs.open('wb', size=), 1 MiB writes (streamed)", openaifs_write_sized),
]


def run_condition(flags: tuple[str, ...], source: str, repeat: int) -> dict[str, dict]:
    """Every case against one server, ``repeat`` rounds (cases interleaved); for each case the
    round with the shortest time: ``{case: {"seconds", "cpu", "server_cpu", "peak"}}``."""
    best: dict[str, dict] = {}
    with server(*flags) as process:
        for _ in range(repeat):
            for name, func in CASES:
                (seconds, cpu), peak, server_cpu = measure_against(
                    process, func, process.base_url, process.api_key, source
                )
                process.reset()  # drop the new file: every case starts from an empty store
                print(f"  {name}: {seconds:.2f} s, peak RSS {mib(peak)}")
                if name not in best or seconds < best[name]["seconds"]:
                    best[name] = dict(seconds=seconds, cpu=cpu, server_cpu=server_cpu, peak=peak)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="file size (1024)")
    parser.add_argument("--only", choices=["unshaped", "shaped"], help="run one condition")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the best is shown (1)")
    args = parser.parse_args()
    size = args.size_mib * MiB
    conditions = [("unshaped", ()), ("shaped", SHAPING)]
    conditions = [c for c in conditions if args.only in (None, c[0])]

    results = {}
    with scratch_dir("openaifs-bench-put-") as scratch:
        source = random_file(os.path.join(scratch, "source.bin"), size)
        for label, flags in conditions:
            print(f"{label}:")
            results[label] = run_condition(flags, source, args.repeat)

    for label, flags in conditions:
        sdk_seconds = results[label][SDK_CASE]["seconds"]
        rows = [
            [
                name,
                f"{r['seconds']:.2f} s",
                f"{rate(size, r['seconds']):.0f}",
                f"{sdk_seconds / r['seconds']:.2f}x",
                f"{r['cpu']:.2f} s",
                f"{r['server_cpu']:.2f} s",
                f"{cpu_floor(r):.2f} s ({sdk_seconds / cpu_floor(r):.2f}x)",
                mib(r["peak"]),
            ]
            for name, r in results[label].items()
        ]
        rows += baseline_rows(8)
        shaping = f" (server {' '.join(flags)})" if flags else ""
        print_table(
            f"Upload of {args.size_mib} MiB, {label}{shaping}, best of {args.repeat}",
            [
                "operation",
                "time",
                "MB/s",
                "vs SDK",
                "worker CPU",
                "server CPU",
                "CPU floor (vs SDK)",
                "peak RSS",
            ],
            rows,
        )
    print(
        f"CPU floor: (worker CPU + server CPU) / {os.cpu_count()} CPUs, the least time the "
        "case could take on this machine if both processes kept every CPU busy; beside it, "
        "the best ratio to the SDK that floor allows. Unshaped, where client and server share "
        "the CPUs, a case whose floor is above the SDK's time cannot match the SDK here."
    )
    print(f"machine: {machine_notes()}")


def cpu_floor(result: dict) -> float:
    """The least wall time the CPU seconds of ``result`` allow on this machine's CPUs."""
    return (result["cpu"] + result["server_cpu"]) / (os.cpu_count() or 1)


if __name__ == "__main__":
    main()
