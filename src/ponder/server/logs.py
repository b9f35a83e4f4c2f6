"""Logging for the server: the standard logging module, a request id in every line.

Each request gets an id (the client's `x-request-id` when it sends a sane one, else a new one),
kept in a context variable for as long as the request is served, returned as the
`x-request-id` response header, and named in every log line written meanwhile and in the body
of a 500. One line per request at INFO (method, path, status, seconds), as uvicorn's access
log does; ponder's errors at ERROR with their traceback. Lines written off a request (the
engine thread) carry "-".
"""

from __future__ import annotations

import contextvars
import logging
import re
import secrets
import time

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
LOG = logging.getLogger("ponder.server")
FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # a client's id is echoed only when harmless


def _with_request_id(factory):
    """Every log record made while a request is served carries its id (records of any logger,
    so uvicorn's and a test's capture see it too)."""

    def make(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.request_id = REQUEST_ID.get()
        return record

    make.ponder = True
    return make


if not getattr(logging.getLogRecordFactory(), "ponder", False):
    logging.setLogRecordFactory(_with_request_id(logging.getLogRecordFactory()))


def configure(level: str) -> None:
    """ponder's loggers to stderr at level, each line with its request id."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger("ponder")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False


class RequestIds:
    """ASGI wrapper: names the request, logs its line, returns the id to the client."""

    def __init__(self, app, count=None):
        self.app, self.count = app, count  # count(path, status): the metrics' request counter

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if SANE_ID.fullmatch(given) else f"req_{secrets.token_hex(8)}"
        token = REQUEST_ID.set(request_id)
        started, status = time.perf_counter(), [0]

        async def sending(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            if not status[0]:
                raise  # nothing was answered: the server answers and logs it
            # the app's handler answered 500 and logged the traceback; Starlette re-raises it
            # for the server's own log, which would print it a second time without the id
        finally:
            LOG.info("%s %s %d %.3fs", scope["method"], scope["path"], status[0], time.perf_counter() - started)
            if self.count is not None:
                self.count(scope["path"], status[0])
            REQUEST_ID.reset(token)
