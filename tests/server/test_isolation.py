"""Bearer keys: each key is its own project; --api-key restricts the accepted keys."""

from __future__ import annotations

import openai
import pytest
from server_helpers import Raw, assert_error

from openaifs.testing import LocalServer


def test_each_key_sees_only_its_own(openaifs_server):
    alice = openaifs_server.sdk(api_key="sk-alice")
    bob = openaifs_server.sdk(api_key="sk-bob")
    mine = alice.files.create(file=("a.txt", b"alice"), purpose="user_data")
    upload = alice.uploads.create(bytes=1, filename="u", mime_type="text/plain", purpose="evals")
    assert [f.id for f in alice.files.list()] == [mine.id]
    assert list(bob.files.list()) == []
    for call in (bob.files.retrieve, bob.files.content, bob.files.delete):
        with pytest.raises(openai.NotFoundError):
            call(mine.id)
    with pytest.raises(openai.NotFoundError):
        bob.uploads.parts.create(upload.id, data=b"x")
    with pytest.raises(openai.NotFoundError):
        bob.uploads.cancel(upload.id)
    with pytest.raises(openai.BadRequestError):  # bob cannot use alice's file as a cursor
        bob.files.list(after=mine.id)
    assert alice.files.content(mine.id).content == b"alice"
    alice.close()
    bob.close()


def test_api_keys_restrict_access():
    with LocalServer(api_keys=["sk-one", "sk-two"]) as server:
        assert server.api_key == "sk-one"
        error = assert_error(Raw(server, api_key="sk-three")("GET", "/files"), 401)
        assert error["code"] == "invalid_api_key"
        assert "sk-three" not in error["message"]
        assert_error(Raw(server, api_key="")("GET", "/files"), 401)
        one, two = server.sdk(api_key="sk-one"), server.sdk(api_key="sk-two")
        created = one.files.create(file=("a.txt", b"x"), purpose="user_data")
        with pytest.raises(openai.NotFoundError):
            two.files.retrieve(created.id)
        with pytest.raises(openai.AuthenticationError):
            server.sdk(api_key="sk-wrong").files.list()
        one.close()
        two.close()
