"""Multipart bodies as the server's own form-data reader sees them: split anywhere, odd, broken."""

from __future__ import annotations

import pytest
from server_helpers import assert_error

BOUNDARY = "tEsT-boundary-42"
DELIMITER = b"\r\n--" + BOUNDARY.encode()
FORM = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}

#: Content full of near misses: every proper prefix of the delimiter, each followed by a byte
#: that breaks it, so a reader that matched too eagerly (or lost bytes at a seam) would show.
TRICKY = b"".join(DELIMITER[:k] + b"\x00" for k in range(1, len(DELIMITER))) * 40 + b"\r\n-"


def form(*parts: tuple[str, str | None, bytes], preamble: bytes = b"", epilogue: bytes = b""):
    """Return a multipart body of ``(name, filename, data)`` parts."""
    body = [preamble]
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body.append(f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode())
        body += [data, b"\r\n"]
    body.append(f"--{BOUNDARY}--\r\n".encode() + epilogue)
    return b"".join(body)


def in_pieces(body: bytes, size: int):
    """Yield ``body`` in ``size``-byte pieces (each one HTTP chunk, so each its own read)."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def content_of(raw, answer) -> bytes:
    assert answer.status_code == 200, answer.text
    return raw("GET", f"/files/{answer.json()['id']}/content").content


@pytest.mark.parametrize("piece", [1, 2, 3, 7, len(DELIMITER), 41, 4096, 10**6])
def test_file_bytes_survive_every_split_of_the_body(raw, piece):
    body = form(("purpose", None, b"user_data"), ("file", "t.bin", TRICKY))
    answer = raw("POST", "/files", data=in_pieces(body, piece), headers=FORM)
    assert content_of(raw, answer) == TRICKY
    assert answer.json()["bytes"] == len(TRICKY)


@pytest.mark.parametrize("piece", [1, 5, 4096])
def test_upload_part_bytes_survive_every_split_of_the_body(openaifs_sdk, raw, piece):
    upload = openaifs_sdk.uploads.create(
        bytes=len(TRICKY), filename="t.bin", mime_type="x/y", purpose="user_data"
    )
    body = form(("data", "blob", TRICKY))
    part = raw("POST", f"/uploads/{upload.id}/parts", data=in_pieces(body, piece), headers=FORM)
    assert part.status_code == 200, part.text
    done = openaifs_sdk.uploads.complete(upload.id, part_ids=[part.json()["id"]])
    assert openaifs_sdk.files.content(done.file.id).content == TRICKY


def test_empty_and_boundary_sized_files(raw):
    # aiohttp's multipart reader, used before, dropped the connection on some of these.
    for data in (b"", b"x", DELIMITER[:-1], b"\r\n", TRICKY[: len(DELIMITER) * 3]):
        body = form(("purpose", None, b"user_data"), ("file", "e.bin", data))
        assert content_of(raw, raw("POST", "/files", data=body, headers=FORM)) == data


def test_preamble_epilogue_and_other_fields_are_ignored(raw):
    body = form(
        ("note", None, b"not a field of the API"),
        ("purpose", None, b"user_data"),
        ("file", "p.bin", b"payload"),
        ("after", "other.bin", b"ignored too"),
        preamble=b"This is the preamble.\r\n",
        epilogue=b"This is the epilogue.\r\n",
    )
    answer = raw("POST", "/files", data=body, headers=FORM)
    assert content_of(raw, answer) == b"payload"
    assert answer.json()["filename"] == "p.bin"


def test_a_part_without_headers_is_skipped(openaifs_sdk, raw):
    upload = openaifs_sdk.uploads.create(
        bytes=4, filename="h.bin", mime_type="x/y", purpose="user_data"
    )
    body = f"--{BOUNDARY}\r\n\r\nno headers\r\n".encode() + form(("data", "blob", b"data"))
    part = raw("POST", f"/uploads/{upload.id}/parts", data=body, headers=FORM)
    assert part.status_code == 200, part.text
    done = openaifs_sdk.uploads.complete(upload.id, part_ids=[part.json()["id"]])
    assert openaifs_sdk.files.content(done.file.id).content == b"data"


def test_non_ascii_filenames_round_trip(openaifs_sdk):
    name = "naïve; 数据 = 'x'.txt"
    created = openaifs_sdk.files.create(file=(name, b"x"), purpose="user_data")
    assert openaifs_sdk.files.retrieve(created.id).filename == name


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("multipart/form-data", form(("file", "a.bin", b"x"))),  # no boundary parameter
        (FORM["Content-Type"], f"--{BOUNDARY}\r\nContent-Disposition: x".encode()),
        (FORM["Content-Type"], form(("file", "a.bin", b"x"))[:-10]),  # never closed
        (FORM["Content-Type"], f"--{BOUNDARY}\r\n".encode() + b"X-Long: a" * 5000),
        (FORM["Content-Type"], f"--{BOUNDARY}\r\nno colon here\r\n\r\nx\r\n".encode()),
        (FORM["Content-Type"], b"no boundary anywhere in this body"),
    ],
    ids=["no-boundary", "headers-cut", "not-closed", "endless-headers", "bad-header", "none"],
)
def test_broken_bodies_are_400_and_the_server_carries_on(raw, content_type, body):
    answer = raw("POST", "/files", data=body, headers={"Content-Type": content_type})
    assert_error(answer, 400)
    assert raw("GET", "/files").status_code == 200
