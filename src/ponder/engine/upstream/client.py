"""HTTP to the upstream server, with every failure turned into an UpstreamError.

A refused or reset connection is 503 (the upstream is down), a response or chunk that does not
come within the read timeout is 504, and anything else (a 5xx, a 4xx ponder did not expect, a
stream that ends before its final chunk, JSON that is not JSON) is 502, each naming the upstream.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import httpx

from ponder.errors import UpstreamError


class Upstream:
    def __init__(self, url: str, timeout: float = 60.0, headers: dict[str, str] | None = None):
        self.url = url.rstrip("/")
        self._client = httpx.Client(base_url=self.url, headers=headers or {},
                                    timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
                                    limits=httpx.Limits(max_connections=256, max_keepalive_connections=64))

    def get(self, path: str) -> dict:
        with self._failures(path):
            return _json(self._checked(self._client.get(path)), path)

    def post(self, path: str, body: dict, headers: dict[str, str] | None = None) -> dict:
        with self._failures(path):
            return _json(self._checked(self._client.post(path, json=body, headers=headers)), path)

    def stream(self, path: str, body: dict, headers: dict[str, str] | None = None) -> Iterator[dict]:
        """The events of a server-sent stream, until [DONE]; closing the iterator early closes
        the connection, which the server takes as an abort."""
        with self._failures(path), self._client.stream("POST", path, json=body, headers=headers) as response:
            if response.status_code >= 400:
                response.read()
                self._checked(response)
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                yield _json_text(data, path)
            raise UpstreamError(502, "upstream_stream_cut", f"upstream {self.url}{path}: the stream ended before [DONE]")

    def close(self) -> None:
        self._client.close()

    @contextlib.contextmanager
    def _failures(self, path: str):
        where = f"upstream {self.url}{path}"
        try:
            yield
        except httpx.ConnectError as error:
            raise UpstreamError(503, "upstream_unavailable", f"{where} is unreachable: {error}") from None
        except httpx.TimeoutException:
            raise UpstreamError(504, "upstream_timeout", f"{where} did not answer in time") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            raise UpstreamError(502, "upstream_stream_cut", f"{where} broke the connection: {error}") from None
        except httpx.HTTPError as error:
            raise UpstreamError(502, "upstream_error", f"{where} failed: {error}") from None

    def _checked(self, response: httpx.Response) -> httpx.Response:
        if response.status_code >= 400:
            detail = response.text[:300].strip()
            status = 503 if response.status_code == 503 else 502
            raise UpstreamError(status, "upstream_error", f"upstream {response.request.url} answered "
                                                          f"{response.status_code}: {detail}")
        return response


def _json(response: httpx.Response, path: str) -> dict:
    return _json_text(response.text, path)


def _json_text(text: str, path: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise UpstreamError(502, "upstream_error", f"upstream {path} sent something that is not JSON: {text[:100]!r}") from None
    if not isinstance(value, dict):
        raise UpstreamError(502, "upstream_error", f"upstream {path} sent JSON that is not an object")
    return value
