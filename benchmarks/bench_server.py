"""Throughput of the local server through the official SDK, beside a raw loopback ceiling.

Run on demand::

    python benchmarks/bench_server.py [--size-mib 1024] [--mode disk|memory|both]

For each mode the server runs as a subprocess (``--data-dir`` on a temporary directory, or
``--in-memory``). Figures are MB/s (10**6 bytes per second) for:

* ceiling send / receive: a plain TCP socket on 127.0.0.1 moving the same number of bytes;
* ingest: ``files.create`` from a path (the SDK reads it into memory first) and from an open file;
* egress: ``files.content`` via ``with_streaming_response``, read to nowhere in 1 MiB chunks;
* the same two over a bare socket (``sendfile`` up, ``recv_into`` down): the server's own speed,
  without the SDK's HTTP stack, which is usually the slower end.
"""

from __future__ import annotations

import argparse
import json
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


def raw_http(port: int, api_key: str, source: str, size: int) -> dict[str, float]:
    """The server alone: POST /files and GET content over a bare socket (no HTTP library)."""
    boundary = "openaifs-bench-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    request = (
        f"POST /v1/files HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {api_key}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(head) + size + len(tail)}\r\n\r\n"
    ).encode()
    results = {}
    with socket.create_connection(("127.0.0.1", port)) as sock:
        started = time.perf_counter()
        sock.sendall(request + head)
        with open(source, "rb") as handle:
            sock.sendfile(handle)
        sock.sendall(tail)
        answer = b""
        while not answer.endswith(b"}"):
            answer += sock.recv(65536)
        results["ingest raw socket POST /files"] = mb_per_s(size, time.perf_counter() - started)
        file_id = json.loads(answer.split(b"\r\n\r\n", 1)[1])["id"]
        started = time.perf_counter()
        sock.sendall(
            f"GET /v1/files/{file_id}/content HTTP/1.1\r\nHost: bench\r\n"
            f"Authorization: Bearer {api_key}\r\n\r\n".encode()
        )
        sink = bytearray(CHUNK)
        received = 0
        while received < size:  # headers are a few hundred bytes: close enough
            received += sock.recv_into(sink)
        results["egress raw socket GET content"] = mb_per_s(size, time.perf_counter() - started)
    return results


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
        client.files.delete(created.id)
        port = int(server.url.rsplit(":", 1)[1])
        results.update(raw_http(port, server.api_key, source, size))
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
            extra += ["--max-file-size", str(2 * size)]  # 512 MB would refuse 1 GiB
            for name, rate in bench_server(extra, source, size).items():
                ceiling = ceiling_in if name.startswith("ingest") else ceiling_out
                print(f"{mode:<8} {name:<34} {rate:>8.0f} {ceiling:>8.0f} {rate / ceiling:>6.2f}")


if __name__ == "__main__":
    main()
