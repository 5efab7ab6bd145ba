"""An HTTP fuzz run of the server against the official OpenAPI description of the two APIs.

schemathesis turns the vendored description (``openapi/files-uploads.yaml``, MIT, from
openai/openai-openapi) into requests: valid ones (``positive``) and ones that break the schema
(``negative``), a fixed number per operation with a derandomised Hypothesis, so the run is the
same every time. Path ids and ``part_ids`` are often swapped for real objects of every kind
(empty and non-empty files, pending, empty, completed and cancelled Uploads, their parts), so the
handlers run past their 404s. Every answer must be below 500 and, for errors, OpenAI-shaped
with a request id; the server must log no error or traceback. A fresh server per operation and
mode, stopped before its logs are checked, pins each finding to its operation.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import requests

from openaifs.testing import LocalServer

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402 - after the skip check
from hypothesis import strategies as st  # noqa: E402

SPEC = Path(__file__).parent / "openapi" / "files-uploads.yaml"
SCHEMA = schemathesis.openapi.from_path(SPEC)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
#: Examples per operation and mode: 18 runs of this many stay well under a minute in all.
EXAMPLES = 25
#: Loggers of the server side (the in-process server shares this process with the client).
SERVER_LOGGERS = ("openaifs.server", "aiohttp", "asyncio")


class ServerErrors(logging.Handler):
    """Collects every error or traceback the server side logs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(SERVER_LOGGERS) and (
            record.levelno >= logging.ERROR or record.exc_info
        ):
            self.records.append(record)

    def report(self) -> str:
        return "\n".join(self.format(r) for r in self.records)


@pytest.fixture
def server_errors():
    handler = ServerErrors()
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def seed(server: LocalServer, session: requests.Session) -> dict[str, list[str]]:
    """Make one object of each kind; return the ids by the name of the field they fit."""

    def call(method: str, path: str, **kwargs) -> dict:
        answer = session.request(method, server.base_url + path, timeout=30, **kwargs)
        answer.raise_for_status()
        return answer.json()

    def new_file(name: str, data: bytes, purpose: str) -> str:
        return call("POST", "/files", data={"purpose": purpose}, files={"file": (name, data)})["id"]

    files = [
        new_file("empty.txt", b"", "user_data"),
        new_file("a.jsonl", b"{}\n", "batch"),
        server.add_service_file(b"{}\n", purpose="batch_output", filename="out.jsonl")["id"],
    ]

    def upload(data: bytes, then: str | None = None) -> tuple[str, str]:
        spec = {"bytes": len(data), "filename": "u.txt", "mime_type": "text/plain"}
        made = call("POST", "/uploads", json={**spec, "purpose": "user_data"})["id"]
        part = call("POST", f"/uploads/{made}/parts", files={"data": ("blob", data)})["id"]
        if then == "complete":
            done = call("POST", f"/uploads/{made}/complete", json={"part_ids": [part]})
            files.append(done["file"]["id"])
        elif then == "cancel":
            call("POST", f"/uploads/{made}/cancel")
        return made, part

    uploads = [upload(b"abc"), upload(b""), upload(b"xy", "complete"), upload(b"z", "cancel")]
    return {
        "file_id": files,
        "upload_id": [u for u, _ in uploads],
        "part_ids": [p for _, p in uploads],
    }


def check_answer(response) -> None:
    """No 5xx; an error answer is the service's JSON shape with a request id."""
    assert response.status_code < 500, (response.status_code, response.text)
    # schemathesis keeps each header as a list of its values.
    assert response.headers.get("x-request-id", [""])[0].startswith("req_"), response.headers
    if response.status_code >= 400:
        error = response.json()["error"]
        assert set(error) == {"message", "type", "param", "code"}, error
        assert isinstance(error["message"], str) and error["message"], error


@pytest.mark.parametrize("mode", MODES, ids=str)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_fuzz(operation, mode, server_errors):
    # Small limits so generated bodies can also go over them.
    with LocalServer(max_file_size=4096, max_part_size=4096) as server:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {server.api_key}"
        real = seed(server, session)
        del session.headers["Authorization"]  # each fuzzed request chooses its own

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
        def one_request(case, data):
            # A real id most of the time (the simplest draw, 0, is the first: the empty file).
            for name in case.path_parameters or {}:
                pick = data.draw(st.integers(0, len(real[name])), label=f"real {name}")
                if pick < len(real[name]):
                    case.path_parameters[name] = real[name][pick]
            has_parts = isinstance(case.body, dict) and "part_ids" in case.body
            if has_parts and data.draw(st.booleans(), label="real part_ids"):
                parts = st.lists(st.sampled_from(real["part_ids"]), max_size=3)
                case.body["part_ids"] = data.draw(parts)
            # A generated framing header (a Content-Length that lies) makes the request malformed
            # HTTP, which aiohttp's parser answers before the app does: not what is tested here
            # (test_fuzz_regressions.py covers how that is logged).
            for name in list(case.headers or {}):
                if name.lower() in ("content-length", "transfer-encoding", "host"):
                    del case.headers[name]
            # Mostly the server's key, so requests reach the handlers; sometimes the generated one.
            headers = {}
            if data.draw(st.integers(0, 3), label="key") > 0:
                headers["Authorization"] = f"Bearer {server.api_key}"
            check_answer(case.call(base_url=server.base_url, session=session, headers=headers))

        try:
            one_request()
        finally:
            session.close()
    # The server has stopped: every handler has finished and logged what it had to.
    assert not server_errors.records, server_errors.report()
