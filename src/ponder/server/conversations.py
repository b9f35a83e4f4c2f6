"""ponder's conversations routes (the page's list): a conversation is the chain of stored
responses its first one began, listed newest first, reopened turn by turn, renamed, deleted.

OpenAI's own Conversations API is another object (items held by the server, not chained
responses), so these live under /v1/ponder/ rather than pretend to be it.
"""

from __future__ import annotations

import asyncio

from ponder.server.errors import invalid, not_found
from ponder.server.state import ServerState
from ponder.store.sqlite import ChainTooLong, Conversation

TITLE_CHARS = 80  # a conversation without a given name is named by the start of its first question


def listing(state: ServerState, limit: int) -> dict:
    return {"object": "list", "data": [shaped(c) for c in state.store.conversations(limit)]}


def opened(state: ServerState, conversation_id: str) -> dict:
    """The conversation and its turns (the chain that ends at its latest response): each turn's
    input items and response body, oldest first."""
    found = existing(state, conversation_id)
    try:
        chain = state.store.chain(found.latest_id) or [state.store.get(found.latest_id)]
    except ChainTooLong as error:  # as continuing it is refused (responses.stored_history)
        raise invalid("conversation_id", f"{error}; it is too long to open") from None
    turns = [{"input": state.store.input_items(link.id), "response": link.body} for link in chain if link]
    return {**shaped(found), "turns": turns}


def renamed(state: ServerState, conversation_id: str, title: str) -> dict:
    if not state.store.rename(conversation_id, title.strip()):
        raise not_found("conversation", conversation_id)
    return shaped(existing(state, conversation_id))


async def deleted(state: ServerState, conversation_id: str) -> dict:
    """Delete it, and stop what of it still runs in the background (its work would be lost);
    the reply comes once that has stopped, so that its engine sequence is free by then."""
    ids = await asyncio.to_thread(state.store.delete_conversation, conversation_id)
    if not ids:
        raise not_found("conversation", conversation_id)
    jobs = [job for job in map(state.jobs.get, ids) if job is not None]
    for job in jobs:
        job.cancel()
    await asyncio.gather(*(job.ended.wait() for job in jobs))
    return {"id": conversation_id, "object": "conversation.deleted", "deleted": True}


def existing(state: ServerState, conversation_id: str) -> Conversation:
    found = state.store.conversation(conversation_id)
    if found is None:
        raise not_found("conversation", conversation_id)
    return found


def shaped(found: Conversation) -> dict:
    latest = found.latest
    return {"id": found.id, "object": "conversation", "title": found.title or title_of(found.opening),
            "created_at": found.created_at, "updated_at": latest.get("created_at"),
            "completed_at": latest.get("completed_at"), "turns": found.turns,
            "latest_response_id": found.latest_id, "status": latest.get("status"),
            "background": bool(latest.get("background")), "metadata": latest.get("metadata") or {}}


def title_of(item: dict | None) -> str:
    content = (item or {}).get("content")
    if isinstance(content, list):
        content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    text = " ".join(str(content or "").split())
    return text if len(text) <= TITLE_CHARS else text[:TITLE_CHARS - 1] + "…"
