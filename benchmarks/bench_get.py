"""Download benchmark: one large file on a server with ``--data-dir`` under /tmp.

Compares ``fs.get_file`` with the official SDK's streamed download
(``client.files.with_streaming_response.content(id)``, ``iter_bytes`` into a file) in the
same run, then ``fs.cat_file`` of a 64 MiB range from the middle and a sequential
``fs.open().read()``. Each runs in a fresh worker process: the times exclude start-up and
the peak RSS is that worker's alone.

Run: ``python benchmarks/bench_get.py [--size-mib N]``  (default 1024)
"""

from __future__ import annotations

import argparse
import os
import time

from _common import (
    MiB,
    baseline_rows,
    machine_notes,
    measure,
    mib,
    print_table,
    random_file,
    rate,
    scratch_dir,
    server,
)

RANGE = 64 * MiB
READ_SIZE = 4 * MiB


def openaifs_get(base_url: str, api_key: str, file_id: str, local_path: str) -> float:
    from openaifs import OpenAIFileSystem

    fs = OpenAIFileSystem(api_key=api_key, base_url=base_url)
    fs.info(file_id)  # metadata outside the timing: only the transfer is measured
    start = time.perf_counter()
    fs.get_file(file_id, local_path)
    seconds = time.perf_counter() - start
    os.unlink(local_path)
    return seconds


def sdk_get(base_url: str, api_key: str, file_id: str, local_path: str) -> float:
    import openai

    client = openai.OpenAI(api_key=api_key, base_url=base_url)
    start = time.perf_counter()
    with (
        client.files.with_streaming_response.content(file_id) as response,
        open(local_path, "wb") as out,
    ):
        for chunk in response.iter_bytes():
            out.write(chunk)
    seconds = time.perf_counter() - start
    os.unlink(local_path)
    return seconds


def openaifs_cat_range(base_url: str, api_key: str, file_id: str, start_at: int) -> float:
    from openaifs import OpenAIFileSystem

    fs = OpenAIFileSystem(api_key=api_key, base_url=base_url)
    fs.info(file_id)
    start = time.perf_counter()
    data = fs.cat_file(file_id, start_at, start_at + RANGE)
    seconds = time.perf_counter() - start
    assert len(data) == RANGE
    return seconds


def openaifs_read(base_url: str, api_key: str, file_id: str) -> float:
    from openaifs import OpenAIFileSystem

    fs = OpenAIFileSystem(api_key=api_key, base_url=base_url)
    fs.info(file_id)
    start = time.perf_counter()
    with fs.open(file_id, "rb") as f:
        while f.read(READ_SIZE):
            pass
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="file size (1024)")
    args = parser.parse_args()
    size = args.size_mib * MiB

    with scratch_dir("openaifs-bench-get-") as scratch:
        data_dir = os.path.join(scratch, "server")
        source = random_file(os.path.join(scratch, "source.bin"), size)
        target = os.path.join(scratch, "download.bin")
        with server(data_dir=data_dir) as process:
            from openaifs import OpenAIFileSystem

            fs = OpenAIFileSystem(api_key=process.api_key, base_url=process.base_url)
            fs.put_file(source, "openai://user_data/source.bin")
            file_id = fs.info("openai://user_data/source.bin")["id"]
            os.unlink(source)
            common = (process.base_url, process.api_key, file_id)

            ours, ours_peak = measure(openaifs_get, *common, target)
            theirs, theirs_peak = measure(sdk_get, *common, target)
            middle = max(0, size // 2 - RANGE // 2) if size > RANGE else 0
            cat, cat_peak = measure(openaifs_cat_range, *common, middle)
            read, read_peak = measure(openaifs_read, *common)

    rows = [
        *baseline_rows(),
        ["fs.get_file", f"{ours:.2f} s", f"{rate(size, ours):.0f}", mib(ours_peak)],
        ["SDK streamed content", f"{theirs:.2f} s", f"{rate(size, theirs):.0f}", mib(theirs_peak)],
        [
            f"fs.cat_file, {RANGE // MiB} MiB at {middle // MiB} MiB",
            f"{cat:.2f} s",
            f"{rate(RANGE, cat):.0f}",
            mib(cat_peak),
        ],
        [
            f"fs.open().read({READ_SIZE // MiB} MiB) to the end",
            f"{read:.2f} s",
            f"{rate(size, read):.0f}",
            mib(read_peak),
        ],
    ]
    print_table(
        f"Download of a {args.size_mib} MiB file",
        ["operation", "time", "MB/s", "peak RSS of worker"],
        rows,
    )
    print(f"openaifs / SDK throughput: {theirs / ours:.2f}x")
    print(f"machine: {machine_notes()}")
    print(
        f"targets: get_file peak RSS < 100 MiB: {ours_peak < 100 * MiB}; "
        f"throughput >= SDK: {ours <= theirs}"
    )


if __name__ == "__main__":
    main()
