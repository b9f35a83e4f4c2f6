"""OpenAI message shapes -> ponder Messages, with errors that name the offending item.

Chat Completions messages carry text content (a string or text parts) and, on assistant
messages, reasoning as `reasoning_content` or `reasoning`. Responses input is a string or a
list of items: messages (input_text / output_text parts) and reasoning items, whose text comes
back sealed in encrypted_content (or plain, from a server that exposes it). A reasoning item
belongs to the assistant message that follows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ponder.server.errors import ApiError, invalid
from ponder.server.protocol import ChatMessageIn
from ponder.types import Message, Role

TEXT_PARTS = {"text", "input_text", "output_text"}


def chat_messages(messages: list[ChatMessageIn]) -> list[Message]:
    out = []
    for index, message in enumerate(messages):
        param = f"messages[{index}]"
        if message.role in ("tool", "function") or message.tool_calls:
            raise ApiError(400, f"{param}: tool and function calls are not supported by ponder yet",
                           param=f"{param}.role", code="unsupported_value")
        text = content_text(message.content, f"{param}.content")
        reasoning = message.reasoning_content if message.reasoning_content is not None else message.reasoning
        if reasoning is not None and message.role != "assistant":
            raise invalid(f"{param}.reasoning_content", "only assistant messages carry reasoning")
        out.append(Message(Role(message.role), text, reasoning if message.role == "assistant" else None))
    return out


def content_text(content: str | list[dict[str, Any]] | None, param: str) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    texts = []
    for index, part in enumerate(content):
        kind = part.get("type")
        if kind not in TEXT_PARTS:
            raise ApiError(400, f"{param}[{index}]: content of type {kind!r} is not supported; send text",
                           param=f"{param}[{index}].type", code="unsupported_value")
        if not isinstance(part.get("text"), str):
            raise invalid(f"{param}[{index}].text", "a text part needs a string 'text'")
        texts.append(part["text"])
    return "".join(texts)


def input_messages(items: str | list[dict[str, Any]], unseal: Callable[[str], str]) -> list[Message]:
    """Responses input as Messages; unseal(encrypted_content) returns reasoning text or raises."""
    if isinstance(items, str):
        return [Message(Role.USER, items)]
    out: list[Message] = []
    pending_reasoning: str | None = None
    for index, item in enumerate(items):
        param = f"input[{index}]"
        kind = item.get("type", "message")
        if kind == "reasoning":
            pending_reasoning = _reasoning_text(item, param, unseal)
            continue
        if kind != "message":
            raise ApiError(400, f"{param}: items of type {kind!r} are not supported by ponder yet",
                           param=f"{param}.type", code="unsupported_value")
        role = item.get("role")
        if role not in ("user", "system", "developer", "assistant"):
            raise invalid(f"{param}.role", f"unknown role {role!r}; use user, system, developer or assistant")
        text = content_text(item.get("content"), f"{param}.content")
        reasoning = pending_reasoning if role == "assistant" else None
        pending_reasoning = None if role == "assistant" else pending_reasoning
        out.append(Message(Role(role), text, reasoning))
    return out


def _reasoning_text(item: dict, param: str, unseal: Callable[[str], str]) -> str:
    sealed = item.get("encrypted_content")
    if sealed is not None:
        if not isinstance(sealed, str):
            raise invalid(f"{param}.encrypted_content", "must be a string")
        return unseal(sealed)
    parts = item.get("content") or []
    if not isinstance(parts, list):
        raise invalid(f"{param}.content", "must be a list of reasoning_text parts")
    return "".join(p.get("text", "") for p in parts if isinstance(p, dict))
