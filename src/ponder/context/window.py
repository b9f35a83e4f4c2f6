"""Fit a conversation into the context window, keeping room for reasoning and answer.

A turn is a user message and the assistant messages that answer it. Truncation drops whole
turns, oldest first; it never drops a system or developer message and never the newest turn.
The token count of a candidate comes from the caller (render + tokenize), so this module
knows nothing of templates or engines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ponder.errors import ContextOverflow
from ponder.types import Message, Role, Truncation

PINNED = (Role.SYSTEM, Role.DEVELOPER)


def turn_starts(messages: Sequence[Message]) -> list[int]:
    """Indexes of the user messages that open each turn."""
    return [i for i, m in enumerate(messages) if m.role is Role.USER]


def drop_turns(messages: Sequence[Message], count: int) -> list[Message]:
    """The conversation without its `count` oldest turns; pinned messages always stay."""
    starts = turn_starts(messages)
    if count == 0:
        return list(messages)
    assert count < len(starts), "the newest turn is never dropped"
    cut = starts[count]
    return [m for i, m in enumerate(messages) if i >= cut or m.role in PINNED]


def fit(
    messages: Sequence[Message],
    count_tokens: Callable[[Sequence[Message]], int],
    n_ctx: int,
    reserve: int,
    truncation: Truncation,
) -> tuple[list[Message], int]:
    """The messages to send and how many turns were dropped; ContextOverflow if none fit."""
    size = count_tokens(messages)
    if size + reserve <= n_ctx:
        return list(messages), 0
    droppable = max(len(turn_starts(messages)) - 1, 0)
    if truncation is Truncation.DISABLED or droppable == 0:
        raise ContextOverflow(size, reserve, n_ctx, _hint(truncation, droppable))
    dropped = _fewest_to_drop(messages, count_tokens, n_ctx - reserve, droppable)
    if dropped is None:
        smallest = count_tokens(drop_turns(messages, droppable))
        raise ContextOverflow(smallest, reserve, n_ctx, "even with every older turn dropped")
    return drop_turns(messages, dropped), dropped


def _fewest_to_drop(messages, count_tokens, limit: int, droppable: int) -> int | None:
    """Binary search: the size only shrinks as more turns go."""
    low, high, best = 1, droppable, None
    while low <= high:
        middle = (low + high) // 2
        if count_tokens(drop_turns(messages, middle)) <= limit:
            best, high = middle, middle - 1
        else:
            low = middle + 1
    return best


def _hint(truncation: Truncation, droppable: int) -> str:
    if droppable == 0:
        return "the newest message alone does not fit"
    return f"truncation is disabled; {droppable} older turn(s) could be dropped with truncation=auto"
