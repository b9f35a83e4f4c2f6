"""Dress a rendered conversation for the reasoning phase, or for answering without one.

Every model gets the same two phases. A native template (Qwen3, DeepSeek-R1…) is rendered
with enable_thinking and used as it is; if it did not open the block, ponder opens it. A
model with no native thinking is told how to think in the system prompt and finds the block
already open. With reasoning off, a native model gets an empty block, as its template's own
"no thinking" mode does, so it answers at once.
"""

from __future__ import annotations

from ponder.models.template import ChatTemplate
from ponder.reasoning.formats import ReasoningFormat


def render_prompt(template: ChatTemplate, fmt: ReasoningFormat, dicts: list[dict], think: bool) -> str:
    if think and not fmt.native:
        dicts = with_instruction(dicts, fmt.instruction())
    text = template.render(dicts, add_generation_prompt=True, enable_thinking=think)
    opened = text.rstrip().endswith(fmt.open)
    if think and not opened:
        return text + fmt.open + "\n"
    if not think and opened:
        return text.rstrip() + "\n\n" + fmt.close + "\n\n"
    return text


def with_instruction(dicts: list[dict], instruction: str) -> list[dict]:
    """The conversation with instruction appended to its system prompt (made if absent)."""
    if dicts and dicts[0]["role"] == "system":
        first = dict(dicts[0], content=f"{dicts[0]['content']}\n\n{instruction}".strip())
        return [first] + dicts[1:]
    return [{"role": "system", "content": instruction}] + dicts


def render_history(template: ChatTemplate, fmt: ReasoningFormat, dicts: list[dict], think: bool) -> str:
    """The conversation so far, as the next turn's prompt will begin (no generation prompt).

    Its tokens are what a finished turn leaves to re-prefill: the next prompt shares them.
    """
    if think and not fmt.native:
        dicts = with_instruction(dicts, fmt.instruction())
    return template.render(dicts, add_generation_prompt=False, enable_thinking=think)
