"""openaifs against Azure OpenAI: the local server's Azure face (``LocalServer(azure=True)``),
reached with ``azure_endpoint``/``api_version`` and an ``api-key``, a token or a provider."""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fs_support import PART, make_fs

from openaifs import OpenAIFileSystem
from openaifs.endpoint import resolve
from openaifs.errors import EndpointNotFound, http_error
from openaifs.testing import AZURE_API_VERSION, LocalServer

KEY = "azure-key-0123456789abcdef"
AZURE_VARIABLES = (
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_AD_TOKEN",
    "OPENAI_API_VERSION",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
)


@pytest.fixture(scope="module")
def azure_server():
    with LocalServer(azure=True, api_keys=[KEY]) as server:
        yield server


@pytest.fixture
def server(azure_server, monkeypatch):
    for name in AZURE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    azure_server.reset()
    return azure_server


def azure_fs(server, **options) -> OpenAIFileSystem:
    """``make_fs`` at the server's Azure face, with ``KEY`` as the api-key."""
    azure = dict(azure_endpoint=server.azure_endpoint, api_version=AZURE_API_VERSION, api_key=KEY)
    return make_fs(server, **{"base_url": None, **azure, **options})


@pytest.fixture
def fs(server):
    return azure_fs(server)


def test_every_request_goes_to_the_azure_paths(server, fs):
    fs.pipe("user_data/a.txt", b"abc")
    assert fs.ls("user_data", detail=False) == ["user_data/a.txt"]
    assert fs.info("user_data/a.txt")["size"] == 3
    assert fs.cat("user_data/a.txt") == b"abc"
    fs.rm("user_data/a.txt")
    assert not fs.exists("user_data/a.txt")
    # Seen on the Azure face only: the gate refuses anything without api-version and api-key.
    requests = server.stats()["requests"]
    assert requests["files.create"] == 1 and requests["files.delete"] == 1


def test_put_file_in_parts_and_get(server, fs, tmp_path):
    data = bytes(range(256)) * (3 * PART // 256 + 7)
    local = tmp_path / "big.bin"
    local.write_bytes(data)
    fs.put_file(str(local), "user_data/big.bin")
    assert server.stats()["requests"]["uploads.parts.create"] >= 3
    assert fs.cat("user_data/big.bin") == data
    fs.get("user_data/big.bin", str(tmp_path / "back.bin"))
    assert (tmp_path / "back.bin").read_bytes() == data


def test_open_write_in_parts_and_seek(fs):
    data = b"0123456789" * (PART // 5)
    with fs.open("user_data/w.bin", "wb") as f:
        f.write(data)
    with fs.open("user_data/w.bin", "rb") as f:
        f.seek(-10, 2)
        assert f.read() == b"0123456789"


def test_the_files_are_the_keys_own_on_both_faces(server, fs):
    fs.pipe("user_data/both.txt", b"x")
    openai_fs = OpenAIFileSystem(api_key=KEY, base_url=server.base_url, skip_instance_cache=True)
    assert openai_fs.cat("user_data/both.txt") == b"x"


def test_pandas_round_trip_through_storage_options(server):
    pd = pytest.importorskip("pandas")
    options = {
        "azure_endpoint": server.azure_endpoint,
        "api_key": KEY,
        "api_version": AZURE_API_VERSION,
    }
    frame = pd.DataFrame({"id": [1, 2], "text": ["a", "b"]})
    url = "openai://batch/frame.jsonl"
    frame.to_json(url, orient="records", lines=True, storage_options=options)
    back = pd.read_json(url, lines=True, storage_options=options)
    pd.testing.assert_frame_equal(back, frame)
    OpenAIFileSystem.clear_instance_cache()


def test_the_environment_variables_of_the_sdk(server, monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", server.azure_endpoint)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_API_VERSION", AZURE_API_VERSION)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-an-openai-key-never-sent-to-azure")
    fs = OpenAIFileSystem(skip_instance_cache=True)
    fs.pipe("user_data/env.txt", b"e")
    assert fs.cat("user_data/env.txt") == b"e"
    assert fs.client.credential.headers() == {"api-key": KEY}
    clone = pickle.loads(pickle.dumps(fs))
    assert KEY.encode() not in pickle.dumps(fs)
    assert clone.cat("user_data/env.txt") == b"e"


def test_an_explicit_base_url_wins_over_the_azure_variable(server, monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "http://127.0.0.1:9")
    fs = OpenAIFileSystem(api_key=KEY, base_url=server.base_url, skip_instance_cache=True)
    assert fs.ls("user_data") == []


def test_a_token_works(server):
    fs = azure_fs(server, api_key=None, azure_ad_token=KEY)
    fs.pipe("user_data/t.txt", b"t")
    assert fs.client.credential.headers() == {"Authorization": f"Bearer {KEY}"}
    assert fs.cat("user_data/t.txt") == b"t"


def test_a_token_provider_is_called_for_each_request(server):
    calls = []

    def provider():
        calls.append(1)
        return KEY

    fs = azure_fs(server, api_key=None, azure_ad_token_provider=provider)
    data = b"p" * (2 * PART + 1)
    fs.pipe("user_data/p.bin", data)
    assert fs.cat("user_data/p.bin") == data
    sent = sum(server.stats()["requests"].values())
    assert len(calls) == sent


def test_a_provider_returning_nothing_is_a_clear_error(server):
    fs = azure_fs(server, api_key=None, azure_ad_token_provider=lambda: "")
    with pytest.raises(PermissionError, match="azure_ad_token_provider returned an empty string"):
        fs.ls("user_data")


def test_a_wrong_key_is_a_permission_error_without_the_key(server):
    wrong = "wrong-key-9876543210fedcba"
    fs = azure_fs(server, api_key=wrong)
    with pytest.raises(PermissionError) as info:
        fs.ls("user_data")
    text = str(info.value)
    assert "Access denied" in text and wrong not in text
    assert "apim-request-id" not in text and "req_" in text


def test_no_credential_says_what_to_set(server):
    fs = azure_fs(server, api_key=None)
    with pytest.raises(PermissionError, match="AZURE_OPENAI_API_KEY"):
        fs.ls("user_data")
    assert server.stats()["requests"] == {}


def test_a_missing_api_version_says_what_to_set(server):
    with pytest.raises(ValueError, match="OPENAI_API_VERSION"):
        azure_fs(server, api_version=None)


def test_a_version_the_endpoint_does_not_serve_is_a_clear_error(server):
    fs = azure_fs(server, api_version="latest")
    with pytest.raises(ValueError, match="API version not supported"):
        fs.ls("user_data")


def test_a_wrong_azure_endpoint_names_the_fix(server):
    fs = azure_fs(server, azure_endpoint=server.url + "/nowhere")
    with pytest.raises(ConnectionError, match="is azure_endpoint the resource"):
        fs.ls("user_data")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"base_url": "http://x/v1"}, "mutually exclusive"),
        ({"azure_ad_token": "t"}, "mutually exclusive"),
        ({"azure_ad_token_provider": "not callable", "api_key": None}, "callable"),
    ],
)
def test_contradicting_options_are_refused(server, options, message):
    with pytest.raises((ValueError, TypeError), match=message):
        azure_fs(server, **options)


