"""The FastAPI app: routes only. Each route hands its parsed body to chat.py or responses.py."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from ponder import ui
from ponder.server import background, chat, conversations, errors, responses
from ponder.server.errors import not_found
from ponder.server.limits import Guards
from ponder.server.logs import RequestIds
from ponder.server.metrics import CONTENT_TYPE
from ponder.server.protocol import ChatRequest, ConversationUpdate, ResponsesRequest
from ponder.server.retention import retention
from ponder.server.state import ServerState


def create_app(state: ServerState) -> RequestIds:
    app = FastAPI(title="ponder", version="0.1.0", lifespan=retention(state.store, state.config.store_days))
    app.state.ponder = state
    errors.install(app)

    @app.get("/", include_in_schema=False)
    async def index():  # the page (src/ponder/ui)
        return FileResponse(ui.INDEX)

    app.mount("/ui", StaticFiles(directory=ui.FOLDER), name="ui")

    @app.get("/health")
    async def health():
        body = {"status": "ok", "model": state.runtime.model_id, **state.live()}
        failure = state.runtime.engine.failure()
        if failure is not None:  # a load balancer must stop sending work here
            return JSONResponse({**body, "status": "unavailable", "reason": failure}, status_code=503)
        return body

    @app.get("/metrics")
    async def metrics():
        return Response(state.metrics.text(), media_type=CONTENT_TYPE)

    @app.get("/v1/models")
    async def models():
        return {"object": "list", "data": [model_card(state)]}

    @app.get("/v1/models/{model}")
    async def model(model: str):
        state.check_model(model)
        return model_card(state)

    @app.post("/v1/chat/completions")
    async def chat_completions(request: ChatRequest, client: Request):
        return await chat.create(state, request, client)

    @app.post("/v1/responses")
    async def create_response(request: ResponsesRequest, client: Request):
        return await responses.create(state, request, client)

    @app.get("/v1/responses/{response_id}")
    async def get_response(response_id: str, stream: bool = False, starting_after: int = Query(-1, ge=-1)):
        found = await asyncio.to_thread(stored, state, response_id)  # the store: off the loop
        if not stream:
            return found.body
        return await background.resume(state, found, starting_after)

    @app.get("/v1/responses/{response_id}/context")
    def response_context(response_id: str):
        """ponder's: the context the response's turn saw and filled, in tokens per part."""
        body = stored(state, response_id).body
        if "context" not in body:
            raise errors.invalid("response_id", "this response has no context layout (it has not finished)")
        return {"id": response_id, "object": "response.context", **body["context"],
                "previous_response_id": body.get("previous_response_id")}

    @app.post("/v1/responses/{response_id}/cancel")
    async def cancel_response(response_id: str):
        found = await asyncio.to_thread(stored, state, response_id)
        return await background.cancel(state, found)

    # The other store routes are plain functions: FastAPI runs them on its thread pool, off the loop.

    @app.delete("/v1/responses/{response_id}")
    def delete_response(response_id: str):
        if not state.store.delete(response_id):
            raise not_found("response", response_id)
        return {"id": response_id, "object": "response", "deleted": True}

    @app.get("/v1/responses/{response_id}/input_items")
    def input_items(response_id: str, limit: int = Query(20, ge=1, le=100),
                          order: Literal["asc", "desc"] = "desc", after: str | None = None):
        stored(state, response_id)
        return page(state.store.input_items(response_id), limit, order, after)

    @app.get("/v1/ponder/conversations")
    def list_conversations(limit: int = Query(50, ge=1, le=200)):
        return conversations.listing(state, limit)

    @app.get("/v1/ponder/conversations/{conversation_id}")
    def open_conversation(conversation_id: str):
        return conversations.opened(state, conversation_id)

    @app.post("/v1/ponder/conversations/{conversation_id}")
    def rename_conversation(conversation_id: str, update: ConversationUpdate):
        return conversations.renamed(state, conversation_id, update.title)

    @app.delete("/v1/ponder/conversations/{conversation_id}")
    async def delete_conversation(conversation_id: str):
        return await conversations.deleted(state, conversation_id)

    return RequestIds(Guards(app, state.config.api_key, state.config.max_request_bytes), state.metrics.request)


def stored(state: ServerState, response_id: str):
    found = state.store.get(response_id)
    if found is None:
        raise not_found("response", response_id)
    return found


def model_card(state: ServerState) -> dict:
    info = state.runtime.engine.info
    return {"id": state.runtime.model_id, "object": "model", "created": 0, "owned_by": "ponder",
            "context_window": info.n_ctx, "context_length": info.n_ctx, "kv_cells": info.kv_cells,
            "reasoning_format": state.runtime.format.name}


def page(items: list[dict], limit: int, order: str, after: str | None) -> dict:
    ordered = items if order == "asc" else items[::-1]
    if after is not None:
        ids = [item["id"] for item in ordered]
        if after not in ids:
            raise errors.invalid("after", f"no input item {after!r} in this response")
        ordered = ordered[ids.index(after) + 1:]
    data = ordered[:limit]
    return {"object": "list", "data": data, "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None, "has_more": len(ordered) > limit}
