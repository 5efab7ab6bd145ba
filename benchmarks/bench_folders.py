"""Folder views on a warm listing: 100,000 files in 1,000 folders against the same number flat.

No server: the filesystem's listing is filled with synthetic File objects, as one
``GET /files`` would fill it, so every figure is the client's own work (warm views make no
request; the tests in ``tests/test_folders.py`` count requests against the local server).
Rows: ``ls`` of the flat purpose, ``find`` of the foldered purpose, ``ls``/``info`` of one
folder, ``find`` of one folder, and recording one write in a purpose of 100 and of 100,000.

Run: ``python benchmarks/bench_folders.py [--files 100000] [--folders 1000]``
"""

from __future__ import annotations

import argparse
import time

from openaifs import OpenAIFileSystem


def files(count: int, folders: int, purpose: str) -> list[dict]:
    per = max(1, count // folders) if folders else count
    out = []
    for i in range(count):
        name = f"d{i // per:04d}/part-{i:06d}.parquet" if folders else f"part-{i:06d}.parquet"
        out.append(
            {
                "id": f"file-{purpose}{i}",
                "object": "file",
                "bytes": 10,
                "created_at": 1_700_000_000 + i,
                "filename": name,
                "purpose": purpose,
                "status": "processed",
                "expires_at": None,
            }
        )
    return out


def best(func, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--folders", type=int, default=1_000)
    args = parser.parse_args()
    fs = OpenAIFileSystem(
        api_key="sk-bench",
        base_url="http://127.0.0.1:9/v1",
        skip_instance_cache=True,
        listings_expiry_time=None,
    )
    start = time.perf_counter()
    fs.metadata.store_listing(
        files(args.files, 0, "batch") + files(args.files, args.folders, "user_data")
    )
    build = time.perf_counter() - start
    rows = [
        ("index 2 x N files (one listing)", build),
        ("ls flat purpose (N files)", best(lambda: fs.ls("batch", detail=True))),
        ("find foldered purpose (N files)", best(lambda: fs.find("user_data", detail=True))),
        ("ls foldered purpose (folders)", best(lambda: fs.ls("user_data"))),
        ("ls one folder", best(lambda: fs.ls("user_data/d0500"), 50)),
        ("info one folder", best(lambda: fs.info("user_data/d0500"), 50)),
        ("find one folder", best(lambda: fs.find("user_data/d0500"), 50)),
        ("glob user_data/**/part-00001*", best(lambda: fs.glob("user_data/**/part-00001*"))),
    ]
    small = OpenAIFileSystem(
        api_key="sk-bench",
        base_url="http://127.0.0.1:9/v1",
        skip_instance_cache=True,
        listings_expiry_time=None,
    )
    small.metadata.store_listing(files(100, 10, "user_data"))
    new = files(1, 1, "evals")[0] | {"purpose": "user_data", "filename": "d0500/new.parquet"}

    def record(target):
        def run():
            target.metadata.added(dict(new))
            target.metadata.removed([new["id"]])

        return run

    rows.append(("record a write+delete, 100 files", best(record(small), 200)))
    rows.append(("record a write+delete, N files", best(record(fs), 200)))
    print(f"N = {args.files:,} files, {args.folders:,} folders")
    for label, seconds in rows:
        print(f"{label:<40} {seconds * 1000:10.3f} ms")


if __name__ == "__main__":
    main()
