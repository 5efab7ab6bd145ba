"""A web server that is not the Files API, for the mistakes of pointing ``base_url`` elsewhere.

It answers every request with one scripted status, content type and body, as a web site, a
proxy or another service at a wrong address would. ``{authorization}`` in the body is
replaced by the request's ``Authorization`` header, as an echoing proxy would send it back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from openaifs import OpenAIFileSystem


def fs_at(base_url: str, api_key: str = "sk-x", **options: Any) -> OpenAIFileSystem:
    """A fresh filesystem at ``base_url`` (maybe not the API, maybe nothing), failing fast.

    Parameters
    ----------
    base_url : str
        Where to send requests.
    api_key : str
        The key to send.
    **options
        Overrides of the short backoffs and single retry.
    """
    settings: dict[str, Any] = dict(backoff_initial=0.01, backoff_max=0.02, max_retries=1)
    settings.update(options)
    return OpenAIFileSystem(
        api_key=api_key, base_url=base_url, skip_instance_cache=True, **settings
    )


@contextmanager
def foreign_server(
    status: int, body: str, content_type: str = "text/html; charset=utf-8"
) -> Iterator[str]:
    """Serve every request with ``status`` and ``body``; yield the server's ``http://`` URL.

    Parameters
    ----------
    status : int
        The HTTP status of every answer.
    body : str
        The body; ``{authorization}`` is replaced by the request's ``Authorization`` header.
    content_type : str
        The ``Content-Type`` of every answer.
    """

    class Handler(BaseHTTPRequestHandler):
        def answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            text = body.replace("{authorization}", self.headers.get("Authorization", ""))
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = answer

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
