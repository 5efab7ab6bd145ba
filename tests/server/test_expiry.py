"""expires_after on files and uploads, and lazily evaluated expiry."""

from __future__ import annotations

import openai
import pytest
from server_helpers import assert_error


def expiring(raw, seconds, anchor="created_at"):
    form = {"expires_after[anchor]": anchor, "expires_after[seconds]": str(seconds)}
    return raw.upload_file(b"data", **form)


@pytest.mark.parametrize("seconds", [3599, 2_592_001, "soon"])
def test_seconds_out_of_bounds(raw, seconds):
    assert_error(expiring(raw, seconds), 400, "expires_after.seconds")


def test_anchor_must_be_created_at(raw):
    assert_error(expiring(raw, 3600, anchor="uploaded_at"), 400, "expires_after.anchor")


def test_sdk_expires_after_sets_expires_at(openaifs_sdk):
    for seconds in (3600, 2_592_000):
        created = openaifs_sdk.files.create(
            file=("a.txt", b"x"),
            purpose="user_data",
            expires_after={"anchor": "created_at", "seconds": seconds},
        )
        assert created.expires_at == created.created_at + seconds


def test_expired_file_vanishes(openaifs_sdk, openaifs_server):
    openaifs_server.freeze_clock()  # a second ticking mid-test would cross the deadline
    short = openaifs_sdk.files.create(
        file=("a.txt", b"x"),
        purpose="user_data",
        expires_after={"anchor": "created_at", "seconds": 3600},
    )
    keep = openaifs_sdk.files.create(file=("b.txt", b"y"), purpose="user_data")
    openaifs_server.advance_clock(3599)
    assert openaifs_sdk.files.retrieve(short.id).id == short.id
    openaifs_server.advance_clock(1)
    for call in (
        openaifs_sdk.files.retrieve,
        openaifs_sdk.files.content,
        openaifs_sdk.files.delete,
    ):
        with pytest.raises(openai.NotFoundError):
            call(short.id)
    assert [f.id for f in openaifs_sdk.files.list()] == [keep.id]


def test_upload_expires_after_applies_to_its_file(openaifs_sdk, raw):
    upload = openaifs_sdk.uploads.create(
        bytes=1,
        filename="a.txt",
        mime_type="text/plain",
        purpose="user_data",
        expires_after={"anchor": "created_at", "seconds": 7200},
    )
    assert upload.expires_at == upload.created_at + 3600  # the Upload's own lifetime
    part = openaifs_sdk.uploads.parts.create(upload.id, data=b"x")
    done = openaifs_sdk.uploads.complete(upload.id, part_ids=[part.id])
    assert done.file.expires_at == done.file.created_at + 7200
    body = {"bytes": 1, "filename": "a", "mime_type": "text/plain", "purpose": "user_data"}
    bad = {**body, "expires_after": {"anchor": "created_at", "seconds": 60}}
    assert_error(raw("POST", "/uploads", json=bad), 400, "expires_after.seconds")


def test_a_frozen_clock_stands_still_until_advanced_and_runs_on_without_going_back(
    openaifs_server,
):
    import time

    now = openaifs_server.freeze_clock()
    time.sleep(1.2)
    assert openaifs_server.freeze_clock() == now  # freezing again changes nothing
    assert openaifs_server.advance_clock(5) == now + 5
    assert openaifs_server.freeze_clock(False) == now + 5  # runs on from there
    time.sleep(1.1)
    assert openaifs_server.advance_clock(0) >= now + 6
    openaifs_server.reset()
    assert openaifs_server.advance_clock(0) <= int(time.time()) + 1
