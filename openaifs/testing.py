"""Run the local server for tests: in-process (:class:`LocalServer`), as a subprocess
(:class:`ServerProcess`) or already running elsewhere (:class:`RemoteServer`), plus pytest fixtures.

Use the fixtures by adding ``pytest_plugins = ["openaifs.testing"]`` to a ``conftest.py``:

``openaifs_server_session``
    One in-memory :class:`LocalServer` for the whole session.
``openaifs_server``
    The same server, :meth:`~ServerControls.reset` before each test.
``openaifs_sdk``
    An ``openai.OpenAI`` client for ``openaifs_server`` (``max_retries=0``).

All three server classes share :class:`ServerControls`, which drives ``/_openaifs/`` over plain HTTP
(urllib), so the same test helpers work whichever way the server runs.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

#: The key tests use when the server accepts any key.
DEFAULT_API_KEY = "sk-openaifs-test"
#: The ``api-version`` :meth:`ServerControls.azure_sdk` sends (the local server takes any date).
AZURE_API_VERSION = "2024-10-21"


class ServerControls:
    """Test controls of a server reachable at :attr:`url` (which must run with controls enabled)."""

    url: str
    api_key: str

    @property
    def base_url(self) -> str:
        """The API base URL, ``http://127.0.0.1:PORT/v1``."""
        return self.url + "/v1"

    def _control(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """Call a control: a JSON ``body``, or ``raw`` bytes with their own ``headers``."""
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/_openaifs/{path}",
            data=data,
            method=method,
            headers=headers or {"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            error.close()
            raise RuntimeError(
                f"{method} /_openaifs/{path} failed: {error.code} {detail}"
            ) from None

    def reset(self) -> None:
        """Delete all files and uploads; clear faults, statistics and clock; restore settings."""
        self._control("POST", "reset", {})

    def add_fault(
        self,
        operation: str,
        kind: str = "status",
        *,
        times: int = 1,
        status: int = 500,
        retry_after: float | None = None,
        retry_after_ms: float | None = None,
        after_bytes: int = 0,
        seconds: float = 0,
    ) -> dict[str, Any]:
        """Make the next ``times`` calls of ``operation`` misbehave as ``kind`` says."""
        spec = {
            "operation": operation,
            "kind": kind,
            "times": times,
            "status": status,
            "retry_after": retry_after,
            "retry_after_ms": retry_after_ms,
            "after_bytes": after_bytes,
            "seconds": seconds,
        }
        return self._control("POST", "faults", spec)

    def faults(self) -> list[dict[str, Any]]:
        """Return every fault with its ``remaining`` and ``hits`` counters."""
        return self._control("GET", "faults")["data"]

    def clear_faults(self) -> None:
        """Forget all faults."""
        self._control("DELETE", "faults")

    def stats(self) -> dict[str, Any]:
        """Return ``{"requests": {operation: count}, "bytes_in": n, "bytes_out": n}``."""
        return self._control("GET", "stats")

    def clear_stats(self) -> None:
        """Zero the statistics."""
        self._control("DELETE", "stats")

    def advance_clock(self, seconds: float) -> int:
        """Move the server clock forward; return the server's new ``now``."""
        return self._control("POST", "clock", {"advance": seconds})["now"]

    def freeze_clock(self, frozen: bool = True) -> int:
        """Hold the server clock still (``advance_clock`` still moves it), or let it run
        again; return the server's ``now``. ``reset`` lets it run."""
        return self._control("POST", "clock", {"freeze": frozen})["now"]

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change limits or shaping (``POST /_openaifs/config``); return all settings."""
        return self._control("POST", "config", settings)

    def add_service_file(
        self,
        content: bytes,
        *,
        purpose: str,
        filename: str,
        api_key: str | None = None,
    ) -> dict[str, Any]:
        """Create a file as the service would, in any purpose (``batch_output`` included).

        Returns the File object; the file belongs to ``api_key``'s project (default:
        :attr:`api_key`).
        """
        query = urllib.parse.urlencode({"purpose": purpose, "filename": filename})
        headers = {
            "Authorization": f"Bearer {api_key or self.api_key}",
            "Content-Type": "application/octet-stream",
        }
        return self._control("POST", f"files?{query}", raw=content, headers=headers)

    def fail_processing(self, status_details: str, *, times: int = 1) -> list[dict[str, Any]]:
        """Make the next ``times`` new files end their processing in ``error``.

        Their ``status`` is ``uploaded`` for ``processing_seconds``, then ``error`` with this
        ``status_details``. Returns the scripted failures still waiting.
        """
        body = {"status_details": status_details, "times": times}
        return self._control("POST", "processing-errors", body)["data"]

    def add_service_files(
        self, content: bytes, *, purpose: str, filename: str, count: int
    ) -> list[dict[str, Any]]:
        """Create ``count`` files at once (``filename`` holds ``{i}``, the copy's number),
        as :meth:`add_service_file` does one; for filling large purposes fast."""
        query = urllib.parse.urlencode({"purpose": purpose, "filename": filename, "count": count})
        headers = {
            "Authorization": f"Bearer {self.api_key}",
            "Content-Type": "application/octet-stream",
        }
        return self._control("POST", f"files?{query}", raw=content, headers=headers)["data"]

    def sdk(self, **kwargs: Any) -> Any:
        """Return an ``openai.OpenAI`` client for this server (``max_retries=0`` unless given)."""
        import openai

        kwargs.setdefault("max_retries", 0)
        kwargs.setdefault("api_key", self.api_key)
        return openai.OpenAI(base_url=self.base_url, **kwargs)

    @property
    def azure_endpoint(self) -> str:
        """The Azure OpenAI endpoint (served with ``azure=True`` / ``--azure``): :attr:`url`."""
        return self.url

    def azure_sdk(self, **kwargs: Any) -> Any:
        """Return an ``openai.AzureOpenAI`` client for this server's Azure face.

        ``max_retries=0``, ``api_key`` and ``api_version`` (:data:`AZURE_API_VERSION`) unless
        given; pass ``azure_ad_token=`` or ``azure_ad_token_provider=``
        for bearer tokens.
        """
        import openai

        kwargs.setdefault("max_retries", 0)
        kwargs.setdefault("api_version", AZURE_API_VERSION)
        if "azure_ad_token" not in kwargs and "azure_ad_token_provider" not in kwargs:
            kwargs.setdefault("api_key", self.api_key)
        return openai.AzureOpenAI(azure_endpoint=self.azure_endpoint, **kwargs)


class RemoteServer(ServerControls):
    """A server started elsewhere (``openaifs serve --enable-controls``).

    Parameters
    ----------
    url
        Its address, with or without the trailing ``/v1``.
    api_key
        The key tests should use.
    """

    def __init__(self, url: str, api_key: str = DEFAULT_API_KEY) -> None:
        url = url.rstrip("/")
        self.url = url[: -len("/v1")] if url.endswith("/v1") else url
        self.api_key = api_key


class LocalServer(ServerControls):
    """The server, in this process, on its own event loop in a background thread; controls on.

    Parameters
    ----------
    data_dir
        Where to persist files; ``None`` (default) keeps everything in memory.
    api_keys
        Keys to accept (each its own project); empty accepts any bearer key.
    host, port
        Address to bind; port 0 (default) picks a free port.
    azure
        Also serve the API as Azure OpenAI does, at :attr:`azure_endpoint` (``--azure``).
    latency_ms, per_connection_bps, honour_range
        Shaping, as the command-line flags of the same names.
    processing_seconds
        How long a new file stays ``uploaded`` before it is ``processed`` (server clock).
    **limits
        ``max_file_size``, ``max_upload_size``, ``max_part_size``, ``max_batch_size``,
        ``upload_expiry_seconds``.

    Notes
    -----
    :attr:`api_key` is the first of ``api_keys``, or ``"sk-openaifs-test"`` when any key goes.
    """

    def __init__(
        self,
        *,
        data_dir: str | os.PathLike[str] | None = None,
        api_keys: Sequence[str] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        azure: bool = False,
        latency_ms: float = 0,
        per_connection_bps: int = 0,
        honour_range: bool = False,
        processing_seconds: int = 0,
        **limits: int,
    ) -> None:
        from .server.config import Settings

        self.settings = Settings(
            latency_ms=latency_ms,
            per_connection_bps=per_connection_bps,
            honour_range=honour_range,
            processing_seconds=processing_seconds,
            **limits,
        )
        self.data_dir = data_dir
        self.api_keys = tuple(api_keys)
        self.api_key = self.api_keys[0] if self.api_keys else DEFAULT_API_KEY
        self.host = host
        self.port = port
        self.azure = azure
        self.url = ""
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        #: The running server's state, for tests that look inside it (``None`` until started).
        self.state: Any = None

    def start(self) -> LocalServer:
        """Start serving; return once the port is bound."""
        if self._thread is not None:
            raise RuntimeError("LocalServer already started")
        self._ready.clear()
        self._thread = threading.Thread(target=self._serve, name="openaifs-server", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            self._thread.join()
            self._thread = None
            raise RuntimeError("the local server failed to start") from self._failure
        return self

    def _serve(self) -> None:
        from .server.app import start
        from .server.state import ServerState

        loop = asyncio.new_event_loop()
        try:
            state = ServerState(
                self.data_dir,
                api_keys=self.api_keys,
                settings=self.settings,
                enable_controls=True,
            )
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
            loop.close()
            return
        try:
            runner, port = loop.run_until_complete(
                start(state, self.host, self.port, azure_paths=self.azure)
            )
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
            loop.close()
            state.close()
            return
        self.port = port
        self.url = f"http://{self.host}:{port}"
        self._loop = loop
        self.state = state
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
            state.close()

    def stop(self) -> None:
        """Stop serving and wait for the thread to end (idempotent)."""
        if self._thread is None:
            return
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._thread = None
        self._loop = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class ServerProcess(ServerControls):
    """``python -m openaifs.server`` as a subprocess on a free port, controls enabled.

    Pass ``"--azure"`` among ``args`` to serve the Azure face too (:meth:`azure_sdk`).

    Parameters
    ----------
    *args
        Extra command-line arguments (``"--max-part-size", "1000"``...).
    data_dir
        Passed as ``--data-dir``; ``None`` runs in memory.
    api_keys
        Passed as ``--api-key`` each.
    enable_controls
        Pass ``--enable-controls`` (default true).
    processing_seconds
        Passed as ``--processing-seconds`` when not 0.
    env
        Environment variables for the process, over this process's own (where
        ``OPENAIFS_SERVER_API_KEYS`` is dropped, so a developer's shell cannot change the keys
        a test expects).
    """

    def __init__(
        self,
        *args: str,
        data_dir: str | os.PathLike[str] | None = None,
        api_keys: Sequence[str] = (),
        enable_controls: bool = True,
        processing_seconds: int = 0,
        env: Mapping[str, str] | None = None,
    ) -> None:
        command = [sys.executable, "-m", "openaifs.server", "--port", "0"]
        if data_dir is not None:
            command += ["--data-dir", os.fspath(data_dir)]
        for key in api_keys:
            command += ["--api-key", key]
        if enable_controls:
            command.append("--enable-controls")
        if processing_seconds:
            command += ["--processing-seconds", str(processing_seconds)]
        self.command = [*command, *args]
        self.env = {k: v for k, v in os.environ.items() if k != "OPENAIFS_SERVER_API_KEYS"}
        self.env.update(env or {})
        self.api_key = api_keys[0] if api_keys else DEFAULT_API_KEY
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by __exit__

    def start(self, timeout: float = 30) -> ServerProcess:
        """Start the process and wait until it prints its URL."""
        self.process = subprocess.Popen(
            self.command,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            stdin=subprocess.DEVNULL,
            env=self.env,
        )
        line: list[bytes] = []
        reader = threading.Thread(
            target=lambda: line.append(self.process.stdout.readline()),  # type: ignore[union-attr]
            daemon=True,
        )
        reader.start()
        reader.join(timeout)
        first = line[0].decode().strip() if line else ""
        if not first.startswith("http://"):
            self.kill()
            raise RuntimeError(f"the server did not start: {first!r} {self.stderr_text()}")
        self.url = first[: -len("/v1")]
        return self

    def stderr_text(self) -> str:
        """Return what the server wrote to stderr so far."""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def kill(self) -> None:
        """Kill the process at once (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        self._reap()

    def stop(self, timeout: float = 10) -> int | None:
        """Ask the process to stop (SIGTERM), kill it after ``timeout``; return its exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self._reap()

    def _reap(self) -> int | None:
        if self.process is None:
            return None
        code = self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        return code

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        self._stderr.close()


try:
    import pytest
except ImportError:  # pragma: no cover - the fixtures need pytest, the classes do not
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture(scope="session")
    def openaifs_server_session() -> Iterator[LocalServer]:
        """One in-memory local server for the whole test session."""
        with LocalServer() as server:
            yield server

    @pytest.fixture
    def openaifs_server(openaifs_server_session: LocalServer) -> LocalServer:
        """The session's local server, emptied and with default settings."""
        openaifs_server_session.reset()
        return openaifs_server_session

    @pytest.fixture
    def openaifs_sdk(openaifs_server: LocalServer) -> Iterator[Any]:
        """An ``openai.OpenAI`` client for ``openaifs_server`` that never retries."""
        pytest.importorskip("openai")
        client = openaifs_server.sdk()
        yield client
        client.close()
