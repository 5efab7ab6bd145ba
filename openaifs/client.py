"""The HTTP API of the OpenAI Files and Uploads services.

One method per endpoint, all going through :meth:`APIClient.request`, the single place that
applies timeouts, retries with backoff and maps errors to built-in exceptions. This module
knows nothing of fsspec; :mod:`openaifs.core` knows nothing of URLs.
"""

from __future__ import annotations

import email.utils
import io
import itertools
import logging
import os
import random
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

import requests
from requests.adapters import HTTPAdapter

from openaifs.endpoint import DEFAULT_BASE_URL, BearerKey, Credential
from openaifs.errors import BadResponse, OpenAIFSError, http_error, redact, transport_error
from openaifs.formbody import MultipartBody, SourceError
from openaifs.limits import MAX_LIST_LIMIT, PART_INDEX_HEADER

logger = logging.getLogger("openaifs")

#: Statuses worth another attempt: the request was not (or may not have been) acted on.
RETRY_STATUSES = frozenset({408, 409, 429})
# Socket reads/writes of 1 MiB instead of urllib3's 16 KiB: fewer Python-level loops per GiB.
_BLOCKSIZE = 1 << 20


class _Session(requests.Session):
    def rebuild_auth(self, prepared_request: Any, response: Any) -> None:
        # requests drops Authorization on a redirect to another host; an Azure key goes too.
        if self.should_strip_auth(response.request.url, prepared_request.url):
            prepared_request.headers.pop("api-key", None)
        super().rebuild_auth(prepared_request, response)


class _Adapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["blocksize"] = _BLOCKSIZE
        super().init_poolmanager(*args, **kwargs)


@dataclass(frozen=True)
class _Call:
    """One API request as the caller asked it; every attempt sends it again unchanged."""

    method: str
    endpoint: str
    params: dict[str, Any] | None
    json: Any
    body: Callable[[], tuple[Any, dict[str, str]]] | None
    headers: dict[str, str] | None
    stream: bool
    path: str | None

    @property
    def operation(self) -> str:
        return f"{self.method} {self.endpoint}"

    @property
    def subject(self) -> str:
        """What error messages name first: the path, else the operation."""
        return self.path or self.operation


@dataclass(frozen=True)
class _Failure:
    """A failed attempt: the error to raise if it is the last one, and what to do next."""

    error: OpenAIFSError
    retryable: bool
    #: The request may have been acted on although it failed.
    ambiguous: bool
    #: Seconds to wait before the next attempt.
    delay: float


