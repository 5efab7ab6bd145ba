"""Throughput and memory of the local server alone, beside the loopback ceiling of the same run.

Run on demand::

    python benchmarks/bench_server.py [--size-mib 1024] [--mode disk|memory|both] [--repeat 2]
                                      [--sdk]

For each mode the server runs as a subprocess (``--data-dir`` under /tmp, or ``--in-memory``)
and is driven over a bare socket (``sendfile`` up, ``recv_into`` down, one keep-alive
connection), so the figures are the server's own speed, not an HTTP library's:

* ``POST /files``: one multipart body holding the whole file;
* ``POST parts``: the same bytes as one Upload part; ``complete`` then checks an md5;
* ``GET content``: the file made by ``POST /files``, and the one made by ``complete``.

Beside each figure: MB/s (10**6 bytes a second, best of ``--repeat``), its ratio to the
loopback ceiling (a plain TCP socket moving the same bytes, a Python thread on each end,
measured in the same run), the server's CPU seconds, and the server's peak RSS during that
request (``VmHWM``, reset before each request through ``/proc/PID/clear_refs``). A store
ceiling (the same bytes received over loopback by a bare Python loop and written to a file
in the same file system with 4 MiB ``os.write`` calls, fsync'd in disk mode) shows what
receiving *and keeping* a body allows on this machine; ``vs store`` is each ingest figure's
ratio to it, and its CPU column is the receiving thread's CPU seconds (the least any server
can spend; on a shared machine CPU seconds are steadier than MB/s). ``--sdk`` adds
``files.create`` and streamed ``files.content`` through the official SDK.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from _common import process_cpu, rate, scratch_dir

CHUNK = 1024 * 1024
ROW = "{:<7} {:<32} {:>6} {:>6} {:>8} {:>9} {:>12}"
BOUNDARY = "openaifs-bench-boundary"


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


def store_ceiling(size: int, source: str, directory: str, durable: bool) -> tuple[float, float]:
    """Seconds to receive ``size`` bytes over loopback and write them to a new file, and the
    CPU seconds the receiving thread spent.

    The best any Python server could do with the body of a POST: the client ``sendfile``s the
    source, the receiver reads 4 MiB at a time into one buffer and writes it out (fsync'd at
    the end when ``durable``), into the same file system the server writes to.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    target = os.path.join(directory, "store-ceiling.bin")

    def send() -> None:
        with socket.create_connection(listener.getsockname()) as client, open(source, "rb") as f:
            client.sendfile(f)

    sender = threading.Thread(target=send)
    started, cpu = time.perf_counter(), time.thread_time()
    sender.start()
    conn, _ = listener.accept()
    buffer = bytearray(4 * CHUNK)
    view = memoryview(buffer)
    out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    with conn:
        while count := conn.recv_into(buffer):
            os.write(out, view[:count])
    if durable:
        os.fsync(out)
    os.close(out)
    seconds, cpu = time.perf_counter() - started, time.thread_time() - cpu
    sender.join()
    listener.close()
    os.unlink(target)
    return seconds, cpu


def make_source(path: str, size: int) -> str:
    """Write ``size`` random bytes to ``path``; return their md5."""
    block = os.urandom(CHUNK)
    md5 = hashlib.md5()
    with open(path, "wb") as out:
        for start in range(0, size, CHUNK):
            piece = block[: min(CHUNK, size - start)]
            md5.update(piece)
            out.write(piece)
    return md5.hexdigest()


