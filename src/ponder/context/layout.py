"""A turn's context, as token counts per part: what a page draws to scale.

The prompt's parts are counted on the prompt's own render: the leading system text (ponder's
instructions included), the turns carried over from earlier (their inputs and visible answers),
and this request's new input (with the generation prompt); the completion's parts come from
the turn's usage. Boundaries are where the renders of the leading messages end, so the parts
add up to the prompt exactly (a token that spans a boundary counts on the later side).
"""

from __future__ import annotations

from dataclasses import replace

from ponder.context.history import last_user_index
from ponder.context.prompt import Prompt, PromptBuilder
from ponder.errors import TemplateError
from ponder.types import Role, TurnResult


def prompt_layout(builder: PromptBuilder, prompt: Prompt, new: int) -> dict:
    """Counts of the prompt's parts; new: how many of prompt.messages this request added."""
    # a prefix renders as it does inside the whole: reasoning the whole drops stays dropped
    current = last_user_index(prompt.messages)
    messages = [m if i > current or prompt.keep_reasoning else replace(m, reasoning=None)
                for i, m in enumerate(prompt.messages)]
    leading = 0
    while leading < len(messages) and messages[leading].role in (Role.SYSTEM, Role.DEVELOPER):
        leading += 1
    first_new = max(leading, len(messages) - new)

    def upto(count: int) -> int:
        if count == 0:
            return 0
        try:
            text = builder.history_text(messages[:count], prompt.thinks, prompt.keep_reasoning, prompt.tools)
        except TemplateError:  # a template that refuses a part alone (no user message yet): counted later
            return 0
        return min(len(builder.tokens(text)), len(prompt.tokens))

    system = upto(leading) if leading else upto_system(builder, prompt)
    carried = max(0, upto(first_new) - system) if first_new > leading else 0
    return {"window": 0, "system": system, "carried": carried,
            "input": len(prompt.tokens) - system - carried, "dropped_turns": prompt.dropped,
            "reserve": prompt.budget.completion}


def upto_system(builder: PromptBuilder, prompt: Prompt) -> int:
    """Without a system message of the caller's, the system part is what the template and
    ponder's instructions put first: the render of no messages at all."""
    try:
        text = builder.history_text([], prompt.thinks, prompt.keep_reasoning, prompt.tools)
    except TemplateError:  # a template that needs a message to render anything: no system part
        return 0
    return min(len(builder.tokens(text)), len(prompt.tokens)) if text else 0


def with_result(layout: dict, result: TurnResult, n_ctx: int) -> dict:
    """The prompt's layout completed by the turn: reasoning, answer, the reserve left, cached.
    Of a strategy's sequences, the window holds the chosen one: its counts, not their sum."""
    usage = result.kept_usage or result.usage
    return {**layout, "window": n_ctx, "cached": usage.cached_tokens, "reasoning": usage.reasoning_tokens,
            "answer": usage.answer_tokens, "reserve": max(0, layout["reserve"] - usage.completion_tokens)}
