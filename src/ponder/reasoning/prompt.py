"""Dress a rendered conversation for the reasoning phase, or for answering without one.

Every model gets the same two phases. A native template (Qwen3, DeepSeek-R1…) is rendered
with enable_thinking and used as it is; if it did not open the block, ponder opens it. A
model with no native thinking is told how to think in the system prompt and finds the block
already open. With reasoning off, a native model gets an empty block, as its template's own
"no thinking" mode does, so it answers at once. Tools go to a template that knows them as its
`tools` variable; to one that does not, as ponder's instruction in the system prompt.
"""

from __future__ import annotations

from collections.abc import Sequence

from ponder.models.template import ChatTemplate
from ponder.reasoning.formats import ReasoningFormat
from ponder.tools.dress import instruction
from ponder.tools.formats import INSTRUCTED, ToolFormat
from ponder.tools.spec import Tool


def render_prompt(template: ChatTemplate, fmt: ReasoningFormat, dicts: list[dict], think: bool,
                  tools: Sequence[Tool] = (), tool_fmt: ToolFormat = INSTRUCTED) -> str:
    dicts, variables = dressed(fmt, dicts, think, tools, tool_fmt)
    text = template.render(dicts, add_generation_prompt=True, **variables)
    opened = text.rstrip().endswith(fmt.open)
    if think and not opened:
        return text + fmt.open + fmt.after_open
    if not think and opened:
        return text.rstrip() + "\n\n" + fmt.close + "\n\n"
    if not think and fmt.native and fmt.empty is not None:  # its "no thinking": an empty block
        return text + fmt.empty
    return text


def with_instruction(dicts: list[dict], instruction: str) -> list[dict]:
    """The conversation with instruction appended to its system prompt (made if absent)."""
    if dicts and dicts[0]["role"] == "system":
        first = dict(dicts[0], content=f"{dicts[0]['content']}\n\n{instruction}".strip())
        return [first] + dicts[1:]
    return [{"role": "system", "content": instruction}] + dicts


def render_history(template: ChatTemplate, fmt: ReasoningFormat, dicts: list[dict], think: bool,
                   tools: Sequence[Tool] = (), tool_fmt: ToolFormat = INSTRUCTED) -> str:
    """The conversation so far, as the next turn's prompt will begin (no generation prompt).

    Its tokens are what a finished turn leaves to re-prefill: the next prompt shares them.
    """
    dicts, variables = dressed(fmt, dicts, think, tools, tool_fmt)
    return template.render(dicts, add_generation_prompt=False, **variables)


def dressed(fmt: ReasoningFormat, dicts: list[dict], think: bool, tools: Sequence[Tool],
            tool_fmt: ToolFormat) -> tuple[list[dict], dict]:
    """The conversation with ponder's instructions (to think, to call tools) for a model whose
    template has no place for them, and the variables a template that has one takes."""
    if think and not fmt.native:
        dicts = with_instruction(dicts, fmt.instruction())
    if tools and not tool_fmt.native:
        dicts = with_instruction(dicts, instruction(tools))
    # Qwen3 reads enable_thinking, DeepSeek V3.1/V3.2 and Kimi read thinking
    variables = {"enable_thinking": think, "thinking": think}
    if tools and tool_fmt.native:
        variables["tools"] = [tool.to_openai() for tool in tools]
    return dicts, variables
