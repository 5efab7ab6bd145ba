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

from _common import (
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

RANGE = 64 * MiB
READ_SIZE = 4 * MiB


def openaifs_get(base_url: str, api_key: str, file_id: str, local_path: str) -> float:
    from openaifs import OpenAIFileSystem

    fs = OpenAIFileSystem(api_key=api_key, base_url=base_url)
    fs.info(file_id)  # metadata outside the timing: only the transfer is measured
    result = clock(lambda: fs.get_file(file_id, local_path))
    os.unlink(local_path)
    return result


def sdk_get(base_url: str, api_key: str, file_id: str, local_path: str) -> float:
    import openai

    client = openai.OpenAI(api_key=api_key, base_url=base_url)

    def download() -> None:
        with (
            client.files.with_streaming_response.content(file_id) as response,
            open(local_path, "wb") as out,
        ):
            for chunk in response.iter_bytes():
                out.write(chunk)

    result = clock(download)
    os.unlink(local_path)
    return result


def openaifs_cat_range(base_url: str, api_key: str, file_id: str, start_at: int) -> float:
    from openaifs import OpenAIFileSystem

    fs = OpenAIFileSystem(api_key=api_key, base_url=base_url)
    fs.info(file_id)
    return clock(lambda: fs.cat_file(file_id, start_at, start_at + RANGE))


def openaifs_read(base_url: str, api_key: str, file_id: str) -> float:
    from openaifs import OpenAIFileSystem

    fs = OpenAIFileSystem(api_key=api_key, base_url=base_url)
    fs.info(file_id)

    def read() -> None:
        with fs.open(file_id, "rb") as f:
            while f.read(READ_SIZE):
                pass

    return clock(read)


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

            cases = [
                ("fs.get_file", size, openaifs_get, (target,)),
                ("SDK streamed content (iter_bytes)", size, sdk_get, (target,)),
                (
                    f"fs.cat_file, {RANGE // MiB} MiB from the middle",
                    RANGE,
                    openaifs_cat_range,
                    (middle_of(size),),
                ),
                (f"fs.open().read({READ_SIZE // MiB} MiB) to the end", size, openaifs_read, ()),
            ]
            results = {}
            for name, count, func, extra in cases:
                (seconds, cpu), peak, server_cpu = measure_against(process, func, *common, *extra)
                results[name] = (count, seconds, cpu, server_cpu, peak)

    ours, theirs = results["fs.get_file"], results["SDK streamed content (iter_bytes)"]
    rows = [
        [
            name,
            f"{seconds:.2f} s",
            f"{rate(count, seconds):.0f}",
            f"{cpu:.2f} s",
            f"{server_cpu:.2f} s",
            mib(peak),
        ]
        for name, (count, seconds, cpu, server_cpu, peak) in results.items()
    ]
    rows += baseline_rows(6)
    print_table(
        f"Download of a {args.size_mib} MiB file",
        ["operation", "time", "MB/s", "worker CPU", "server CPU", "peak RSS"],
        rows,
    )
    print(f"openaifs / SDK throughput: {theirs[1] / ours[1]:.2f}x")
    print(f"machine: {machine_notes()}")
    print(
        f"targets: get_file peak RSS < 100 MiB: {ours[4] < 100 * MiB}; "
        f"throughput >= SDK: {ours[1] <= theirs[1]}"
    )


def middle_of(size: int) -> int:
    """Where a 64 MiB range centred in the file starts."""
    return max(0, size // 2 - RANGE // 2)


if __name__ == "__main__":
    main()
