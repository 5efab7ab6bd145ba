"""Where the time of one large ``put`` and one large ``get`` goes.

For a random file (256 MiB by default) it uploads with :func:`openaifs.upload.upload_local_file`
(what ``fs.put_file`` calls) and downloads with :func:`openaifs.download.download_to_file`,
each in a fresh worker with timing hooks on, against a server unshaped and shaped
(``--latency-ms 40 --per-connection-bps 25000000``; downloads also with ``--honour-range``).
It prints the split: creating the Upload, reading, hashing, each part's send, waiting for the
last parts, completing; for downloads the first answer, each range, writing.

Run: ``python benchmarks/bench_breakdown.py [--size-mib N]``  (default 256)
"""

from __future__ import annotations

import argparse
import os

from _common import (
    MB,
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

RATE = SHAPED_RATE


def timed_put(base_url: str, api_key: str, local_path: str) -> object:
    from openaifs import OpenAIFileSystem
    from openaifs.upload import UploadTimings, upload_local_file

    fs = OpenAIFileSystem(api_key=api_key, base_url=base_url, skip_instance_cache=True)
    timings = UploadTimings()
    _, cpu = clock(
        lambda: upload_local_file(
            fs.client,
            local_path,
            os.path.getsize(local_path),
            path="openai://user_data/put.bin",
            filename="put.bin",
            purpose="user_data",
            mime_type="application/octet-stream",
            settings=fs.upload_settings,
            timings=timings,
        )
    )
    return timings, fs.upload_settings, cpu


def timed_get(base_url: str, api_key: str, file: dict, local_path: str) -> object:
    from openaifs.client import APIClient
    from openaifs.download import DownloadSettings, DownloadTimings, download_to_file

    client = APIClient(api_key, base_url)
    timings = DownloadTimings()
    settings = DownloadSettings()
    _, cpu = clock(
        lambda: download_to_file(
            client, file, local_path, path="openai://x", settings=settings, timings=timings
        )
    )
    os.unlink(local_path)
    return timings, cpu


def _spread(parts: list[tuple[int, float, float]]) -> str:
    """A part's duration and rate: min / median / max over the parts."""
    if not parts:
        return "-"
    durations = sorted(end - began for _, began, end in parts)
    rates = sorted(n / (end - began) / MB for n, began, end in parts if end > began)
    middle = len(durations) // 2
    return (
        f"{len(parts)} parts of {mib(parts[0][0])}: {durations[0]:.2f} / "
        f"{durations[middle]:.2f} / {durations[-1]:.2f} s each, "
        f"{rates[0]:.0f} / {rates[len(rates) // 2]:.0f} / {rates[-1]:.0f} MB/s"
    )


def put_rows(timings, settings, size: int, shaped: bool) -> list[list[str]]:
    connections = min(settings.concurrency, len(timings.parts))
    first = min(began for _, began, _ in timings.parts)
    last = max(end for _, _, end in timings.parts)
    rows = [
        ["create Upload", f"{timings.create:.2f} s", "POST /uploads"],
        ["read parts (summed)", f"{timings.read:.2f} s", "once each, into memory"],
        ["md5 of the whole (summed)", f"{timings.hash:.2f} s", "own thread, beside the sends"],
        ["send parts", f"{last - first:.2f} s", _spread(timings.parts)],
        ["wait for the last parts", f"{timings.wait:.2f} s", "after the last was handed over"],
        ["complete", f"{timings.complete:.2f} s", "the service joins and checks"],
        ["total", f"{timings.total:.2f} s", f"{size / timings.total / MB:.0f} MB/s"],
    ]
    if shaped:
        limit = connections * RATE
        rows.append(
            [
                "shaped limit",
                f"{size / limit:.2f} s",
                f"{connections} connections x 25 MB/s: "
                f"{size / limit / timings.total:.0%} of the limit reached",
            ]
        )
    return rows


def get_rows(timings, size: int, shaped: bool) -> list[list[str]]:
    rows = [
        ["first answer", f"{timings.first_answer:.2f} s", "tells whether ranges work"],
        ["ranges" if timings.ranged else "one stream", "", _spread(timings.parts)],
        ["write (summed)", f"{timings.write:.2f} s", "pwrite into the partial file"],
        ["total", f"{timings.total:.2f} s", f"{size / timings.total / MB:.0f} MB/s"],
    ]
    if shaped:
        connections = len(timings.parts)
        limit = connections * RATE
        rows.append(
            [
                "shaped limit",
                f"{size / limit:.2f} s",
                f"{connections} connection(s) x 25 MB/s: "
                f"{size / limit / timings.total:.0%} of the limit reached",
            ]
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=256, help="file size (256)")
    args = parser.parse_args()
    size = args.size_mib * MiB
    headers = ["phase", "time", "detail"]
    with scratch_dir("openaifs-bench-breakdown-") as scratch:
        source = random_file(os.path.join(scratch, "source.bin"), size)
        target = os.path.join(scratch, "download.bin")
        for label, flags in [("unshaped", ()), ("shaped", SHAPING)]:
            with server(*flags) as process:
                (timings, settings, cpu), peak, server_cpu = measure_against(
                    process, timed_put, process.base_url, process.api_key, source
                )
                print_table(
                    f"put of {args.size_mib} MiB, {label} (peak RSS {mib(peak)}, "
                    f"CPU: client {cpu:.2f} s, server {server_cpu:.2f} s)",
                    headers,
                    put_rows(timings, settings, size, bool(flags)),
                )
            for ranges in (False, True):
                extra = ("--honour-range",) if ranges else ()
                with server(*flags, *extra) as process:
                    file = store_file(process, source)
                    (timings, cpu), peak, server_cpu = measure_against(
                        process, timed_get, process.base_url, process.api_key, file, target
                    )
                    print_table(
                        f"get of {args.size_mib} MiB, {label}, server "
                        f"{'honours' if ranges else 'ignores'} ranges (peak RSS {mib(peak)}, "
                        f"CPU: client {cpu:.2f} s, server {server_cpu:.2f} s)",
                        headers,
                        get_rows(timings, size, bool(flags)),
                    )
    print(f"machine: {machine_notes()}")


if __name__ == "__main__":
    main()