def test_azure_options_without_an_azure_endpoint_are_refused(server):
    with pytest.raises(ValueError, match="api_version is an Azure OpenAI option"):
        OpenAIFileSystem(api_key=KEY, base_url=server.base_url, api_version="2024-10-21")


def test_the_key_is_in_no_repr(fs):
    assert KEY not in repr(fs) and KEY not in repr(fs.client) and KEY not in repr(fs.endpoint)
    assert "api_version='2024-10-21'" in repr(fs)


def test_a_provider_that_cannot_be_pickled_says_so(server):
    fs = azure_fs(server, api_key=None, azure_ad_token_provider=lambda: KEY)
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        pickle.dumps(fs)


def test_a_404_resource_not_found_from_azure_names_the_endpoint():
    body = b'{"error": {"code": "404", "message": "Resource not found"}}'
    error = http_error(
        404, body, None, operation="GET /files/file-1", base_url="https://x.example/openai"
    )
    assert isinstance(error, EndpointNotFound) and "api_version" in str(error)


@contextlib.contextmanager
def http_server(answer):
    """A plain HTTP server on 127.0.0.1 whose handler is ``answer(handler)``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            answer(self)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_the_key_is_not_sent_on_to_another_host_by_a_redirect(server):
    seen = []

    def elsewhere(handler):
        seen.append(dict(handler.headers))
        data = b'{"object": "list", "data": [], "has_more": false}'
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    with http_server(elsewhere) as other:

        def redirect(handler):
            handler.send_response(307)
            handler.send_header("Location", f"http://localhost:{other}{handler.path}")
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        with http_server(redirect) as port:
            fs = azure_fs(server, azure_endpoint=f"http://127.0.0.1:{port}")
            assert fs.ls("user_data") == []
    assert seen and all(name.lower() != "api-key" for name in seen[0])


def test_the_cli_reads_the_azure_variables(server, fs):
    fs.pipe("batch/x.jsonl", b"{}\n")
    env = {k: v for k, v in os.environ.items() if k not in AZURE_VARIABLES}
    env.update(
        AZURE_OPENAI_ENDPOINT=server.azure_endpoint,
        AZURE_OPENAI_API_KEY=KEY,
        OPENAI_API_VERSION=AZURE_API_VERSION,
    )
    command = [sys.executable, "-m", "openaifs.cli", "ls", "openai://batch"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.split()) == (0, ["batch/x.jsonl"]), done.stderr


@pytest.mark.parametrize(
    ("environ", "azure", "headers"),
    [
        # The SDK's order: a token from the environment before a key.
        (
            {"AZURE_OPENAI_AD_TOKEN": "tok", "AZURE_OPENAI_API_KEY": "key"},
            True,
            {"Authorization": "Bearer tok"},
        ),
        ({"AZURE_OPENAI_API_KEY": "key", "OPENAI_API_KEY": "sk"}, True, {"api-key": "key"}),
        # OPENAI_BASE_URL chooses OpenAI; the Azure key stays home.
        (
            {"OPENAI_BASE_URL": "http://x/v1", "AZURE_OPENAI_API_KEY": "key"},
            False,
            {"Authorization": "Bearer "},
        ),
    ],
)
def test_which_service_and_credential_the_environment_gives(environ, azure, headers):
    env = {"AZURE_OPENAI_ENDPOINT": "https://r.example", "OPENAI_API_VERSION": "2024-10-21"}
    endpoint = resolve(api_key=None, base_url=None, environ={**env, **environ})
    assert endpoint.azure is azure
    assert endpoint.credential.headers() == headers
    if azure:
        assert endpoint.base_url == "https://r.example/openai"
        assert endpoint.query == {"api-version": "2024-10-21"}
