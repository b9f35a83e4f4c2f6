"""ASGI guards that run before any route: the API key, and the request-size limit.

Both answer in OpenAI's error shape. The body is read here, counting bytes as they arrive, so
a chunked body without Content-Length is bounded too; the route gets it replayed.
"""

from __future__ import annotations

import hmac

from ponder.server.errors import ApiError


class Guards:
    def __init__(self, app, api_key: str | None, max_bytes: int):
        self.app, self.api_key, self.max_bytes = app, api_key, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        problem = self._check_headers(scope)
        if problem is not None:
            return await problem.response()(scope, receive, send)
        body = await self._read_body(receive)
        if body is None:
            return await too_large(self.max_bytes).response()(scope, receive, send)
        return await self.app(scope, _replay(body, receive), send)

    def _check_headers(self, scope) -> ApiError | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if self.api_key and scope["path"].startswith("/v1"):
            given = headers.get("authorization", "")
            token = given[7:] if given.lower().startswith("bearer ") else ""
            if not hmac.compare_digest(token.encode(), self.api_key.encode()):
                return ApiError(401, "missing or invalid API key: send 'Authorization: Bearer <key>'",
                                param=None, code="invalid_api_key", kind="invalid_request_error")
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            return too_large(self.max_bytes)
        return None

    async def _read_body(self, receive) -> bytes | None:
        """The whole body, or None once it passes the limit (the rest is never read)."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks)
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                return None
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive):
    """A receive() that gives the buffered body once, then listens for the disconnect."""
    sent = False

    async def wrapped():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped


def too_large(limit: int) -> ApiError:
    return ApiError(413, f"the request body is larger than the limit of {limit} bytes", code="request_too_large")
