"""Listing files: SDK auto-pagination, order, cursors, bounds and created_at ties."""

from __future__ import annotations

import pytest
from server_helpers import assert_error


@pytest.fixture
def ids(openaifs_sdk):
    """25 files created in order (many share a created_at second)."""
    return [
        openaifs_sdk.files.create(file=(f"f{i:02}.txt", b"x"), purpose="user_data").id
        for i in range(25)
    ]


def test_auto_pagination_desc_and_asc(openaifs_sdk, openaifs_server, ids):
    openaifs_server.clear_stats()
    assert [f.id for f in openaifs_sdk.files.list(limit=10)] == ids[::-1]
    assert openaifs_server.stats()["requests"]["files.list"] == 3  # 10 + 10 + 5
    assert [f.id for f in openaifs_sdk.files.list(limit=10, order="asc")] == ids


def test_page_fields(openaifs_sdk, raw, ids):
    page = raw("GET", "/files", params={"limit": 10, "order": "asc"}).json()
    assert set(page) == {"object", "data", "first_id", "last_id", "has_more"}
    assert page["object"] == "list" and page["has_more"] is True
    assert (page["first_id"], page["last_id"]) == (ids[0], ids[9])
    last = raw("GET", "/files", params={"limit": 10, "order": "asc", "after": ids[19]}).json()
    assert [f["id"] for f in last["data"]] == ids[20:]
    assert last["has_more"] is False
    empty = raw("GET", "/files", params={"after": ids[0]}).json()  # desc: nothing older
    assert empty == {
        "object": "list",
        "data": [],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    }


def test_default_limit_returns_everything(openaifs_sdk, ids):
    page = openaifs_sdk.files.list()
    assert len(page.data) == 25 and page.has_more is False


def test_sdk_after_cursor(openaifs_sdk, ids):
    page = openaifs_sdk.files.list(limit=5, order="asc", after=ids[4])
    assert [f.id for f in page.data] == ids[5:10]


def test_deleted_file_stays_a_valid_cursor(openaifs_sdk, raw, ids):
    openaifs_sdk.files.delete(ids[10])
    page = raw("GET", "/files", params={"order": "asc", "after": ids[10], "limit": 3}).json()
    assert [f["id"] for f in page["data"]] == ids[11:14]


def test_ties_in_created_at_have_a_stable_order(openaifs_sdk, raw, ids):
    listed = raw("GET", "/files", params={"order": "asc"}).json()["data"]
    stamps = [f["created_at"] for f in listed]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) < len(stamps), "expected some files to share a second"
    paged = [f.id for f in openaifs_sdk.files.list(limit=3, order="asc")]
    assert paged == ids == [f["id"] for f in listed]


@pytest.mark.parametrize("limit", ["0", "10001", "-1", "ten", "1.5"])
def test_bad_limit(raw, limit):
    assert_error(raw("GET", "/files", params={"limit": limit}), 400, "limit")


def test_limit_bounds_are_inclusive(raw):
    for limit in ("1", "10000"):
        assert raw("GET", "/files", params={"limit": limit}).status_code == 200


def test_bad_order_and_unknown_cursor(raw):
    assert_error(raw("GET", "/files", params={"order": "newest"}), 400, "order")
    error = assert_error(raw("GET", "/files", params={"after": "file-nope"}), 400, "after")
    assert "file-nope" in error["message"]
