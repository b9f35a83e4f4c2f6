"""Tool calls and results in a prompt: for a template that knows tools, the Hugging Face shape
(assistant `tool_calls` with parsed arguments, `tool` messages, a `tools` variable); for one
that does not, ponder's instructed format (the tools explained in the system prompt, calls
written into the assistant's text, results as user messages in <tool_response> tags). A
template that knows tool messages but whose call format ponder does not read gets the
instruction too, with the calls and results in the Hugging Face shape for it to place."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ponder.tools.formats import ToolFormat
from ponder.tools.spec import Tool, arguments_of
from ponder.types import Message, Role

INSTRUCTION = (
    "You can call these tools, given as JSON schemas:\n<tools>\n{tools}\n</tools>\n"
    "To call one, write a call in this form after your thinking, and nothing after it:\n"
    '<tool_call>\n{{"name": <the tool\'s name>, "arguments": <its arguments as a JSON object>}}\n</tool_call>\n'
    "Each result comes back in <tool_response></tool_response>. When you need no tool, just answer."
)


def instruction(tools: Sequence[Tool]) -> str:
    listed = "\n".join(json.dumps(tool.to_openai()["function"], ensure_ascii=False) for tool in tools)
    return INSTRUCTION.format(tools=listed)


def call_entries(message: Message) -> list[dict]:
    return [{"id": call.id, "type": "function",
             "function": {"name": call.name, "arguments": arguments_of(call.arguments)}}
            for call in message.tool_calls]


def dress(entry: dict, message: Message, fmt: ToolFormat, names: dict[str, str]) -> dict:
    """A template dict with the message's calls or result, in fmt's way."""
    if message.role is Role.TOOL:
        if fmt.native:
            return {**entry, "tool_call_id": message.tool_call_id, "name": names.get(message.tool_call_id, "")}
        wrapped = f"<tool_response>\n{message.content}\n</tool_response>"
        if fmt.tool_role:  # a template that knows the role places it; ponder's tags still say what it is
            return {**entry, "content": wrapped, "tool_call_id": message.tool_call_id,
                    "name": names.get(message.tool_call_id, "")}
        return {"role": "user", "content": wrapped, "_result": True}
    if not message.tool_calls:
        return entry
    if fmt.native or fmt.tool_role:  # the template writes the calls its own way (and checks results against them)
        return {**entry, "tool_calls": call_entries(message)}
    written = "\n".join(fmt.write(call.name, call.arguments) for call in message.tool_calls)
    text = entry["content"]
    return {**entry, "content": text + ("" if not text or text.endswith("\n") else "\n") + written}


def call_names(messages: Sequence[Message]) -> dict[str, str]:
    """call id -> tool name, for templates that name a result's tool."""
    return {call.id: call.name for message in messages for call in message.tool_calls}


def merge_results(dicts: list[dict]) -> list[dict]:
    """Consecutive instructed results become one user message (several calls, one reply)."""
    out: list[dict] = []
    for entry in dicts:
        if out and entry.get("_result") and out[-1].get("_result"):
            out[-1] = {**out[-1], "content": out[-1]["content"] + "\n" + entry["content"]}
        else:
            out.append(entry)
    return [{k: v for k, v in entry.items() if k != "_result"} for entry in out]
