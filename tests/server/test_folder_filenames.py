"""The local server keeps filenames exactly as given, as the service does: slashes (folders),
a leading ``/``, backslashes, ``..`` segments, through ``POST /files`` and the Uploads API."""

from __future__ import annotations

import pytest
from server_helpers import Raw

NAMES = ["a/b/c.txt", "/abs/path.txt", "\\\\server\\share\\x.txt", "../up.txt", "a//b.txt", "dir/"]


@pytest.fixture
def raw(openaifs_server):
    return Raw(openaifs_server)


def _multipart(name: str) -> tuple[bytes, dict[str, str]]:
    # Written by hand: HTTP clients rewrite some filenames (httpx percent-encodes '"').
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    body = (
        '--B\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n'
        f'--B\r\nContent-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
        "Content-Type: text/plain\r\n\r\nx\r\n--B--\r\n"
    ).encode()
    return body, {"Content-Type": "multipart/form-data; boundary=B"}


@pytest.mark.parametrize("name", NAMES)
def test_post_files_keeps_the_filename_as_sent(raw, name):
    body, headers = _multipart(name)
    answer = raw("POST", "/files", data=body, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["filename"] == name
    assert raw("GET", f"/files/{answer.json()['id']}").json()["filename"] == name


@pytest.mark.parametrize("name", NAMES)
def test_uploads_keep_the_filename_as_sent(openaifs_server, name):
    sdk = openaifs_server.sdk()
    upload = sdk.uploads.create(filename=name, purpose="user_data", bytes=1, mime_type="text/plain")
    part = sdk.uploads.parts.create(upload_id=upload.id, data=b"x")
    done = sdk.uploads.complete(upload_id=upload.id, part_ids=[part.id])
    assert done.file.filename == name


def test_the_sdk_sends_folder_names_that_stay_whole(openaifs_server):
    sdk = openaifs_server.sdk()
    made = sdk.files.create(file=("runs/2024/a.jsonl", b"{}\n"), purpose="user_data")
    assert made.filename == "runs/2024/a.jsonl"
    assert [f.filename for f in sdk.files.list()] == ["runs/2024/a.jsonl"]