class Connection:
    """One keep-alive HTTP/1.1 connection to the server, spoken by hand."""

    def __init__(self, port: int, api_key: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.api_key = api_key
        self.sink = bytearray(CHUNK)

    def send(self, method: str, path: str, headers: dict[str, str], body: list[Any]) -> None:
        """Send a request; ``body`` holds bytes and paths of files (sent with ``sendfile``)."""
        length = sum(os.path.getsize(b) if isinstance(b, str) else len(b) for b in body)
        head = f"{method} /v1{path} HTTP/1.1\r\nHost: bench\r\n"
        head += f"Authorization: Bearer {self.api_key}\r\nContent-Length: {length}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.sock.sendall(head.encode())
        for piece in body:
            if isinstance(piece, str):
                with open(piece, "rb") as handle:
                    self.sock.sendfile(handle)
            else:
                self.sock.sendall(piece)

    def answer(self, keep: bool = True) -> tuple[int, bytes]:
        """Read one answer; return its status and its body (counted, not kept, if not ``keep``)."""
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(65536)
        head, body = head.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        left = int(fields["content-length"]) - len(body)
        kept = [body]
        while left > 0:
            count = self.sock.recv_into(self.sink, min(left, CHUNK))
            if not count:
                raise ConnectionError("the server closed the connection")
            left -= count
            if keep:
                kept.append(bytes(self.sink[:count]))
        return status, b"".join(kept)

    def call(self, method: str, path: str, *, json_body: Any = None, **kwargs: Any) -> Any:
        """Send a small request and return its JSON answer (raising on an error status)."""
        body = [] if json_body is None else [json.dumps(json_body).encode()]
        headers = {"Content-Type": "application/json"} if body else {}
        self.send(method, path, headers, body)
        status, answer = self.answer()
        if status >= 400:
            raise RuntimeError(f"{method} {path}: {status} {answer[:300]!r}")
        return json.loads(answer)

    def post_form(self, path: str, fields: dict[str, str], name: str, source: str) -> Any:
        """POST a multipart body: plain ``fields``, then the file ``source`` as part ``name``."""
        head = "".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in fields.items()
        )
        head += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="b.bin"'
            "\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        content_type = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        self.send("POST", path, content_type, [head.encode(), source, tail])
        status, answer = self.answer()
        if status >= 400:
            raise RuntimeError(f"POST {path}: {status} {answer[:300]!r}")
        return json.loads(answer)

    def download(self, file_id: str) -> int:
        """GET a file's content to nowhere; return its size."""
        self.send("GET", f"/files/{file_id}/content", {}, [])
        status, _ = self.answer(keep=False)
        assert status == 200, status
        return self.call("GET", f"/files/{file_id}")["bytes"]

    def close(self) -> None:
        self.sock.close()


