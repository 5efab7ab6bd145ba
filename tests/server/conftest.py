"""Fixtures for the server tests."""

from __future__ import annotations

import pytest
from server_helpers import Raw

from openaifs.testing import LocalServer


@pytest.fixture
def raw(openaifs_server: LocalServer):
    """Raw HTTP access to the function-scoped server with its default key."""
    client = Raw(openaifs_server)
    yield client
    client.session.close()
