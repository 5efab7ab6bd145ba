"""Helpers for the server tests: raw HTTP access beside the SDK, and error checks."""

from __future__ import annotations

import requests

from openaifs.testing import LocalServer


class Raw:
    """Plain HTTP calls to a server's API with a bearer key (for what the SDK hides)."""

    def __init__(self, server: LocalServer, api_key: str | None = None) -> None:
        self.base_url = server.base_url
        self.session = requests.Session()
        key = server.api_key if api_key is None else api_key
        if key:
            self.session.headers["Authorization"] = f"Bearer {key}"

    def __call__(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.base_url + path, **kwargs)

    def upload_file(self, data: bytes, filename: str = "a.txt", purpose: str = "user_data", **form):
        """POST /files and return the response."""
        fields = {"purpose": purpose, **form}
        return self("POST", "/files", data=fields, files={"file": (filename, data)})


def assert_error(response: requests.Response, status: int, param=None, contains: str = "") -> dict:
    """Check an OpenAI-shaped error answer and return its ``error`` member."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["param"] == param
    assert contains in error["message"]
    assert response.headers["x-request-id"].startswith("req_")
    return error
