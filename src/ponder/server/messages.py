"""OpenAI message shapes -> ponder Messages, with errors that name the offending item.

Chat Completions messages carry text content (a string or text parts) and, on assistant
messages, reasoning as `reasoning_content` or `reasoning`. Responses input is a string or a
list of items: messages (input_text / output_text parts), reasoning items, whose text comes
back sealed in encrypted_content (or plain, from a server that exposes it), function calls and
their outputs. A reasoning item belongs to the assistant message that follows it. Assistant
tool calls and tool messages (chat) or function_call / function_call_output items (Responses)
become ToolCalls and tool Messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ponder.server.errors import ApiError, invalid
from ponder.server.protocol import (ChatMessageIn, FunctionCallItem, FunctionCallOutputItem, InputItem, MessageItem,
                                    ReasoningItem)
from ponder.types import Message, Role, ToolCall

TEXT_PARTS = {"text", "input_text", "output_text"}


def chat_messages(messages: list[ChatMessageIn]) -> list[Message]:
    out = []
    for index, message in enumerate(messages):
        param = f"messages[{index}]"
        if message.role == "function" or message.function_call:
            raise ApiError(400, f"{param}: the deprecated function messages are not supported; use tool_calls "
                           "and tool messages", param=f"{param}.role", code="unsupported_value")
        text = content_text(message.content, f"{param}.content")
        reasoning = message.reasoning_content if message.reasoning_content is not None else message.reasoning
        if reasoning is not None and message.role != "assistant":
            raise invalid(f"{param}.reasoning_content", "only assistant messages carry reasoning")
        if message.tool_calls and message.role != "assistant":
            raise invalid(f"{param}.tool_calls", "only assistant messages call tools")
        if message.role == "tool":
            if not message.tool_call_id:
                raise invalid(f"{param}.tool_call_id", "a tool message must name the call it answers")
            out.append(Message(Role.TOOL, text, tool_call_id=message.tool_call_id))
            continue
        calls = tuple(chat_call(call, f"{param}.tool_calls[{i}]") for i, call in enumerate(message.tool_calls or ()))
        out.append(Message(Role(message.role), text, reasoning if message.role == "assistant" else None, calls))
    return out


def chat_call(call: dict, param: str) -> ToolCall:
    """An assistant message's tool call as the chat API shapes it."""
    function = call.get("function")
    if not isinstance(call.get("id"), str) or not call["id"]:
        raise invalid(f"{param}.id", "a tool call needs its id (the tool message answers it by that id)")
    if call.get("type", "function") != "function" or not isinstance(function, dict):
        raise invalid(f"{param}.function", "a tool call is {\"type\": \"function\", \"function\": {name, arguments}}")
    if not isinstance(function.get("name"), str) or not function["name"]:
        raise invalid(f"{param}.function.name", "a tool call names its function")
    arguments = function.get("arguments", "")
    if not isinstance(arguments, str):
        raise invalid(f"{param}.function.arguments", "must be the arguments' JSON text, a string")
    return ToolCall(call["id"], function["name"], arguments)


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
    """Responses input as Messages; unseal(encrypted_content) returns reasoning text or raises.

    A reasoning item belongs to the assistant output after it; function_call items join the
    assistant message just before them (one response's output is one assistant message)."""
    if isinstance(items, str):
        return [Message(Role.USER, items)]
    out: list[Message] = []
    pending_reasoning: str | None = None
    for index, item in enumerate(items):
        param = f"input[{index}]"
        if isinstance(item, ReasoningItem):
            pending_reasoning = _reasoning_text(item, unseal)
            continue
        if isinstance(item, FunctionCallItem):
            call = ToolCall(item.call_id, item.name, item.arguments)
            if out and out[-1].role is Role.ASSISTANT and pending_reasoning is None:
                out[-1] = replace(out[-1], tool_calls=(*out[-1].tool_calls, call))
            else:
                out.append(Message(Role.ASSISTANT, "", pending_reasoning, (call,)))
                pending_reasoning = None
            continue
        if isinstance(item, FunctionCallOutputItem):
            text = content_text(item.output, f"{param}.output")
            out.append(Message(Role.TOOL, text, tool_call_id=item.call_id))
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
