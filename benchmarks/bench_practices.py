"""Best-practices benchmark: bytes re-sent after a ``kill -9`` mid-put, and ``fs.merge`` speed.

1. **Resume.** A child process puts a random file (default 160 MiB) to a shaped server
   (``--per-connection-bps``, so the put takes seconds); once the server has received half of
   the file's bytes, the child is killed with SIGKILL. The same put then runs again (unshaped)
   and the server counts the bytes it receives: with ``resume=False`` (the behaviour before
   the journal) and with resume on (default options: 32 MiB ``part_size``, which a resumable
   upload of this size lowers to 8 MiB; and 4 MiB).
2. **Merge.** N local files (default 4 x 40 MiB) made into one remote file: ``fs.merge`` (parts
   straight from each file) against writing the concatenation locally and then
   ``fs.put_file`` of it, and against ``put_file`` of an already concatenated file.

Run: ``python benchmarks/bench_practices.py [--size-mib 160] [--pieces 4]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from _common import (
    MiB,
    clock,
    machine_notes,
    mib,
    print_table,
    random_file,
    rate,
    scratch_dir,
    server,
)

CHILD = """
import sys
from openaifs import OpenAIFileSystem
fs = OpenAIFileSystem(api_key=sys.argv[1], base_url=sys.argv[2], part_size=int(sys.argv[4]),
                      resume=sys.argv[5] == "1", skip_instance_cache=True)
fs.put_file(sys.argv[3], "openai://user_data/resume.bin")
"""


def _fs(process, **options):
    from openaifs import OpenAIFileSystem

    return OpenAIFileSystem(
        api_key=process.api_key, base_url=process.base_url, skip_instance_cache=True, **options
    )


def killed_then_rerun(process, local: str, size: int, part_size: int, resume: bool) -> list:
    """Kill a put at half the bytes, rerun it; return a table row."""
    process.reset()
    cache = tempfile.mkdtemp(prefix="openaifs-bench-cache-")
    env = {**os.environ, "XDG_CACHE_HOME": cache}
    process.configure(per_connection_bps=8_000_000)
    process.clear_stats()
    args = [process.api_key, process.base_url, local, str(part_size), "1" if resume else "0"]
    child = subprocess.Popen([sys.executable, "-c", CHILD, *args], env=env)
    while process.stats()["bytes_in"] < size // 2 and child.poll() is None:
        time.sleep(0.01)
    child.kill()
    child.wait()
    at_kill = process.stats()["bytes_in"]
    process.configure(per_connection_bps=0)
    # The dead child's bytes still in socket buffers arrive after the kill: let them.
    sent_before = -1
    while sent_before != process.stats()["bytes_in"]:
        sent_before = process.stats()["bytes_in"]
        time.sleep(0.5)
    process.clear_stats()
    os.environ["XDG_CACHE_HOME"] = cache
    seconds, cpu = clock(
        lambda: _fs(process, part_size=part_size, resume=resume).put_file(
            local, "openai://user_data/resume.bin"
        )
    )
    stats = process.stats()
    resent = stats["bytes_in"]
    return [
        "resume" if resume else "resume=False",
        mib(part_size),
        f"{at_kill / size:.0%} ({sent_before / size:.0%})",
        stats["requests"].get("uploads.parts.create", 0),
        f"{resent / MiB:.1f} MiB",
        f"{resent / size:.0%}",
        f"{seconds:.2f} s",
        f"{cpu:.2f} s",
    ]


def merge_rows(process, pieces: list[str], whole: str, size: int) -> list[list]:
    fs = _fs(process)
    fs.ls("openai://user_data")

    def concatenate_then_put() -> None:
        joined = whole + ".joined"
        with open(joined, "wb") as out:
            for piece in pieces:
                with open(piece, "rb") as source:
                    while chunk := source.read(8 * MiB):
                        out.write(chunk)
        fs.put_file(joined, "openai://user_data/joined.bin", resume=False)
        os.unlink(joined)

    cases = [
        ("fs.merge(local pieces)", lambda: fs.merge("openai://user_data/merged.bin", pieces)),
        ("concatenate locally + put_file", concatenate_then_put),
        ("put_file(concatenated)", lambda: fs.put_file(whole, "openai://user_data/w.bin")),
        (
            "put_file(concatenated, resume=False)",
            lambda: fs.put_file(whole, "openai://user_data/w.bin", resume=False),
        ),
    ]
    timings = [(name, *clock(op)) for name, op in cases]
    base = timings[1][1]
    return [
        [
            name,
            f"{wall:.2f} s",
            f"{cpu:.2f} s",
            f"{rate(size, wall):.0f} MB/s",
            f"{base / wall:.2f}x",
        ]
        for name, wall, cpu in timings
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=160)
    parser.add_argument("--pieces", type=int, default=4)
    options = parser.parse_args()
    size = options.size_mib * MiB
    print(machine_notes())
    with scratch_dir("openaifs-bench-practices-") as folder, server() as process:
        local = random_file(os.path.join(folder, "whole.bin"), size)
        rows = [
            killed_then_rerun(process, local, size, 32 * MiB, resume=False),
            killed_then_rerun(process, local, size, 32 * MiB, resume=True),
            killed_then_rerun(process, local, size, 4 * MiB, resume=True),
        ]
        print_table(
            f"Kill -9 at half of a {options.size_mib} MiB put, then the same put again",
            [
                "rerun",
                "part_size option",
                "received at kill (settled)",
                "parts sent",
                "re-sent",
                "of file",
                "rerun time",
                "rerun client CPU",
            ],
            rows,
        )
        step = size // options.pieces
        pieces = []
        with open(local, "rb") as source:
            for i in range(options.pieces):
                path = os.path.join(folder, f"piece-{i}.bin")
                with open(path, "wb") as out:
                    out.write(source.read(step if i < options.pieces - 1 else size))
                pieces.append(path)
        process.reset()
        print_table(
            f"{options.pieces} local files, {options.size_mib} MiB in all, into one remote file",
            ["how", "time", "client CPU", "throughput", "speed vs concatenate + put"],
            merge_rows(process, pieces, local, size),
        )


if __name__ == "__main__":
    main()
