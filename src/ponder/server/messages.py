"""OpenAI message shapes -> ponder Messages, with errors that name the offending item.

Chat Completions messages carry text content (a string or text parts) and, on assistant
messages, reasoning as `reasoning_content` or `reasoning`. Responses input is a string or a
list of items: messages (input_text / output_text parts) and reasoning items, whose text comes
back sealed in encrypted_content (or plain, from a server that exposes it). A reasoning item
belongs to the assistant message that follows it.
"""

from __future__ import annotations

from collections.abc import Callable
from ponder.server.errors import ApiError, invalid
from ponder.server.protocol import ChatMessageIn, InputItem, MessageItem, ReasoningItem
from ponder.types import Message, Role

TEXT_PARTS = {"text", "input_text", "output_text"}


def chat_messages(messages: list[ChatMessageIn]) -> list[Message]:
    out = []
    for index, message in enumerate(messages):
        param = f"messages[{index}]"
        if message.role in ("tool", "function") or message.tool_calls or message.function_call:
            raise ApiError(400, f"{param}: tool and function calls are not supported by ponder yet",
                           param=f"{param}.role", code="unsupported_value")
        text = content_text(message.content, f"{param}.content")
        reasoning = message.reasoning_content if message.reasoning_content is not None else message.reasoning
        if reasoning is not None and message.role != "assistant":
            raise invalid(f"{param}.reasoning_content", "only assistant messages carry reasoning")
        out.append(Message(Role(message.role), text, reasoning if message.role == "assistant" else None))
    return out


def content_text(content: str | list | None, param: str) -> str:
    """The text of a message's content: a string, or parts (dicts on chat, ContentParts on
    Responses) of which only text parts are taken."""
    if content is None or isinstance(content, str):
        return content or ""
    texts = []
    for index, part in enumerate(content):
        kind, text = (part.get("type"), part.get("text")) if isinstance(part, dict) else (part.type, part.text)
        if kind not in TEXT_PARTS:
            raise ApiError(400, f"{param}[{index}]: content of type {kind!r} is not supported; send text",
                           param=f"{param}[{index}].type", code="unsupported_value")
        if not isinstance(text, str):
            raise invalid(f"{param}[{index}].text", "a text part needs a string 'text'")
        texts.append(text)
    return "".join(texts)


def input_messages(items: str | list[InputItem], unseal: Callable[[str], str]) -> list[Message]:
    """Responses input as Messages; unseal(encrypted_content) returns reasoning text or raises."""
    if isinstance(items, str):
        return [Message(Role.USER, items)]
    out: list[Message] = []
    pending_reasoning: str | None = None
    for index, item in enumerate(items):
        param = f"input[{index}]"
        if isinstance(item, ReasoningItem):
            pending_reasoning = _reasoning_text(item, unseal)
            continue
        if not isinstance(item, MessageItem):
            raise ApiError(400, f"{param}: items of type {item.type!r} are not supported by ponder yet",
                           param=f"{param}.type", code="unsupported_value")
        text = content_text(item.content, f"{param}.content")
        reasoning = pending_reasoning if item.role == "assistant" else None
        pending_reasoning = None if item.role == "assistant" else pending_reasoning
        out.append(Message(Role(item.role), text, reasoning))
    return out


def _reasoning_text(item: ReasoningItem, unseal: Callable[[str], str]) -> str:
    if item.encrypted_content is not None:
        return unseal(item.encrypted_content)
    return "".join(part.text or "" for part in item.content or [])
