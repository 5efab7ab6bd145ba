"""A file's ``status``: ``uploaded`` for ``processing_seconds``, then ``processed`` or a scripted
``error`` (all on the server clock, so nothing sleeps)."""

from __future__ import annotations

import pytest
import requests
from server_helpers import assert_error

from openaifs.testing import LocalServer, ServerProcess


def statuses(sdk, file_id):
    """The status as retrieve and list show it (they must agree)."""
    retrieved = sdk.files.retrieve(file_id)
    listed = {f.id: f for f in sdk.files.list()}[file_id]
    assert (retrieved.status, retrieved.status_details) == (listed.status, listed.status_details)
    return retrieved.status, retrieved.status_details


def waiting_failures(server):
    return requests.get(server.url + "/_openaifs/processing-errors", timeout=10).json()["data"]


def test_processed_at_once_by_default(openaifs_sdk):
    created = openaifs_sdk.files.create(file=("a.txt", b"x"), purpose="user_data")
    assert (created.status, created.status_details) == ("processed", None)


def test_uploaded_for_the_configured_seconds_then_processed(openaifs_server, openaifs_sdk):
    openaifs_server.freeze_clock()  # a second ticking mid-test would cross the deadline
    openaifs_server.configure(processing_seconds=60)
    created = openaifs_sdk.files.create(file=("a.txt", b"x"), purpose="user_data")
    assert created.status == "uploaded"
    openaifs_server.advance_clock(59)
    assert statuses(openaifs_sdk, created.id) == ("uploaded", None)
    openaifs_server.advance_clock(1)
    assert statuses(openaifs_sdk, created.id) == ("processed", None)


def test_upload_completion_file_is_uploaded_first(openaifs_server, openaifs_sdk):
    openaifs_server.configure(processing_seconds=10)
    upload = openaifs_sdk.uploads.create(
        bytes=2, filename="a.txt", mime_type="text/plain", purpose="user_data"
    )
    part = openaifs_sdk.uploads.parts.create(upload.id, data=b"ab")
    done = openaifs_sdk.uploads.complete(upload.id, part_ids=[part.id])
    assert done.file.status == "uploaded"
    openaifs_server.advance_clock(10)
    assert statuses(openaifs_sdk, done.file.id) == ("processed", None)


def test_service_files_are_processed_too(openaifs_server, openaifs_sdk):
    openaifs_server.configure(processing_seconds=5)
    made = openaifs_server.add_service_file(b"{}\n", purpose="batch_output", filename="o.jsonl")
    assert made["status"] == "uploaded"
    openaifs_server.advance_clock(5)
    assert statuses(openaifs_sdk, made["id"]) == ("processed", None)


def test_a_new_delay_applies_to_new_files_only(openaifs_server, openaifs_sdk):
    openaifs_server.configure(processing_seconds=100)
    slow = openaifs_sdk.files.create(file=("a.txt", b"x"), purpose="user_data")
    openaifs_server.configure(processing_seconds=0)
    fast = openaifs_sdk.files.create(file=("b.txt", b"y"), purpose="user_data")
    assert statuses(openaifs_sdk, slow.id)[0] == "uploaded"
    assert statuses(openaifs_sdk, fast.id)[0] == "processed"


def test_scripted_failure_ends_in_error_after_the_delay(openaifs_server, openaifs_sdk):
    openaifs_server.configure(processing_seconds=30)
    waiting = openaifs_server.fail_processing("Invalid file format: line 3 is not JSON.")
    assert waiting == [
        {"status_details": "Invalid file format: line 3 is not JSON.", "remaining": 1}
    ]
    bad = openaifs_sdk.files.create(file=("a.jsonl", b"{"), purpose="fine-tune")
    good = openaifs_sdk.files.create(file=("b.jsonl", b"{}"), purpose="fine-tune")
    assert statuses(openaifs_sdk, bad.id) == ("uploaded", None)
    openaifs_server.advance_clock(30)
    assert statuses(openaifs_sdk, bad.id) == ("error", "Invalid file format: line 3 is not JSON.")
    assert statuses(openaifs_sdk, good.id) == ("processed", None)
    assert openaifs_sdk.files.content(bad.id).content == b"{"  # still readable, as uploaded


def test_scripted_failures_are_used_in_order_and_without_delay_at_once(
    openaifs_server, openaifs_sdk
):
    openaifs_server.fail_processing("first", times=2)
    openaifs_server.fail_processing("second")
    made = [
        openaifs_sdk.files.create(file=(f"{i}.txt", b"x"), purpose="user_data") for i in range(4)
    ]
    assert [(f.status, f.status_details) for f in made] == [
        ("error", "first"),
        ("error", "first"),
        ("error", "second"),
        ("processed", None),
    ]


def test_reset_forgets_delays_and_failures(openaifs_server, openaifs_sdk):
    openaifs_server.configure(processing_seconds=30)
    openaifs_server.fail_processing("never used")
    openaifs_server.reset()
    assert openaifs_server.configure()["processing_seconds"] == 0
    assert waiting_failures(openaifs_server) == []
    created = openaifs_sdk.files.create(file=("a.txt", b"x"), purpose="user_data")
    assert created.status == "processed"


@pytest.mark.parametrize(
    "body, param",
    [
        ({}, "status_details"),
        ({"status_details": ""}, "status_details"),
        ({"status_details": 3}, "status_details"),
        ({"status_details": "x", "times": 0}, "times"),
        ({"status_details": "x", "times": True}, "times"),
        ({"status_details": "x", "colour": "red"}, None),
    ],
)
def test_bad_processing_error_control_is_refused(openaifs_server, body, param):
    answer = requests.post(openaifs_server.url + "/_openaifs/processing-errors", json=body)
    assert_error(answer, 400, param)
    assert waiting_failures(openaifs_server) == []


@pytest.mark.parametrize("value", [-1, 1.5, "10", True])
def test_bad_processing_seconds_config_is_refused(openaifs_server, value):
    with pytest.raises(RuntimeError, match="processing_seconds"):
        openaifs_server.configure(processing_seconds=value)
    assert openaifs_server.configure()["processing_seconds"] == 0


def test_local_server_option():
    with LocalServer(processing_seconds=7) as server:
        client = server.sdk()
        created = client.files.create(file=("a.txt", b"x"), purpose="user_data")
        assert created.status == "uploaded"
        server.advance_clock(7)
        assert client.files.retrieve(created.id).status == "processed"
        server.reset()  # back to the startup value, not to 0
        assert server.configure()["processing_seconds"] == 7


def test_serve_flag():
    with ServerProcess(processing_seconds=20) as server:
        assert server.configure()["processing_seconds"] == 20
        created = server.sdk().files.create(file=("a.txt", b"x"), purpose="user_data")
        assert created.status == "uploaded"


def test_serve_refuses_a_negative_delay():
    server = ServerProcess("--processing-seconds", "-5")
    with pytest.raises(RuntimeError, match="--processing-seconds: must be a whole number"):
        server.start()
    server.stop()
