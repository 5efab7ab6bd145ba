"""A wrong base_url (most often one without ``/v1``) is told apart from a missing file.

The rule (see :mod:`openaifs.errors`): a 404 on a collection endpoint, a 404 whose body is
not an OpenAI error object, or one whose message starts with ``Invalid URL`` is an
:class:`~openaifs.errors.EndpointNotFound` naming the fix; any other 404 is a missing file.
"""

from __future__ import annotations

import re

import pytest
from foreign_server import foreign_server, fs_at
from fs_support import make_fs

from openaifs import cli, errors
from openaifs.client import APIClient
from openaifs.errors import EndpointNotFound, FileNotFound, http_error, is_endpoint_not_found

REQUEST_ID = re.compile(r"\(request id req_[0-9a-f]+\)$")


@pytest.fixture
def no_v1(server):
    """A filesystem whose base_url lacks the ``/v1`` the server's API lives under."""
    return make_fs(server, base_url=server.url)


def test_base_url_without_v1_names_the_fix_when_listing(server, no_v1):
    with pytest.raises(EndpointNotFound) as info:
        no_v1.ls("openai://user_data")
    message = str(info.value)
    assert message.startswith(
        f"openai://user_data: base_url '{server.url}' answered HTTP 404 for GET /files: "
        "does it need '/v1' at the end? The service said: Invalid URL (GET /files)."
    )
    assert REQUEST_ID.search(message)
    assert (info.value.status, info.value.path) == (404, "openai://user_data")
    assert not isinstance(info.value, FileNotFoundError)
    assert isinstance(info.value, ConnectionError)


def test_base_url_without_v1_names_the_fix_for_a_file_id(server, no_v1):
    # GET /files/{id} is not a collection: the service's "Invalid URL" tells it apart.
    with pytest.raises(EndpointNotFound, match="does it need '/v1' at the end"):
        no_v1.info("openai://file-abc")


@pytest.mark.parametrize("path", ["openai://file-abc", "openai://user_data/a.txt"])
def test_exists_raises_rather_than_answer_false_without_v1(no_v1, path):
    with pytest.raises(EndpointNotFound, match="'/v1'"):
        no_v1.exists(path)


def test_write_without_v1_names_the_fix(no_v1):
    with pytest.raises(EndpointNotFound, match="does it need '/v1' at the end"):
        no_v1.pipe_file("openai://user_data/a.txt", b"abc")


def test_upload_and_create_without_v1_name_the_fix(server):
    client = APIClient(server.api_key, server.url, max_retries=0)
    with pytest.raises(
        EndpointNotFound,
        match=r"^POST /uploads: base_url '[^']+' answered HTTP 404: does it need '/v1'",
    ):
        client.create_upload(filename="a.txt", purpose="user_data", size=3, mime_type="text/plain")
    with pytest.raises(
        EndpointNotFound,
        match=r"^POST /files: base_url '[^']+' answered HTTP 404: does it need '/v1'",
    ):
        client.create_file(b"abc", 3, filename="a.txt", purpose="user_data")


def test_wrong_base_url_ending_in_v1_asks_whether_it_is_the_files_api(server):
    fs = make_fs(server, base_url=server.url + "/api/v1")
    with pytest.raises(EndpointNotFound, match="is it the address of an OpenAI-compatible"):
        fs.ls("openai://batch")


def test_missing_file_is_still_a_file_not_found(fs):
    with pytest.raises(FileNotFound) as info:
        fs.info("openai://file-doesnotexist")
    assert "No such File object" in str(info.value)
    assert not fs.exists("openai://file-doesnotexist")


def test_a_404_page_that_is_not_an_openai_error_is_a_wrong_base_url():
    with foreign_server(404, "<html><h1>Not Found</h1></html>") as url:
        fs = fs_at(url, max_retries=0)
        with pytest.raises(EndpointNotFound) as info:
            fs.info("openai://file-abc")
    assert f"base_url '{url}' answered HTTP 404 for GET /files/file-abc" in str(info.value)
    assert "The service said: <html><h1>Not Found</h1></html>" in str(info.value)


def test_a_web_page_answering_200_is_a_bad_response_naming_base_url():
    with foreign_server(200, "<html>Welcome</html>") as url:
        fs = fs_at(url, max_retries=0)
        with pytest.raises(errors.BadResponse) as info:
            fs.ls("openai://batch")
    assert str(info.value) == (
        f"openai://batch: the answer of '{url}' to GET /files is not JSON "
        "(text/html; charset=utf-8): is base_url the address of the Files API?"
    )
    assert isinstance(info.value, OSError) and info.value.status == 200


OPENAI_ERROR = {"message": "No such File object: file-abc", "param": "id"}


@pytest.mark.parametrize(
    ("operation", "error", "wrong_base_url"),
    [
        ("GET /files", OPENAI_ERROR, True),  # a collection: it always exists
        ("POST /files", OPENAI_ERROR, True),
        ("POST /uploads", OPENAI_ERROR, True),
        ("GET /files/file-abc", None, True),  # not an OpenAI error object
        ("GET /files/file-abc", {"message": "Invalid URL (GET /files/file-abc)"}, True),
        ("GET /files/file-abc", OPENAI_ERROR, False),  # the API says: no such file
        ("DELETE /files/file-abc", OPENAI_ERROR, False),
        ("POST /uploads/upload-abc/parts", OPENAI_ERROR, False),
    ],
)
def test_the_rule_that_tells_a_wrong_base_url_from_a_missing_file(operation, error, wrong_base_url):
    assert is_endpoint_not_found(404, operation, error) is wrong_base_url
    assert not is_endpoint_not_found(400, operation, error)


def test_hint_without_a_base_url_still_names_the_setting():
    exc = http_error(404, b"Not Found", None, operation="GET /files")
    assert str(exc) == (
        "GET /files: the service answered HTTP 404: "
        "is base_url the Files API's address? The service said: Not Found"
    )


def test_cli_without_v1_is_one_line_naming_the_fix(server, monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    assert cli.main(["ls", "openai://batch"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"openaifs: ConnectionError: openai://batch: base_url '{server.url}'")
    assert "does it need '/v1' at the end?" in err
    assert len(err.splitlines()) == 1
