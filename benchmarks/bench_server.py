"""Throughput of the local server through the official SDK, beside a raw loopback ceiling.

Run on demand::

    python benchmarks/bench_server.py [--size-mib 1024] [--mode disk|memory|both]

For each mode the server runs as a subprocess (``--data-dir`` on a temporary directory, or
``--in-memory``). Figures are MB/s (10**6 bytes per second) for:

* ceiling send / receive: a plain TCP socket on 127.0.0.1 moving the same number of bytes;
* ingest: ``files.create`` from a path (the SDK reads it into memory first) and from an open file;
* egress: ``files.content`` via ``with_streaming_response``, read to nowhere in 1 MiB chunks.
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable

import openai

from openaifs.testing import ServerProcess

CHUNK = 1024 * 1024


def mb_per_s(size: int, seconds: float) -> float:
    return size / seconds / 1e6


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def loopback(size: int, server_sends: bool) -> float:
    """Seconds to move ``size`` bytes over one loopback TCP connection (a thread on each end)."""
    listener = socket.create_server(("127.0.0.1", 0))
    buffer = bytearray(CHUNK)

    def pump(sock: socket.socket, sending: bool) -> None:
        if sending:
            view = memoryview(buffer)
            left = size
            while left:
                sent = sock.send(view[: min(CHUNK, left)])
                left -= sent
            sock.shutdown(socket.SHUT_WR)
        else:
            sink = bytearray(CHUNK)
            while sock.recv_into(sink):
                pass

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            pump(conn, server_sends)

    thread = threading.Thread(target=serve)
    thread.start()
    started = time.perf_counter()
    with socket.create_connection(listener.getsockname()) as client:
        pump(client, not server_sends)
    thread.join()
    listener.close()
    return time.perf_counter() - started


def make_source(path: str, size: int) -> None:
    block = os.urandom(CHUNK)
    with open(path, "wb") as out:
        for start in range(0, size, CHUNK):
            out.write(block[: min(CHUNK, size - start)])


def bench_server(extra: list[str], source: str, size: int) -> dict[str, float]:
    results = {}
    with ServerProcess(*extra) as server:
        client = openai.OpenAI(
            base_url=server.base_url, api_key=server.api_key, max_retries=0, timeout=600
        )
        created = None

        def from_path() -> None:
            nonlocal created
            from pathlib import Path

            created = client.files.create(file=Path(source), purpose="user_data")

        results["ingest files.create(path)"] = mb_per_s(size, timed(from_path))
        client.files.delete(created.id)

        def from_file() -> None:
            nonlocal created
            with open(source, "rb") as handle:
                created = client.files.create(file=handle, purpose="user_data")

        results["ingest files.create(file object)"] = mb_per_s(size, timed(from_file))
        assert created is not None and created.bytes == size

        def download() -> None:
            received = 0
            with client.files.with_streaming_response.content(created.id) as response:
                for chunk in response.iter_bytes(CHUNK):
                    received += len(chunk)
            assert received == size, received

        results["egress files.content (streamed)"] = mb_per_s(size, timed(download))
        client.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--mode", choices=["disk", "memory", "both"], default="both")
    args = parser.parse_args()
    size = args.size_mib * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="openaifs-bench-") as work:
        source = os.path.join(work, "source.bin")
        make_source(source, size)
        ceiling_in = mb_per_s(size, min(loopback(size, False) for _ in range(2)))
        ceiling_out = mb_per_s(size, min(loopback(size, True) for _ in range(2)))
        print(
            f"body: {args.size_mib} MiB; loopback ceiling: {ceiling_in:.0f} MB/s client->server, "
            f"{ceiling_out:.0f} MB/s server->client"
        )
        print(f"{'mode':<8} {'measure':<34} {'MB/s':>8} {'ceiling':>8} {'ratio':>6}")
        modes = ["disk", "memory"] if args.mode == "both" else [args.mode]
        for mode in modes:
            extra = (
                ["--data-dir", os.path.join(work, "data")] if mode == "disk" else ["--in-memory"]
            )
            for name, rate in bench_server(extra, source, size).items():
                ceiling = ceiling_in if name.startswith("ingest") else ceiling_out
                print(f"{mode:<8} {name:<34} {rate:>8.0f} {ceiling:>8.0f} {rate / ceiling:>6.2f}")


if __name__ == "__main__":
    main()