class APIClient:
    """A client of the Files and Uploads APIs, over ``requests``.

    Parameters
    ----------
    api_key : str or Credential
        The bearer key, or a :class:`~openaifs.endpoint.Credential` (Azure's ``api-key``, a
        token provider) asked for the headers of each request. Never shown in ``repr``, logs
        or exceptions.
    base_url : str
        For example ``https://api.openai.com/v1`` or a local server's ``http://127.0.0.1:8000/v1``.
        Credentials in it (``http://user:pass@host/v1``) are masked wherever it is shown.
    query : dict, optional
        Query parameters every request carries (Azure's ``api-version``).
    organization, project : str, optional
        Sent as ``OpenAI-Organization`` / ``OpenAI-Project``.
    connect_timeout, read_timeout : float
        Seconds to wait for a connection, and between bytes of an answer.
    max_retries : int
        Further attempts after the first, for connection errors, timeouts, 408, 409, 429, 5xx.
    backoff_initial, backoff_max : float
        The first retry waits ``backoff_initial`` seconds, doubling up to ``backoff_max``
        (with jitter), unless the service says how long in ``retry-after-ms``/``retry-after``.
    pool_size : int
        Connections kept per host; at least the number of concurrent transfers.
    """

    def __init__(
        self,
        api_key: str | Credential,
        base_url: str = DEFAULT_BASE_URL,
        *,
        query: Mapping[str, str] | None = None,
        organization: str | None = None,
        project: str | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float = 120.0,
        max_retries: int = 2,
        backoff_initial: float = 0.5,
        backoff_max: float = 8.0,
        pool_size: int = 16,
    ) -> None:
        self.credential = api_key if isinstance(api_key, Credential) else BearerKey(api_key)
        self.query = dict(query or {})
        self.base_url = base_url.rstrip("/")
        #: ``base_url`` as messages and reprs show it: credentials masked.
        self.display_url = mask_userinfo(self.base_url)
        self._netloc = urllib.parse.urlsplit(self.base_url).netloc
        self.organization = organization
        self.project = project
        self.timeout = (connect_timeout, read_timeout)
        self.max_retries = max_retries
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.pool_size = pool_size
        self._session: requests.Session | None = None
        self._session_pid: int | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"APIClient(base_url={self.display_url!r})"

    def redact(self, text: str) -> str:
        """``text`` with the API key and any credentials of ``base_url`` masked."""
        secrets = _secrets(self.credential.secrets(), self._netloc)
        return redact(text.replace(self.base_url, self.display_url), secrets)

    @property
    def session(self) -> requests.Session:
        """This process's session, made on first use (a forked child makes its own)."""
        pid = os.getpid()
        if self._session is None or self._session_pid != pid:
            with self._lock:
                if self._session is None or self._session_pid != pid:
                    session = _Session()
                    adapter = _Adapter(pool_connections=4, pool_maxsize=self.pool_size)
                    session.mount("http://", adapter)
                    session.mount("https://", adapter)
                    session.headers["User-Agent"] = f"openaifs/{_version()}"
                    if self.organization:
                        session.headers["OpenAI-Organization"] = self.organization
                    if self.project:
                        session.headers["OpenAI-Project"] = self.project
                    self._session, self._session_pid = session, pid
        return self._session

    def close(self) -> None:
        """Close the pooled connections."""
        if self._session is not None and self._session_pid == os.getpid():
            self._session.close()
        self._session = None

    # -- the one request function ---------------------------------------------------------

    def request(
        self,
        method: str,
        endpoint: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        body: Callable[[], tuple[Any, dict[str, str]]] | None = None,
        headers: dict[str, str] | None = None,
        stream: bool = False,
        path: str | None = None,
        reconcile: Callable[[], Any] | None = None,
    ) -> requests.Response:
        """Send one API request, retrying what is worth retrying; raise on failure.

        Parameters
        ----------
        method, endpoint : str
            For example ``"GET"``, ``"/files"``.
        params, json, headers : optional
            Query parameters, a JSON body, extra headers.
        body : callable, optional
            Gives a fresh ``(data, headers)`` for each attempt, so a streamed body is resent.
        stream : bool
            Leave the response body unread (for downloads).
        path : str, optional
            The ``openai://`` path concerned, named in error messages.
        reconcile : callable, optional
            For requests that are not idempotent: called before a retry that follows an
            ambiguous failure (the request may have been acted on). A non-``None`` result
            is the outcome of the earlier attempt and is returned instead of retrying.

        Returns
        -------
        requests.Response
            A 2xx response. Its ``reconciled`` attribute holds the ``reconcile`` result
            when the request was found to have succeeded already.

        Raises
        ------
        openaifs.errors.OpenAIFSError
            The subclass for the last failure; no ``requests`` exception (they hold the
            request's headers, so the key) is in its chain.
        """
        call = _Call(method, endpoint, params, json, body, headers, stream, path)
        for attempt in itertools.count():
            outcome = self._attempt(call, attempt)
            if isinstance(outcome, requests.Response):
                return outcome
            retry = outcome.retryable and attempt < self.max_retries
            if retry:
                logger.info("%s: retry %d in %.2fs", call.operation, attempt + 1, outcome.delay)
                time.sleep(outcome.delay)
            if outcome.ambiguous and reconcile is not None:
                # It may have been acted on: before resending or giving up, look for what it did.
                done = _reconciled(reconcile)
                if done is not None:
                    return done
            if not retry:
                raise outcome.error

    def _attempt(self, call: _Call, attempt: int) -> requests.Response | _Failure:
        """Send ``call`` once: its 2xx answer, or the failure and what to do about it."""
        try:
            response = self._send(call)
        except requests.RequestException as exc:
            return self._no_answer(call, exc, attempt)
        if response.status_code < 400:
            return response
        return self._error_answer(call, response, attempt)

    def _send(self, call: _Call) -> requests.Response:
        """Build the request (with a fresh body) and send it, once."""
        data, extra = call.body() if call.body is not None else (None, {})
        try:
            # Asked on each attempt: a token provider may hand out a fresh token.
            auth = self.credential.headers()
            return self.session.request(
                call.method,
                self.base_url + call.endpoint,
                params={**self.query, **(call.params or {})},
                json=call.json,
                data=data,
                headers={**auth, **(call.headers or {}), **extra},
                stream=call.stream,
                timeout=self.timeout,
            )
        except SourceError as exc:  # the body, not the connection: no retry
            raise exc.error from None
        finally:
            _close(data)

    def _no_answer(self, call: _Call, exc: requests.RequestException, attempt: int) -> _Failure:
        """Translate a request that got no answer (always worth another attempt).

        Only the text of ``exc`` is kept: the exception itself holds the request, whose
        headers carry the API key.
        """
        detail = self.redact(f"{type(exc).__name__}: {exc}")
        logger.info("%s failed (%s)", call.operation, detail)
        refused = _refused(exc)
        timeout = isinstance(exc, requests.Timeout)
        error = transport_error(
            call.subject, self.display_url, detail, timeout=timeout, refused=refused
        )
        # A refused connection, or one never made, never carried the request; anything
        # later might have been acted on.
        ambiguous = not isinstance(exc, requests.ConnectTimeout) and not refused
        return _Failure(error, True, ambiguous, self._backoff(attempt, None))

    def _error_answer(self, call: _Call, response: requests.Response, attempt: int) -> _Failure:
        """Translate an error status, and decide whether it is worth another attempt."""
        request_id = _request_id(response)
        logger.info(
            "%s answered %d (request id %s)", call.operation, response.status_code, request_id
        )
        try:
            error = http_error(
                response.status_code,
                self.redact(_body_of(response)).encode(),
                request_id,
                path=call.path,
                operation=call.operation,
                base_url=self.display_url,
            )
            retryable = self._should_retry(response)
            delay = self._backoff(attempt, response)
        finally:
            response.close()
        return _Failure(error, retryable, response.status_code >= 500, delay)

    @staticmethod
    def _should_retry(response: requests.Response) -> bool:
        """Whether an error status is worth another attempt (the service may say so)."""
        override = response.headers.get("x-should-retry")
        if override in ("true", "false"):
            return override == "true"
        return response.status_code in RETRY_STATUSES or response.status_code >= 500

    def _backoff(self, attempt: int, response: requests.Response | None) -> float:
        """Seconds to wait before attempt ``attempt + 1``: the service's hint, or backoff."""
        if response is not None:
            hinted = _retry_after(response.headers)
            if hinted is not None and 0 <= hinted <= 60:
                return hinted
        delay = min(self.backoff_initial * 2**attempt, self.backoff_max)
        return delay * (1 - 0.25 * random.random())

    def _json(self, method: str, endpoint: str, **kwargs: Any) -> Any:
        response = self.request(method, endpoint, **kwargs)
        reconciled = getattr(response, "reconciled", None)
        if reconciled is not None:
            return reconciled
        try:
            return response.json()
        except ValueError:
            pass  # raised below, out of this block, so that no decoder error is chained
        raise self._not_json(f"{method} {endpoint}", response, kwargs.get("path"))

    def _not_json(
        self, operation: str, response: requests.Response, path: str | None
    ) -> BadResponse:
        """The error for a 2xx answer that is not JSON: most often a wrong ``base_url``."""
        kind = response.headers.get("Content-Type", "no Content-Type")
        request_id = _request_id(response)
        message = (
            f"{path or operation}: the answer of {self.display_url!r} to {operation} is not "
            f"JSON ({kind}): is base_url the address of the Files API?"
        )
        if request_id:
            message += f" (request id {request_id})"
        return BadResponse(message, status=response.status_code, request_id=request_id, path=path)

    # -- Files ------------------------------------------------------------------------

    def list_files(
        self,
        purpose: str | None = None,
        *,
        order: str = "desc",
        page_size: int = 10000,
        grow: bool = False,
        path: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Yield every File object (of ``purpose``, if given), following the cursor.

        With ``grow``, a small first ``page_size`` serves looks that usually stop early
        (the newest few files): later pages grow fourfold up to the service's maximum, so
        a look that goes on further costs few requests. ``path`` is the ``openai://``
        path the listing is for, named in errors.
        """
        params: dict[str, Any] = {"limit": page_size, "order": order}
        if purpose is not None:
            params["purpose"] = purpose
        while True:
            page = self._json("GET", "/files", params=params, path=path)
            yield from page["data"]
            if not page.get("has_more") or not page["data"]:
                return
            params["after"] = page.get("last_id") or page["data"][-1]["id"]
            if grow:
                params["limit"] = min(MAX_LIST_LIMIT, params["limit"] * 4)

    def retrieve_file(self, file_id: str, *, path: str | None = None) -> dict[str, Any]:
        """The File object ``file_id``."""
        return self._json("GET", f"/files/{file_id}", path=path)

    def delete_file(self, file_id: str, *, path: str | None = None) -> dict[str, Any]:
        """Delete ``file_id``."""
        return self._json("DELETE", f"/files/{file_id}", path=path)

    def download(
        self,
        file_id: str,
        *,
        path: str | None = None,
        byte_range: tuple[int, int] | None = None,
    ) -> requests.Response:
        """Open the content of ``file_id`` as a streamed response.

        With ``byte_range=(start, end)`` a ``Range`` header asks for those bytes; the
        service may ignore it, so the caller must check for a 206 with a matching
        ``Content-Range`` before trusting the body to start at ``start``.
        """
        headers = {"Range": f"bytes={byte_range[0]}-{byte_range[1] - 1}"} if byte_range else None
        return self.request(
            "GET", f"/files/{file_id}/content", stream=True, path=path, headers=headers
        )

    def create_file(
        self,
        source: IO[bytes] | bytes,
        size: int,
        *,
        filename: str,
        purpose: str,
        mime_type: str = "application/octet-stream",
        expires_after: int | None = None,
        path: str | None = None,
        reconcile: Callable[[], Any] | None = None,
    ) -> dict[str, Any]:
        """Upload ``size`` bytes of ``source`` in one ``POST /files``.

        ``source``, if a file, must be seekable: each attempt reads it from where it
        stood when this was called.
        """
        fields = {"purpose": purpose}
        if expires_after is not None:
            fields["expires_after[anchor]"] = "created_at"
            fields["expires_after[seconds]"] = str(int(expires_after))
        origin = source.tell() if hasattr(source, "tell") else 0

        def body() -> tuple[Any, dict[str, str]]:
            if hasattr(source, "seek"):
                source.seek(origin)
            form = MultipartBody(fields, "file", filename, source, size, mime_type)
            return form, {"Content-Type": form.content_type, "Content-Length": str(len(form))}

        return self._json("POST", "/files", body=body, path=path, reconcile=reconcile)

    # -- Uploads ------------------------------------------------------------------------

    def create_upload(
        self,
        *,
        filename: str,
        purpose: str,
        size: int,
        mime_type: str,
        expires_after: int | None = None,
        path: str | None = None,
    ) -> dict[str, Any]:
        """Start an Upload of ``size`` bytes (pending until completed)."""
        payload: dict[str, Any] = {
            "filename": filename,
            "purpose": purpose,
            "bytes": size,
            "mime_type": mime_type,
        }
        if expires_after is not None:
            payload["expires_after"] = {"anchor": "created_at", "seconds": int(expires_after)}
        return self._json("POST", "/uploads", json=payload, path=path)

    def add_part(
        self,
        upload_id: str,
        read_part: Callable[[], IO[bytes] | bytes],
        size: int,
        *,
        path: str | None = None,
        index: int | None = None,
    ) -> dict[str, Any]:
        """Send one part; ``read_part`` gives the part's bytes afresh for each attempt.

        ``index``, the part's place in the final file (0 for the first), goes in the header
        ``X-OpenAIFS-Part-Index``: parts sent side by side reach the service in any order,
        and the local server hashes them in this one as they arrive (the OpenAI service
        ignores the header).
        """

        def body() -> tuple[Any, dict[str, str]]:
            form = MultipartBody({}, "data", "blob", read_part(), size, owns_source=True)
            headers = {"Content-Type": form.content_type, "Content-Length": str(len(form))}
            if index is not None:
                headers[PART_INDEX_HEADER] = str(index)
            return form, headers

        # A part sent twice is harmless: only the ids passed to complete count.
        return self._json("POST", f"/uploads/{upload_id}/parts", body=body, path=path)

    def complete_upload(
        self,
        upload_id: str,
        part_ids: list[str],
        *,
        md5: str | None = None,
        path: str | None = None,
        reconcile: Callable[[], Any] | None = None,
    ) -> dict[str, Any]:
        """Complete an Upload; the parts are joined in ``part_ids`` order."""
        payload: dict[str, Any] = {"part_ids": part_ids}
        if md5 is not None:
            payload["md5"] = md5
        return self._json(
            "POST", f"/uploads/{upload_id}/complete", json=payload, path=path, reconcile=reconcile
        )

    def cancel_upload(self, upload_id: str, *, path: str | None = None) -> dict[str, Any]:
        """Cancel a pending Upload."""
        return self._json("POST", f"/uploads/{upload_id}/cancel", path=path)


def _retry_after(headers: Any) -> float | None:
    """Seconds to wait as the service asked, from ``retry-after-ms`` then ``retry-after``."""
    value = headers.get("retry-after-ms")
    if value is not None:
        try:
            return float(value) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        try:
            return email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None


def _request_id(response: requests.Response) -> str | None:
    """The answer's request id: ``x-request-id``, or Azure's ``apim-request-id``."""
    return response.headers.get("x-request-id") or response.headers.get("apim-request-id")


def _close(data: Any) -> None:
    if isinstance(data, io.IOBase):
        data.close()


def _refused(exc: requests.RequestException) -> bool:
    text = repr(exc)
    return "NewConnectionError" in text or "Connection refused" in text


def _reconciled(reconcile: Callable[[], Any]) -> requests.Response | None:
    """Look for what an ambiguous failure did: a stand-in 200 answer if it was done."""
    outcome = reconcile()
    if outcome is None:
        return None
    done = requests.Response()
    done.status_code = 200
    done.reconciled = outcome
    return done


def _body_of(response: requests.Response) -> str:
    """The text of an error answer; empty if the connection broke while reading it."""
    try:
        return response.content.decode("utf-8", "replace")
    except requests.RequestException:
        return ""


def mask_userinfo(address: str) -> str:
    """``address`` with any ``user:password@`` shown as ``***@``."""
    parts = urllib.parse.urlsplit(address)
    _, at, host = parts.netloc.rpartition("@")
    return urllib.parse.urlunsplit(parts._replace(netloc=f"***@{host}")) if at else address


def _secrets(keys: tuple[str, ...], netloc: str) -> tuple[str, ...]:
    """The forms in which a key or a credential of ``netloc`` could appear in text.

    The user name alone is not among them: it is rarely secret, and hiding a short word
    everywhere (``user`` in ``user_data``) would garble messages.
    """
    userinfo = netloc.rpartition("@")[0]
    password = userinfo.partition(":")[2]
    found = {*keys, userinfo, urllib.parse.unquote(userinfo)}
    found |= {password, urllib.parse.unquote(password)}
    return tuple(sorted((s for s in found if s), key=len, reverse=True))


def _version() -> str:
    from openaifs.version import __version__

    return __version__
