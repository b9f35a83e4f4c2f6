"""What carries over between turns: every input and visible output, and no old reasoning.

Reasoning of an assistant message is dropped once a newer user message follows it: o1's rule,
and the reason a finished turn costs the next one only its visible answer. Reasoning after the
last user message belongs to the turn still running (a tool-call loop) and is kept.
`keep_reasoning` keeps all of it, for models trained to see their past thinking.

This module turns Messages into the plain dicts chat templates take, tool calls and results
dressed in the model's tool format (tools/dress.py). It knows nothing about tokens or windows.
"""

from __future__ import annotations

from collections.abc import Sequence

from ponder.reasoning.formats import ReasoningFormat
from ponder.tools.dress import call_names, dress, merge_results
from ponder.tools.formats import INSTRUCTED, ToolFormat
from ponder.types import Message, Role


def last_user_index(messages: Sequence[Message]) -> int:
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role is Role.USER:
            return index
    return -1


def for_template(messages: Sequence[Message], fmt: ReasoningFormat, keep_reasoning: bool = False,
                 tool_fmt: ToolFormat = INSTRUCTED) -> list[dict]:
    """Template dicts of the conversation, old reasoning dropped, leading instructions merged."""
    current, names = last_user_index(messages), call_names(messages)
    dicts = [
        dress(_as_dict(message, fmt, keep=keep_reasoning or index > current), message, tool_fmt, names)
        for index, message in enumerate(messages)
    ]
    return merge_leading_system(merge_results(dicts))


def _as_dict(message: Message, fmt: ReasoningFormat, keep: bool) -> dict:
    # OpenAI's developer messages are system messages under a new name; templates know "system".
    role = Role.SYSTEM if message.role is Role.DEVELOPER else message.role
    entry = {"role": role.value, "content": message.content}
    if keep and message.reasoning:
        if fmt.native:
            entry["reasoning_content"] = message.reasoning  # the template places it (Qwen3, DeepSeek…)
            entry["thinking"] = message.reasoning  # under the name gpt-oss's and Gemma's templates read
        else:
            entry["content"] = f"{fmt.open}\n{message.reasoning}\n{fmt.close}\n\n{message.content}"
    return entry


def merge_leading_system(dicts: list[dict]) -> list[dict]:
    """Fold the system/developer messages that open a conversation into one.

    Many templates honour only messages[0] as the system prompt, and some reject a second.
    """
    count = 0
    while count < len(dicts) and dicts[count]["role"] == "system":
        count += 1
    if count <= 1:
        return dicts
    merged = "\n\n".join(d["content"] for d in dicts[:count] if d["content"])
    return [{"role": "system", "content": merged}] + dicts[count:]
