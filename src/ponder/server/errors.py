"""OpenAI-shaped errors: {"error": {"message", "type", "param", "code"}} with the right status.

Every failure a client can cause maps here to a 4xx; only ponder's own faults are 5xx.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from ponder.errors import (ContextOverflow, EngineFailure, EngineStopped, InvalidOption, ModelError, PonderError, TemplateError,
                           UpstreamError)
from ponder.server.collect import ClientGone
from ponder.server.logs import LOG, REQUEST_ID
from ponder.server.protocol import UNION_LABELS, lone_surrogate


class ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error",
                 param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.kind, self.param, self.code = status, message, kind, param, code

    def response(self) -> JSONResponse:
        body = {"error": {"message": self.message, "type": self.kind, "param": self.param, "code": self.code}}
        return JSONResponse(body, status_code=self.status)


def invalid(param: str, message: str, code: str = "invalid_value") -> ApiError:
    return ApiError(400, f"{param}: {message}" if not message.startswith(param) else message, param=param, code=code)


def not_found(what: str, ident: str, param: str | None = None) -> ApiError:
    shown = ident if len(ident) <= 80 else f"{ident[:80]}…"  # never echo a whole hostile id back
    return ApiError(404, f"{what} {shown!r} not found", param=param, code=f"{what.replace(' ', '_')}_not_found")


def refuse_lone_surrogates(request: BaseModel) -> None:
    path = lone_surrogate(request)
    if path is not None:
        raise invalid(path, "contains a lone surrogate (an unpaired \\ud800-\\udfff escape), which is not "
                            "valid Unicode text")


def from_ponder(error: PonderError) -> ApiError:
    if isinstance(error, ContextOverflow):
        return ApiError(400, str(error), param="messages", code="context_length_exceeded")
    if isinstance(error, InvalidOption):
        return ApiError(400, str(error), param=error.param, code="invalid_value")
    if isinstance(error, TemplateError):
        return ApiError(400, str(error), param="messages", code="invalid_prompt")
    if isinstance(error, ModelError):
        return ApiError(404, str(error), param="model", code="model_not_found")
    if isinstance(error, UpstreamError):
        return ApiError(error.status, str(error), kind="server_error", code=error.code)
    if isinstance(error, EngineStopped):
        return ApiError(503, str(error), kind="server_error", code="engine_unavailable")
    if isinstance(error, EngineFailure):
        return ApiError(500, str(error), kind="server_error", code="engine_failure")
    return ApiError(400, str(error), code="invalid_request")


def shaped(error: PonderError) -> ApiError:
    """from_ponder, and a log line when it is ponder's fault or its engine's (5xx)."""
    problem = from_ponder(error)
    if problem.status >= 500:
        LOG.error("%s (%s)", problem.message, problem.code)
    return problem


def validation_error(exc: RequestValidationError) -> ApiError:
    """The first problem pydantic found, named by its JSON path. A value that fails every
    branch of a union (input: a string or a list of items) is reported at its deepest failure,
    which names the wrong field rather than the union."""
    problems = exc.errors()
    field = tuple(problems[0].get("loc", ()))[:2]
    first = max((p for p in problems if tuple(p.get("loc", ()))[:2] == field), key=lambda p: len(p.get("loc", ())))
    location = [str(part) for part in first.get("loc", ()) if part != "body" and not union_label(part)]
    if first.get("type") == "json_invalid":
        return ApiError(400, "the request body is not valid JSON", code="invalid_json")
    if not location:
        return ApiError(400, f"the request body is invalid: {first.get('msg')}", code="invalid_request")
    param = location[0] + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in location[1:])
    if first.get("type") == "missing":
        return ApiError(400, f"missing required parameter: {param}", param=param, code="missing_required_parameter")
    if first.get("type") == "extra_forbidden":
        return ApiError(400, f"unrecognized request argument supplied: {param}", param=param, code="unknown_parameter")
    return ApiError(400, f"{param}: {first.get('msg')}", param=param, code="invalid_value")


def internal(exc: Exception) -> ApiError:
    """A bug of ponder's, as the client sees it: what failed, and the request id to find in the log."""
    detail = f"{type(exc).__name__}: {exc}"[:200]
    return ApiError(500, f"internal error ({detail}); request {REQUEST_ID.get()} in the server's log has the "
                    "details", kind="server_error", code="internal_error")


def union_label(part) -> bool:
    """A location step that names a union's branch (str, list[...], a tag), not a field."""
    return isinstance(part, str) and (part in UNION_LABELS or "[" in part)


def install(app) -> None:
    """Route every error FastAPI or ponder can raise to an OpenAI-shaped response."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError):
        return exc.response()

    @app.exception_handler(PonderError)
    async def _ponder(_: Request, exc: PonderError):
        return shaped(exc).response()

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError):
        return validation_error(exc).response()

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        if exc.status_code == 404:
            return ApiError(404, f"no route {request.method} {request.url.path}", code="not_found").response()
        if exc.status_code == 405:
            return ApiError(405, f"method {request.method} not allowed on {request.url.path}",
                            code="method_not_allowed").response()
        return ApiError(exc.status_code, str(exc.detail)).response()

    @app.exception_handler(ClientGone)
    async def _gone(_: Request, exc: ClientGone):
        return Response(status_code=499)  # nobody reads it: nginx's "client closed request"

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception):
        LOG.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return internal(exc).response()
