"""The server's Azure OpenAI face (``--azure``): the official ``AzureOpenAI`` client against it,
and the Azure-shaped answers for a missing ``api-version`` or a wrong key."""

from __future__ import annotations

import openai
import pytest
import requests

from openaifs.testing import AZURE_API_VERSION, LocalServer, ServerProcess

KEY = "azure-key-0123456789abcdef"
VERSION = {"api-version": AZURE_API_VERSION}


@pytest.fixture(scope="module")
def azure_server():
    with LocalServer(azure=True, api_keys=[KEY]) as server:
        yield server


@pytest.fixture
def server(azure_server):
    azure_server.reset()
    return azure_server


@pytest.fixture
def sdk(server):
    client = server.azure_sdk()
    yield client
    client.close()


def get(server, path, params=VERSION, **headers):
    return requests.get(server.url + path, params=params, headers=headers, timeout=30)


def azure_error(response, status):
    """The ``error`` of an Azure-shaped error answer (``code`` and ``message`` only)."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message"}
    return error


def test_the_files_api_through_azure_openai(sdk):
    made = sdk.files.create(file=("a.jsonl", b'{"a": 1}\n'), purpose="batch")
    assert made.filename == "a.jsonl" and made.bytes == 9
    assert [f.id for f in sdk.files.list()] == [made.id]
    assert [f.id for f in sdk.files.list(purpose="user_data")] == []
    assert sdk.files.retrieve(made.id).purpose == "batch"
    assert sdk.files.content(made.id).read() == b'{"a": 1}\n'
    assert sdk.files.delete(made.id).deleted
    with pytest.raises(openai.NotFoundError):
        sdk.files.retrieve(made.id)


def test_the_uploads_api_through_azure_openai(sdk):
    upload = sdk.uploads.create(
        filename="big.jsonl", purpose="fine-tune", bytes=8, mime_type="text/jsonl"
    )
    first = sdk.uploads.parts.create(upload_id=upload.id, data=b'{"a":1}\n'[:4])
    second = sdk.uploads.parts.create(upload_id=upload.id, data=b'{"a":1}\n'[4:])
    done = sdk.uploads.complete(upload_id=upload.id, part_ids=[first.id, second.id])
    assert done.status == "completed"
    assert sdk.files.content(done.file.id).read() == b'{"a":1}\n'
    other = sdk.uploads.create(
        filename="x.txt", purpose="user_data", bytes=1, mime_type="text/plain"
    )
    assert sdk.uploads.cancel(upload_id=other.id).status == "cancelled"


def test_a_key_sees_the_same_files_on_both_faces(server, sdk):
    made = server.sdk().files.create(file=("v1.txt", b"x"), purpose="user_data")
    assert [f.id for f in sdk.files.list()] == [made.id]


def test_api_version_is_required(server):
    error = azure_error(get(server, "/openai/files", params=None, **{"api-key": KEY}), 400)
    assert error["code"] == "MissingApiVersionParameter"
    assert "api-version" in error["message"]


def test_a_malformed_api_version_is_refused(server):
    answer = get(server, "/openai/files", params={"api-version": "latest"}, **{"api-key": KEY})
    error = azure_error(answer, 400)
    assert error["code"] == "BadRequest" and "latest" in error["message"]


def test_a_missing_key_is_refused_as_azure_does(server):
    error = azure_error(get(server, "/openai/files"), 401)
    assert error["code"] == "401" and error["message"].startswith("Access denied")


def test_a_wrong_key_is_refused_and_not_echoed(server):
    wrong = "wrong-key-9876543210fedcba"
    error = azure_error(get(server, "/openai/files", **{"api-key": wrong}), 401)
    assert "Access denied" in error["message"] and wrong[-4:] not in error["message"]
    with pytest.raises(openai.AuthenticationError):
        server.azure_sdk(api_key=wrong).files.list()


def test_a_bearer_token_works(server):
    client = server.azure_sdk(azure_ad_token=KEY)
    client.files.create(file=("t.txt", b"t"), purpose="user_data")
    assert [f.filename for f in client.files.list()] == ["t.txt"]


def test_a_token_provider_is_asked_on_each_request(server):
    calls = []

    def provider():
        calls.append(1)
        return KEY

    client = server.azure_sdk(azure_ad_token_provider=provider)
    client.files.list()
    client.files.list()
    assert len(calls) == 2


def test_an_unknown_path_is_azures_404(server):
    error = azure_error(get(server, "/openai/models", **{"api-key": KEY}), 404)
    assert error == {"code": "404", "message": "Resource not found"}


def test_answers_carry_apim_request_id(server):
    answer = get(server, "/openai/files", **{"api-key": KEY})
    assert answer.status_code == 200
    assert answer.headers["apim-request-id"] == answer.headers["x-request-id"]
    refused = get(server, "/openai/files")
    assert refused.headers["apim-request-id"] == refused.headers["x-request-id"]


def test_faults_and_statistics_count_azure_calls_as_the_same_operations(server, sdk):
    server.add_fault("files.list", status=503)
    with pytest.raises(openai.InternalServerError):
        sdk.files.list()
    sdk.files.list()
    assert server.stats()["requests"]["files.list"] == 2


def test_without_azure_there_is_no_openai_path(openaifs_server):
    answer = get(openaifs_server, "/openai/files", **{"api-key": openaifs_server.api_key})
    assert answer.status_code == 404


def test_serve_azure_flag():
    with ServerProcess("--azure", api_keys=[KEY]) as server:
        client = server.azure_sdk()
        assert client.files.list().data == []
        assert f"Azure OpenAI endpoint {server.url}" in server.stderr_text()
        assert get(server, "/v1/files", Authorization=f"Bearer {KEY}").status_code == 200
