"""The md5 checked at an Upload's complete: hashed while the parts arrive, right in any order.

``complete_hashed_bytes`` (in ``/_openaifs/stats``) counts the bytes complete had to read
itself; parts listed in the order they were sent were hashed as they came in.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import openai
import pytest
import requests

from openaifs.server.digests import Digests
from openaifs.testing import LocalServer


def _upload(sdk, size):
    return sdk.uploads.create(
        bytes=size, filename="d.bin", mime_type="application/octet-stream", purpose="user_data"
    )


def _complete(sdk, upload, part_ids, data):
    return sdk.uploads.complete(upload.id, part_ids=part_ids, md5=hashlib.md5(data).hexdigest())


def test_parts_sent_in_order_are_hashed_before_complete(openaifs_server: LocalServer, openaifs_sdk):
    chunks = [os.urandom(200_000 + i) for i in range(5)]
    upload = _upload(openaifs_sdk, sum(map(len, chunks)))
    parts = [openaifs_sdk.uploads.parts.create(upload.id, data=c) for c in chunks]
    openaifs_server.clear_stats()
    done = _complete(openaifs_sdk, upload, [p.id for p in parts], b"".join(chunks))
    assert done.status == "completed"
    assert openaifs_server.stats()["complete_hashed_bytes"] == 0


def test_parts_listed_in_another_order_are_checked_in_that_order(
    openaifs_server: LocalServer, openaifs_sdk
):
    chunks = [os.urandom(100_000) for _ in range(4)]
    upload = _upload(openaifs_sdk, 400_000)
    parts = [openaifs_sdk.uploads.parts.create(upload.id, data=c) for c in chunks]
    order = [0, 1, 3, 2]
    # The md5 of the order sent is not the md5 of the order listed: refused.
    with pytest.raises(openai.BadRequestError) as refused:
        _complete(openaifs_sdk, upload, [parts[i].id for i in order], b"".join(chunks))
    assert refused.value.body["param"] == "md5"
    openaifs_server.clear_stats()
    listed = b"".join(chunks[i] for i in order)
    done = _complete(openaifs_sdk, upload, [parts[i].id for i in order], listed)
    assert openaifs_sdk.files.content(done.file.id).content == listed
    # The first two parts were hashed on arrival; only the last two were read at complete.
    assert openaifs_server.stats()["complete_hashed_bytes"] == 200_000


def test_parts_sent_at_once_and_listed_shuffled(openaifs_sdk):
    rng = random.Random(7)
    chunks = [os.urandom(rng.randrange(1, 300_000)) for _ in range(12)]
    upload = _upload(openaifs_sdk, sum(map(len, chunks)))
    with ThreadPoolExecutor(6) as pool:
        parts = list(
            pool.map(lambda c: openaifs_sdk.uploads.parts.create(upload.id, data=c), chunks)
        )
    order = list(range(12))
    rng.shuffle(order)
    listed = b"".join(chunks[i] for i in order)
    done = _complete(openaifs_sdk, upload, [parts[i].id for i in order], listed)
    assert openaifs_sdk.files.content(done.file.id).content == listed


def _cut_off_part(server: LocalServer, upload_id: str, size: int, sent: int) -> None:
    """Send the start of a ``size``-byte part, then close the connection."""
    boundary = "cut0ff"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="data"; filename="b"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    request = (
        f"POST /v1/uploads/{upload_id}/parts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {server.api_key}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(head) + size + len(tail)}\r\n\r\n"
    ).encode()
    with socket.create_connection((server.host, server.port)) as sock:
        sock.sendall(request + head + os.urandom(sent))


def test_a_part_cut_off_midway_leaves_the_running_md5_right(
    openaifs_server: LocalServer, openaifs_sdk
):
    first, second = os.urandom(300_000), os.urandom(300_000)
    upload = _upload(openaifs_sdk, 600_000)
    a = openaifs_sdk.uploads.parts.create(upload.id, data=first)
    _cut_off_part(openaifs_server, upload.id, 300_000, 50_000)
    b = openaifs_sdk.uploads.parts.create(upload.id, data=second)
    openaifs_server.clear_stats()
    done = _complete(openaifs_sdk, upload, [a.id, b.id], first + second)
    assert openaifs_sdk.files.content(done.file.id).content == first + second
    assert openaifs_server.stats()["complete_hashed_bytes"] == 0


def test_a_part_stored_but_unlisted_costs_a_read_of_what_follows(
    openaifs_server: LocalServer, openaifs_sdk
):
    """A part whose answer was lost (and so sent again) is in the running order but not in
    the list: complete reads the parts after it, and the md5 is still the listed parts'."""
    first, second = os.urandom(300_000), os.urandom(200_000)
    upload = _upload(openaifs_sdk, 500_000)
    a = openaifs_sdk.uploads.parts.create(upload.id, data=first)
    openaifs_server.add_fault("uploads.parts.create", kind="drop_after")
    with pytest.raises(requests.ConnectionError):
        requests.post(
            f"{openaifs_server.base_url}/uploads/{upload.id}/parts",
            headers={"Authorization": f"Bearer {openaifs_server.api_key}"},
            files={"data": ("blob", second)},
            timeout=30,
        )
    b = openaifs_sdk.uploads.parts.create(upload.id, data=second)  # the resend
    openaifs_server.clear_stats()
    done = _complete(openaifs_sdk, upload, [a.id, b.id], first + second)
    assert openaifs_sdk.files.content(done.file.id).content == first + second
    assert openaifs_server.stats()["complete_hashed_bytes"] == 200_000


