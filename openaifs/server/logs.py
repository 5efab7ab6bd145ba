"""aiohttp's log of requests the client got wrong, as one-line warnings instead of tracebacks.

aiohttp logs a malformed request (bad HTTP syntax, a body whose Content-Encoding does not
decode), and a client that went away in the middle of sending a body (a cancelled upload
does), at ERROR with a traceback, as if the server had failed. The client is answered 400
(or nothing: it is gone) either way; a traceback in the server's log should mean a defect
of the server.
"""

from __future__ import annotations

import logging

from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

#: Exceptions that mean "the request was malformed", not "the server failed".
CLIENT_ERRORS = (HttpProcessingError, RequestPayloadError)
#: Exceptions that mean "the client went away mid-request".
CLIENT_GONE = (ConnectionResetError,)


class ClientErrorsAsWarnings(logging.Filter):
    """Turn a logged client error into a one-line WARNING (other records pass unchanged)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, CLIENT_ERRORS + CLIENT_GONE):
            record.msg = (
                "refused a malformed request: %s"
                if isinstance(error, CLIENT_ERRORS)
                else "the client went away in the middle of a request: %s"
            )
            record.args = (" ".join(str(error).split()),)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


def quiet_client_errors() -> None:
    """Install :class:`ClientErrorsAsWarnings` on aiohttp's server logger (once)."""
    logger = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, ClientErrorsAsWarnings) for f in logger.filters):
        logger.addFilter(ClientErrorsAsWarnings())
