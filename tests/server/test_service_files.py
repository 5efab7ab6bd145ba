"""The ``POST /_openaifs/files`` control makes files as the service would, in any purpose."""

from __future__ import annotations

import pytest

from openaifs.testing import LocalServer


def test_a_service_file_in_an_output_purpose_is_listed_and_read(openaifs_server, openaifs_sdk):
    made = openaifs_server.add_service_file(
        b'{"custom_id": "1"}\n', purpose="batch_output", filename="batch_1_output.jsonl"
    )
    assert made["purpose"] == "batch_output" and made["bytes"] == 19
    listed = openaifs_sdk.files.list(purpose="batch_output")
    assert [f.id for f in listed] == [made["id"]]
    assert openaifs_sdk.files.content(made["id"]).content == b'{"custom_id": "1"}\n'


def test_a_service_file_belongs_to_the_key_that_made_it(openaifs_server):
    other = openaifs_server.sdk(api_key="sk-someone-else")
    openaifs_server.add_service_file(b"x", purpose="fine-tune-results", filename="r.csv")
    assert list(other.files.list()) == []


def test_a_service_file_needs_a_purpose_and_a_filename(openaifs_server):
    with pytest.raises(RuntimeError, match=r"400 .*purpose"):
        openaifs_server.add_service_file(b"x", purpose="", filename="r.csv")


def test_a_service_file_needs_a_known_key_when_keys_are_set():
    with LocalServer(api_keys=["sk-only"]) as server, pytest.raises(RuntimeError, match="401"):
        server.add_service_file(b"x", purpose="batch_output", filename="o", api_key="sk-x")


def test_many_service_files_in_one_request(server, openaifs_sdk):
    made = server.add_service_files(b"x", purpose="batch", filename="row-{i:03}.jsonl", count=50)
    assert [f["filename"] for f in made][:2] == ["row-000.jsonl", "row-001.jsonl"]
    assert len(list(openaifs_sdk.files.list(purpose="batch"))) == 50


def test_many_service_files_need_a_numbered_filename(server):
    with pytest.raises(RuntimeError, match="must hold"):
        server.add_service_files(b"x", purpose="batch", filename="same.jsonl", count=2)
