"""Azure benchmark: the same openaifs work through the server's Azure face and through ``/v1``.

One ``--azure`` server subprocess; for each face in turn (interleaved rounds, fastest kept),
a fresh worker makes a filesystem and times ``put_file`` of a random file (multipart), its
``get_file`` to local disk, and ``--lookups`` ``info(refresh=True)`` calls (one
``GET /files/{id}`` each, since ``info`` of a file id asks the service when refreshed). The
ratio column shows what the Azure face (``api-version`` and ``api-key`` checked, then the same
handlers) costs over ``/v1``.

Run: ``python benchmarks/bench_azure.py [--size-mib 256] [--lookups 300] [--repeat 2]``
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from _common import (
    MiB,
    clock,
    machine_notes,
    measure_against,
    print_table,
    random_file,
    rate,
    scratch_dir,
    server,
)

KEY = "bench-azure-key"
VERSION = "2024-10-21"


def work(face: str, url: str, source: str, target: str, lookups: int) -> dict[str, Any]:
    """In a worker: put, get and ``lookups`` refreshed infos through one face."""
    from openaifs import OpenAIFileSystem

    if face == "azure":
        options = {"azure_endpoint": url, "api_version": VERSION}
    else:
        options = {"base_url": url + "/v1"}
    fs = OpenAIFileSystem(api_key=KEY, skip_instance_cache=True, **options)
    name = f"openai://user_data/bench-{face}.bin"
    put_s, put_cpu = clock(lambda: fs.put_file(source, name))
    get_s, _ = clock(lambda: fs.get_file(name, target))
    file_id = fs.info(name)["id"]
    info_s, _ = clock(lambda: [fs.info(file_id, refresh=True) for _ in range(lookups)])
    fs.rm(name)
    return {"put": put_s, "put_cpu": put_cpu, "get": get_s, "info": info_s / lookups}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    size = args.size_mib * MiB
    best: dict[str, dict[str, float]] = {}
    with scratch_dir("openaifs-bench-azure-") as scratch, server("--azure") as process:
        source = random_file(os.path.join(scratch, "source.bin"), size)
        target = os.path.join(scratch, "target.bin")
        for _ in range(args.repeat):
            for face in ("v1", "azure"):
                result, _, server_cpu = measure_against(
                    process, work, face, process.url, source, target, args.lookups
                )
                result["server_cpu"] = server_cpu
                kept = best.setdefault(face, result)
                for key, value in result.items():
                    kept[key] = min(kept[key], value)
    v1, azure = best["v1"], best["azure"]
    rows = [
        ["put_file MB/s", f"{rate(size, v1['put']):.0f}", f"{rate(size, azure['put']):.0f}"],
        ["get_file MB/s", f"{rate(size, v1['get']):.0f}", f"{rate(size, azure['get']):.0f}"],
        ["info(refresh) ms", f"{v1['info'] * 1e3:.2f}", f"{azure['info'] * 1e3:.2f}"],
        ["server CPU s", f"{v1['server_cpu']:.2f}", f"{azure['server_cpu']:.2f}"],
    ]
    for row in rows:
        ratio = float(row[2]) / float(row[1])
        row.append(f"{ratio:.2f}")
    print_table(
        f"openaifs through /v1 and the Azure face ({args.size_mib} MiB, {args.lookups} infos)",
        ["measure", "/v1", "Azure", "Azure / v1"],
        rows,
    )
    print(machine_notes())


if __name__ == "__main__":
    main()
