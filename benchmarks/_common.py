"""Helpers shared by the benchmarks: a server subprocess, measured worker processes,
random files and result tables.

Every measured operation runs in a fresh interpreter (:func:`measure`), so its peak RSS is
its own: the server is a separate subprocess and the benchmark driver's memory never mixes
in. Keep the benchmark modules' top-level imports to the standard library and this module,
so a worker starts from a bare interpreter and imports only what its operation needs.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime
import multiprocessing
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

MiB = 2**20
MB = 10**6
#: The shaped network of the figures: 40 ms latency, 25 MB/s per connection each way.
SHAPING = ("--latency-ms", "40", "--per-connection-bps", "25000000")
#: The per-connection rate of :data:`SHAPING`, bytes a second.
SHAPED_RATE = 25_000_000
#: Where benchmark data lives (the brief: /tmp, removed afterwards).
SCRATCH = "/tmp"


@contextlib.contextmanager
def server(*args: str, data_dir: str | None = None) -> Iterator[Any]:
    """A local server subprocess (``python -m openaifs.server``, controls on), stopped at exit.

    ``data_dir=None`` runs it ``--in-memory``; ``args`` are extra flags such as
    ``"--latency-ms", "40"``.
    """
    from openaifs.testing import ServerProcess

    flags = args if data_dir is not None else ("--in-memory", *args)
    with ServerProcess(*flags, data_dir=data_dir) as process:
        yield process


@contextlib.contextmanager
def scratch_dir(prefix: str) -> Iterator[str]:
    """A temporary directory under /tmp, removed with everything in it at exit."""
    path = tempfile.mkdtemp(prefix=prefix, dir=SCRATCH)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def store_file(process: Any, local_path: str, name: str = "source.bin") -> dict[str, Any]:
    """Upload ``local_path`` to the server ``process`` (from this process, untimed); return
    the File object."""
    from openaifs import OpenAIFileSystem

    fs = OpenAIFileSystem(
        api_key=process.api_key, base_url=process.base_url, skip_instance_cache=True
    )
    fs.put_file(local_path, f"openai://user_data/{name}")
    info = fs.info(f"openai://user_data/{name}")
    return {"id": info["id"], "bytes": info["size"]}


def random_file(path: str, size: int, chunk: int = 16 * MiB) -> str:
    """Write ``size`` random bytes to ``path`` and return ``path``."""
    with open(path, "wb") as f:
        for offset in range(0, size, chunk):
            f.write(os.urandom(min(chunk, size - offset)))
    return path


def peak_rss() -> int:
    """This process's peak RSS in bytes (``VmHWM``).

    Not ``getrusage(RUSAGE_SELF).ru_maxrss``: Linux carries that across ``execve``, so a
    spawned worker would report the peak of the parent it was forked from.
    """
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _run_measured(func: Callable[..., Any], args: tuple[Any, ...]) -> tuple[Any, int]:
    result = func(*args)
    return result, peak_rss()


def measure(func: Callable[..., Any], *args: Any) -> tuple[Any, int]:
    """Run ``func(*args)`` in a fresh interpreter; return its result and the worker's peak RSS
    in bytes.

    ``func`` must be a module-level function; it should import what it needs itself and
    time its own operation (so interpreter start-up and imports are not timed).
    """
    context = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(_run_measured, func, args).result()


def measure_against(process: Any, func: Callable[..., Any], *args: Any) -> tuple[Any, int, float]:
    """:func:`measure` ``func(*args)`` and also count the CPU seconds the server ``process``
    (a ``ServerProcess``) spent meanwhile: ``(result, peak_rss, server_cpu)``."""
    before = process_cpu(process.process.pid)
    result, peak = measure(func, *args)
    return result, peak, process_cpu(process.process.pid) - before


def clock(operation: Callable[[], Any]) -> tuple[float, float]:
    """Run ``operation()``; return the wall-clock seconds it took and the CPU seconds this
    process (all its threads) spent on it.

    CPU seconds are the steadier figure on a shared machine: other processes stretch the
    wall clock, not the work done.
    """
    cpu, start = _cpu_seconds(), time.perf_counter()
    operation()
    return time.perf_counter() - start, _cpu_seconds() - cpu


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def process_cpu(pid: int) -> float:
    """CPU seconds process ``pid`` has used so far (for the server's share of the work)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rate(size: int, seconds: float) -> float:
    """Throughput in MB/s (10**6 bytes a second)."""
    return size / seconds / MB


def mib(n: int) -> str:
    return f"{n / MiB:.0f} MiB"


def print_table(title: str, headers: list[str], rows: list[list[Any]]) -> None:
    """Print a Markdown table (ready to paste into the README)."""
    cells = [[str(c) for c in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    print(f"\n### {title}\n")
    print(line(cells[0]))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells[1:]:
        print(line(row))
    print()


def machine_notes() -> str:
    """One line describing where the figures come from."""
    import openai
    import requests

    with open("/proc/meminfo") as f:
        total_kib = int(f.readline().split()[1])
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{datetime.date.today().isoformat()}, {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} CPUs (load average {load}), {total_kib / 2**20:.0f} GiB RAM, "
        f"Python {platform.python_version()}, openai {openai.__version__}, "
        f"requests {requests.__version__}; server: `python -m openaifs.server` subprocess "
        "on 127.0.0.1"
    )


def idle_openaifs() -> None:
    """A worker that only makes a filesystem: the baseline of an openaifs worker's RSS."""
    from openaifs import OpenAIFileSystem

    OpenAIFileSystem(api_key="unused", base_url="http://127.0.0.1:9/v1")


def idle_sdk() -> None:
    """A worker that only makes an SDK client: the baseline of an SDK worker's RSS."""
    import openai

    openai.OpenAI(api_key="unused", base_url="http://127.0.0.1:9/v1")


def baseline_rows(columns: int) -> list[list[str]]:
    """Table rows (``columns`` wide) giving the peak RSS of idle openaifs and SDK workers:
    what importing the library costs before any transfer."""
    gap = [""] * (columns - 2)
    return [
        ["(idle openaifs worker: import + filesystem)", *gap, mib(measure(idle_openaifs)[1])],
        ["(idle SDK worker: import + client)", *gap, mib(measure(idle_sdk)[1])],
    ]
