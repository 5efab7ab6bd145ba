"""The plot of ``docs/performance.md``: throughput against concurrency and part size.

On the shaped server (``--latency-ms 40 --per-connection-bps 25000000``, plus
``--honour-range`` for downloads) it uploads a random file (256 MiB by default) with
:func:`openaifs.upload.upload_local_file` and downloads it with
:func:`openaifs.download.download_to_file`, for each concurrency and part (or range) size of
the grid, each in a fresh worker; then draws MB/s against concurrency, one line per part
size, with the shaped limit (connections x 25 MB/s) for reference, and writes the PNG.

Run: ``python benchmarks/bench_plot.py [--size-mib 256] [--out docs/_static/performance.png]``
(needs matplotlib)
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

CONCURRENCY = (1, 2, 4, 8, 12, 16)
PART_MIB = (8, 16, 32, 64)
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "docs", "_static", "performance.png")


def put_with(
    base_url: str, api_key: str, local_path: str, part_size: int, concurrency: int
) -> tuple[float, float]:
    from openaifs.client import APIClient
    from openaifs.upload import UploadSettings, upload_local_file

    client = APIClient(api_key, base_url, pool_size=max(16, 2 * concurrency))
    settings = UploadSettings(
        part_size=part_size,
        threshold=part_size,
        concurrency=concurrency,
        memory=part_size * concurrency,
    )
    return clock(
        lambda: upload_local_file(
            client,
            local_path,
            os.path.getsize(local_path),
            path="openai://user_data/plot.bin",
            filename="plot.bin",
            purpose="user_data",
            mime_type="application/octet-stream",
            settings=settings,
        )
    )


def get_with(
    base_url: str, api_key: str, file: dict, local_path: str, part_size: int, concurrency: int
) -> tuple[float, float]:
    from openaifs.client import APIClient
    from openaifs.download import DownloadSettings, download_to_file

    client = APIClient(api_key, base_url, pool_size=max(16, 2 * concurrency))
    settings = DownloadSettings(part_size=part_size, concurrency=concurrency)
    result = clock(
        lambda: download_to_file(client, file, local_path, path="openai://x", settings=settings)
    )
    os.unlink(local_path)
    return result


def sweep(size: int, source: str, target: str) -> dict[str, dict[int, list[tuple]]]:
    """``{"put"|"get": {part MiB: [(concurrency, MB/s, peak), ...]}}``."""
    found: dict[str, dict[int, list[tuple]]] = {"put": {}, "get": {}}
    with server(*SHAPING) as putting, server(*SHAPING, "--honour-range") as getting:
        file = store_file(getting, source)
        for part in PART_MIB:
            for concurrency in CONCURRENCY:
                (seconds, _), peak, _ = measure_against(
                    putting,
                    put_with,
                    putting.base_url,
                    putting.api_key,
                    source,
                    part * MiB,
                    concurrency,
                )
                putting.reset()
                found["put"].setdefault(part, []).append((concurrency, size / seconds / MB, peak))
                (seconds, _), peak, _ = measure_against(
                    getting,
                    get_with,
                    getting.base_url,
                    getting.api_key,
                    file,
                    target,
                    part * MiB,
                    concurrency,
                )
                found["get"].setdefault(part, []).append((concurrency, size / seconds / MB, peak))
                print(
                    f"  {part} MiB x {concurrency}: put {found['put'][part][-1][1]:.0f} MB/s, "
                    f"get {found['get'][part][-1][1]:.0f} MB/s",
                    flush=True,
                )
    return found


def draw(found: dict[str, dict[int, list[tuple]]], size_mib: int, out: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    limit = [c * SHAPED_RATE / MB for c in CONCURRENCY]
    for axis, kind, title in [
        (axes[0], "put", f"put_file of {size_mib} MiB (largest part)"),
        (axes[1], "get", f"get of {size_mib} MiB, ranges honoured (largest range)"),
    ]:
        axis.plot(CONCURRENCY, limit, "k:", label="limit: connections x 25 MB/s")
        for part, points in sorted(found[kind].items()):
            axis.plot(
                [c for c, _, _ in points], [r for _, r, _ in points], "o-", label=f"{part} MiB"
            )
        axis.set_title(title)
        axis.set_xlabel("concurrency (connections)")
        axis.set_xticks(CONCURRENCY)
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=8)
    axes[0].set_ylabel("MB/s (shaped: 40 ms, 25 MB/s per connection)")
    figure.tight_layout()
    os.makedirs(os.path.dirname(out), exist_ok=True)
    figure.savefig(out, dpi=90)
    print(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=256, help="file size (256)")
    parser.add_argument("--out", default=DEFAULT_OUT, help="the PNG to write")
    args = parser.parse_args()
    size = args.size_mib * MiB
    with scratch_dir("openaifs-bench-plot-") as scratch:
        source = random_file(os.path.join(scratch, "source.bin"), size)
        found = sweep(size, source, os.path.join(scratch, "download.bin"))
    rows = [
        [kind, f"{part} MiB", str(c), f"{rate:.0f}", mib(peak)]
        for kind, by_part in found.items()
        for part, points in sorted(by_part.items())
        for c, rate, peak in points
    ]
    print_table(
        f"Throughput of {args.size_mib} MiB, shaped",
        ["operation", "part size", "concurrency", "MB/s", "peak RSS"],
        rows,
    )
    draw(found, args.size_mib, os.path.abspath(args.out))
    print(f"machine: {machine_notes()}")


if __name__ == "__main__":
    main()