def test_refused_parts_and_unknown_uploads_keep_no_digest(openaifs_server: LocalServer, raw):
    state = openaifs_server.state
    assert state is not None
    for _ in range(3):
        response = raw("POST", "/uploads/upload_nope/parts", files={"data": ("b", b"x")})
        assert response.status_code == 404
    body = {"bytes": 1, "filename": "a.txt", "mime_type": "text/plain", "purpose": "user_data"}
    upload = raw("POST", "/uploads", json=body).json()
    assert raw("POST", f"/uploads/{upload['id']}/parts", files={"data": ("b", b"x")}).ok
    assert raw("POST", f"/uploads/{upload['id']}/cancel").ok
    refused = raw("POST", f"/uploads/{upload['id']}/parts", files={"data": ("b", b"y")})
    assert refused.status_code == 400
    assert state.digests.pending() == []


def test_the_running_md5_follows_the_order_requests_began(tmp_path):
    """Unit check of the ordering rule: a part that began first is hashed first, even if
    it finishes last, and a dropped request leaves no gap."""
    paths = []
    for name, data in (("a", b"first"), ("b", b"second"), ("c", b"third")):
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))

    async def run(function, *args):
        return await asyncio.get_running_loop().run_in_executor(None, function, *args)

    async def scenario():
        digest = Digests(run).of("upload_x")
        first, dropped, second, third = (digest.begin() for _ in range(4))
        digest.finished(third, "p3", paths[2])
        digest.finished(second, "p2", paths[1])
        digest.dropped(dropped)
        await asyncio.sleep(0.05)
        assert digest.covered == []  # the first part is still arriving
        digest.finished(first, "p1", paths[0])
        hexdigest, read = await digest.md5(["p1", "p2", "p3"], paths)
        assert digest.covered == ["p1", "p2", "p3"]
        return hexdigest, read

    hexdigest, read = asyncio.run(scenario())
    assert (hexdigest, read) == (hashlib.md5(b"firstsecondthird").hexdigest(), 0)


def test_many_uploads_at_once_each_get_their_own_md5(openaifs_sdk):
    def one(seed: int) -> None:
        chunks = [random.Random(seed * 10 + i).randbytes(50_000) for i in range(3)]
        upload = _upload(openaifs_sdk, 150_000)
        parts = [openaifs_sdk.uploads.parts.create(upload.id, data=c) for c in chunks]
        _complete(openaifs_sdk, upload, [p.id for p in parts], b"".join(chunks))

    errors = []

    def guarded(seed: int) -> None:
        try:
            one(seed)
        except Exception as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(s,)) for s in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_another_projects_request_for_the_upload_leaves_its_running_md5_alone():
    # Review: a part sent under another key (another project) is refused as not found;
    # it used to drop the owner's running md5 too, so complete read every part again.
    with LocalServer(api_keys=["sk-owner", "sk-other"]) as server:
        owner = server.sdk(api_key="sk-owner")
        chunks = [os.urandom(100_000) for _ in range(3)]
        upload = _upload(owner, 300_000)
        parts = [owner.uploads.parts.create(upload.id, data=chunks[0])]
        with pytest.raises(openai.NotFoundError):
            server.sdk(api_key="sk-other").uploads.parts.create(upload.id, data=b"x")
        parts += [owner.uploads.parts.create(upload.id, data=c) for c in chunks[1:]]
        server.clear_stats()
        _complete(owner, upload, [p.id for p in parts], b"".join(chunks))
        assert server.stats()["complete_hashed_bytes"] == 0