class Watched:
    """Time, server CPU seconds and server peak RSS of one request at a time."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def __call__(self, operation: Callable[[], Any]) -> tuple[Any, float, float, int]:
        with open(f"/proc/{self.pid}/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS
        cpu = process_cpu(self.pid)
        started = time.perf_counter()
        result = operation()
        seconds = time.perf_counter() - started
        return result, seconds, process_cpu(self.pid) - cpu, self.rss("VmHWM")

    def rss(self, field: str = "VmRSS") -> int:
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError(f"no {field} for process {self.pid}")


def run_mode(flags: list[str], source: str, md5: str, size: int, repeat: int) -> list[list[Any]]:
    """Measure one server; return rows of (measure, seconds, server CPU, peak RSS)."""
    from openaifs.testing import ServerProcess

    best: dict[str, tuple[float, float, int]] = {}

    def keep(name: str, seconds: float, cpu: float, peak: int) -> None:
        if name not in best or seconds < best[name][0]:
            best[name] = (seconds, cpu, peak)

    with ServerProcess(*flags) as server:
        watch = Watched(server.process.pid)  # type: ignore[union-attr]
        idle_rss = watch.rss()
        conn = Connection(int(server.url.rsplit(":", 1)[1]), server.api_key)
        for _ in range(repeat):
            made, seconds, cpu, peak = watch(
                lambda: conn.post_form("/files", {"purpose": "user_data"}, "file", source)
            )
            keep("POST /files", seconds, cpu, peak)
            _, seconds, cpu, peak = watch(lambda fid=made["id"]: conn.download(fid))
            keep("GET content (POST /files file)", seconds, cpu, peak)
            conn.call("DELETE", f"/files/{made['id']}")

            upload = conn.call(
                "POST",
                "/uploads",
                json_body={"bytes": size, "filename": "b.bin", "mime_type": "x/y"}
                | {"purpose": "user_data"},
            )
            path = f"/uploads/{upload['id']}"
            part, seconds, cpu, peak = watch(
                lambda p=path: conn.post_form(p + "/parts", {}, "data", source)
            )
            keep("POST parts (one part)", seconds, cpu, peak)
            done, seconds, cpu, peak = watch(
                lambda p=path, i=part["id"]: conn.call(
                    "POST", p + "/complete", json_body={"part_ids": [i], "md5": md5}
                )
            )
            keep("complete (md5 checked)", seconds, cpu, peak)
            file_id = done["file"]["id"]
            _, seconds, cpu, peak = watch(lambda fid=file_id: conn.download(fid))
            keep("GET content (completed Upload)", seconds, cpu, peak)
            conn.call("DELETE", f"/files/{file_id}")
        conn.close()
    rows = [["(idle server)", None, None, idle_rss]]
    return rows + [[name, *figures] for name, figures in best.items()]


def run_sdk(flags: list[str], source: str, size: int) -> list[list[Any]]:
    """``files.create`` and streamed ``files.content`` through the official SDK (best of 1)."""
    import openai

    from openaifs.testing import ServerProcess

    with ServerProcess(*flags) as server:
        watch = Watched(server.process.pid)  # type: ignore[union-attr]
        client = openai.OpenAI(
            base_url=server.base_url, api_key=server.api_key, max_retries=0, timeout=600
        )

        def create() -> Any:
            with open(source, "rb") as handle:
                return client.files.create(file=handle, purpose="user_data")

        created, up, up_cpu, up_peak = watch(create)

        def download() -> None:
            received = 0
            with client.files.with_streaming_response.content(created.id) as response:
                for chunk in response.iter_bytes(CHUNK):
                    received += len(chunk)
            assert received == size, received

        _, down, down_cpu, down_peak = watch(download)
        client.close()
    return [
        ["SDK files.create(file object)", up, up_cpu, up_peak],
        ["SDK files.content (streamed)", down, down_cpu, down_peak],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--mode", choices=["disk", "memory", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=2, help="keep the best of N rounds")
    parser.add_argument("--sdk", action="store_true", help="also measure through the SDK")
    args = parser.parse_args()
    size = args.size_mib * 1024 * 1024
    with scratch_dir("openaifs-bench-server-") as work:
        source = os.path.join(work, "source.bin")
        md5 = make_source(source, size)
        ceiling_in = rate(size, min(loopback(size, False) for _ in range(args.repeat)))
        ceiling_out = rate(size, min(loopback(size, True) for _ in range(args.repeat)))
        print(
            f"body: {args.size_mib} MiB; loopback ceiling: {ceiling_in:.0f} MB/s client->server, "
            f"{ceiling_out:.0f} MB/s server->client; load average {os.getloadavg()[0]:.1f}"
        )
        print(
            ROW.format("mode", "measure", "MB/s", "ratio", "vs store", "srv CPU s", "srv peak RSS")
        )
        modes = ["disk", "memory"] if args.mode == "both" else [args.mode]
        for mode in modes:
            data_dir = os.path.join(work, f"data-{mode}")
            os.makedirs(data_dir)
            flags = ["--data-dir", data_dir] if mode == "disk" else ["--in-memory"]
            limits = ["--max-file-size", "--max-part-size", "--max-upload-size"]
            flags += [arg for limit in limits for arg in (limit, str(2 * size))]
            durable = mode == "disk"
            stored, cpu = min(
                store_ceiling(size, source, work, durable) for _ in range(args.repeat)
            )
            store = rate(size, stored)
            rows = [["(store ceiling: recv + write)", stored, cpu, None]]
            rows += run_mode(flags, source, md5, size, args.repeat)
            if args.sdk:
                rows += run_sdk(flags, source, size)
            for name, seconds, cpu, peak in rows:
                speed = "" if seconds is None else rate(size, seconds)
                ingest = name.startswith(("POST", "SDK files.create", "(store"))
                ceiling = ceiling_in if ingest else ceiling_out
                print(
                    ROW.format(
                        mode,
                        name,
                        _figure(speed, "{:.0f}"),
                        _figure(speed and not name.startswith("complete") and speed / ceiling),
                        _figure(speed and ingest and speed / store),
                        _figure(cpu),
                        _figure(peak and peak / 2**20, "{:.0f} MiB"),
                    )
                )


def _figure(value: Any, form: str = "{:.2f}") -> str:
    return form.format(value) if value else ""


if __name__ == "__main__":
    main()
