"""How slow-to-open connections delay an upload's first wave of parts.

A fresh connection to the real service costs its TCP and TLS handshakes, about two round
trips, before its request can begin. When an Upload's part requests began one after another
(each once the one before had sent its headers, so that the server saw them in order), each
part of the first wave on fresh connections also waited for the handshakes of the one before;
now each names its place (see :meth:`openaifs.client.APIClient.add_part`) and all begin at
once. This shows the difference it makes. Loopback opens connections at once,
so this puts a TLS relay in front of the local server that holds every new connection for
``--handshake-ms`` before its handshake, and prints, for ``fs.put_file`` of a 64 MiB file
(8 parts on 8 connections, the first upload of a fresh filesystem), when the first wave's
requests began and the whole time, beside the same with no hold.

Run: ``python benchmarks/bench_connect.py [--handshake-ms 80] [--size-mib 64] [--repeat 3]``
(needs the ``openssl`` command, for a throwaway certificate)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import ssl
import subprocess
import threading
import time

import requests
from _common import MiB, machine_notes, print_table, random_file, scratch_dir, server


class SlowToConnect:
    """A TLS relay on 127.0.0.1 that holds each accepted connection ``delay`` seconds, then
    completes the TLS handshake and relays the plain bytes to ``port``, a thread each way.
    (A TCP connect completes in the kernel before any accept: only a handshake the client
    waits for, as TLS's, can be made slow.)"""

    def __init__(self, port: int, tls: ssl.SSLContext) -> None:
        self.port, self.tls, self.delay = port, tls, 0.0
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.address = self._listener.getsockname()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self._listener.accept()
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        time.sleep(self.delay)  # the round trips of the handshakes
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            secure = self.tls.wrap_socket(client, server_side=True)
        except OSError:
            client.close()
            return
        upstream = socket.create_connection(("127.0.0.1", self.port))
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=_pipe, args=(upstream, secure), daemon=True).start()
        _pipe(secure, upstream)


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(1 << 20):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


def tls_context(directory: str) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for 127.0.0.1, which this
    process's requests are told to trust (``REQUESTS_CA_BUNDLE``)."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subject = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    files = ["-keyout", key, "-out", cert]
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", *subject, *files],
        check=True,
        capture_output=True,
    )
    os.environ["REQUESTS_CA_BUNDLE"] = cert
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def timed_put(base_url: str, api_key: str, source: str) -> tuple[float, float]:
    """The whole ``put_file`` and the spread of its part requests' beginnings (first wave)."""
    from openaifs import OpenAIFileSystem

    begun: list[float] = []
    send = requests.Session.send

    def noting(session, request, **kwargs):  # when each part's request went to requests
        if request.url.endswith("/parts"):
            begun.append(time.perf_counter())
        return send(session, request, **kwargs)

    fs = OpenAIFileSystem(api_key=api_key, base_url=base_url, skip_instance_cache=True)
    fs.ls("openai://user_data")  # one open connection, as after any first call
    requests.Session.send = noting  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        fs.put_file(source, "openai://user_data/put.bin")
        total = time.perf_counter() - started
    finally:
        requests.Session.send = send  # type: ignore[method-assign]
        fs.client.close()
    first_wave = sorted(begun)[: fs.upload_settings.concurrency]
    return total, first_wave[-1] - first_wave[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handshake-ms", type=float, default=80.0)
    parser.add_argument("--size-mib", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    best: dict[float, tuple[float, float]] = {}
    with scratch_dir("openaifs-bench-connect-") as scratch, server() as process:
        source = random_file(os.path.join(scratch, "source.bin"), args.size_mib * MiB)
        port = int(process.base_url.rsplit(":", 1)[1].split("/")[0])
        relay = SlowToConnect(port, tls_context(scratch))
        base_url = f"https://{relay.address[0]}:{relay.address[1]}/v1"
        for _ in range(args.repeat):
            for hold in (0.0, args.handshake_ms):
                relay.delay = hold / 1000
                total, spread = timed_put(base_url, process.api_key, source)
                print(f"  hold {hold:.0f} ms: {total:.2f} s, first wave began over {spread:.2f} s")
                if hold not in best or total < best[hold][0]:
                    best[hold] = (total, spread)
                process.reset()
    print_table(
        f"put_file of {args.size_mib} MiB on fresh TLS connections, best of {args.repeat}",
        ["each new connection held", "time", "first wave began over"],
        [[f"{h:.0f} ms", f"{t:.2f} s", f"{s:.2f} s"] for h, (t, s) in best.items()],
    )
    print(f"machine: {machine_notes()}")


if __name__ == "__main__":
    main()