# -- parts that name their place (X-OpenAIFS-Part-Index) ------------------------------------


def _part(sdk, upload, data, index):
    headers = {} if index is None else {"X-OpenAIFS-Part-Index": index}
    return sdk.uploads.parts.create(upload.id, data=data, extra_headers=headers)


def test_parts_sent_out_of_order_that_name_their_place_are_hashed_before_complete(
    openaifs_server: LocalServer, openaifs_sdk
):
    # openaifs sends parts side by side: they reach the server in any order, and without
    # their places the server read most of them again at complete.
    chunks = [os.urandom(100_000 + i) for i in range(5)]
    upload = _upload(openaifs_sdk, sum(map(len, chunks)))
    parts = {i: _part(openaifs_sdk, upload, chunks[i], str(i)) for i in (3, 1, 4, 0, 2)}
    openaifs_server.clear_stats()
    _complete(openaifs_sdk, upload, [parts[i].id for i in range(5)], b"".join(chunks))
    assert openaifs_server.stats()["complete_hashed_bytes"] == 0


def test_a_part_sent_again_takes_its_place_from_the_earlier_attempt(
    openaifs_server: LocalServer, openaifs_sdk
):
    # The first attempt at part 1 was stored but its answer lost: the client sent it again
    # and lists the second; the running md5 follows the second. (Had part 0 been in and
    # the first attempt hashed already, complete would read from part 1 on: right, later.)
    chunks = [os.urandom(100_000) for _ in range(3)]
    upload = _upload(openaifs_sdk, 300_000)
    _part(openaifs_sdk, upload, chunks[1], "1")  # its answer never reached the client
    again = _part(openaifs_sdk, upload, chunks[1], "1")
    first = _part(openaifs_sdk, upload, chunks[0], "0")
    last = _part(openaifs_sdk, upload, chunks[2], "2")
    openaifs_server.clear_stats()
    _complete(openaifs_sdk, upload, [first.id, again.id, last.id], b"".join(chunks))
    assert openaifs_server.stats()["complete_hashed_bytes"] == 0


def test_a_refused_part_keeps_its_place_for_the_next_attempt(
    openaifs_server: LocalServer, openaifs_sdk
):
    chunks = [os.urandom(100_000) for _ in range(3)]
    upload = _upload(openaifs_sdk, 300_000)
    first = _part(openaifs_sdk, upload, chunks[0], "0")
    openaifs_server.add_fault("uploads.parts.create", "status", status=400)
    with pytest.raises(openai.BadRequestError):
        _part(openaifs_sdk, upload, chunks[1], "1")
    last = _part(openaifs_sdk, upload, chunks[2], "2")
    again = _part(openaifs_sdk, upload, chunks[1], "1")
    openaifs_server.clear_stats()
    _complete(openaifs_sdk, upload, [first.id, again.id, last.id], b"".join(chunks))
    assert openaifs_server.stats()["complete_hashed_bytes"] == 0


@pytest.mark.parametrize("value", ["-1", "x", "1e3", "99999999", ""])
def test_a_place_that_is_not_one_is_ignored(openaifs_server: LocalServer, openaifs_sdk, value):
    # The part goes where requests that name none go: after those begun before it.
    chunks = [os.urandom(50_000) for _ in range(2)]
    upload = _upload(openaifs_sdk, 100_000)
    parts = [_part(openaifs_sdk, upload, c, value) for c in chunks]
    openaifs_server.clear_stats()
    done = _complete(openaifs_sdk, upload, [p.id for p in parts], b"".join(chunks))
    assert done.status == "completed"
    assert openaifs_server.stats()["complete_hashed_bytes"] == 0


@pytest.mark.parametrize("value", ["\u00b2", "\u0661"])  # "²", an Arabic-Indic one
def test_a_place_in_digits_that_are_not_ascii_is_ignored(
    openaifs_server: LocalServer, openaifs_sdk, value
):
    # str.isdigit() takes them, int() refused "²": the part was answered 500.
    upload = _upload(openaifs_sdk, 10)
    answer = requests.post(
        f"{openaifs_server.base_url}/uploads/{upload.id}/parts",
        headers={
            "Authorization": f"Bearer {openaifs_server.api_key}",
            "X-OpenAIFS-Part-Index": value.encode(),
        },
        files={"data": ("blob", b"0123456789")},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    part = answer.json()["id"]
    done = _complete(openaifs_sdk, upload, [part], b"0123456789")
    assert done.status == "completed"
