"""Reasoning effort -> a hard budget of reasoning tokens, and the completion reserve.

The mapping (documented in README.md):

    effort    none  minimal  low  medium  high  xhigh
    tokens       0       64  256    1024  4096  16384

`none` skips the reasoning phase entirely. An explicit reasoning budget in tokens overrides
the effort. Without an explicit max_completion_tokens, a budget too big for the window is
shrunk to fit (see settle_budget). The budget counts every token inside the reasoning block, the closing marker
and any hand-off sentence ponder forces included, so a turn never reasons past it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ponder.errors import InvalidOption
from ponder.types import Effort

# Room kept for the visible answer when max_completion_tokens is not given.
DEFAULT_ANSWER_TOKENS = 512


EFFORT_TOKENS = {
    Effort.NONE: 0,
    Effort.MINIMAL: 64,
    Effort.LOW: 256,
    Effort.MEDIUM: 1024,
    Effort.HIGH: 4096,
    Effort.XHIGH: 16384,
}


@dataclass(frozen=True)
class Budget:
    """The limits of one turn, settled before it starts."""

    reasoning: int  # hard cap on reasoning tokens; 0 means no reasoning phase
    completion: int  # hard cap on reasoning + answer tokens (max_completion_tokens)

    @property
    def thinks(self) -> bool:
        return self.reasoning > 0


def requested_reasoning(effort: Effort, reasoning_tokens: int | None) -> int:
    """The reasoning budget asked for, before the window may shrink it: the explicit one wins."""
    return EFFORT_TOKENS[effort] if reasoning_tokens is None else reasoning_tokens


def settle_budget(effort: Effort, reasoning_tokens: int | None, max_completion_tokens: int | None, n_ctx: int) -> Budget:
    """Resolve effort and explicit limits into one Budget, rejecting impossible values.

    An explicit max_completion_tokens is honoured as given: the window must hold it. Without
    one, the reserve is the reasoning budget plus room for the answer, but at most half the
    window, and the reasoning budget shrinks to fit it: effort high on a 4k window still runs.
    The answer keeps at most a quarter of a shrunk reserve: on a 1k window (ponder-reasoner's)
    half of it left 256 reasoning tokens at every effort above low, fewer than a 3-by-2
    multiplication's trace needs (up to about 330), for answers of about ten.
    """
    if reasoning_tokens is not None and reasoning_tokens < 0:
        raise InvalidOption("reasoning_budget", f"must be 0 or more tokens, got {reasoning_tokens}")
    if max_completion_tokens is not None and max_completion_tokens < 1:
        raise InvalidOption("max_completion_tokens", f"must be at least 1, got {max_completion_tokens}")
    reasoning = requested_reasoning(effort, reasoning_tokens)
    if max_completion_tokens is not None:
        return Budget(reasoning=reasoning, completion=max_completion_tokens)
    completion = min(reasoning + DEFAULT_ANSWER_TOKENS, n_ctx // 2)
    answer_room = min(DEFAULT_ANSWER_TOKENS, completion // 4)
    return Budget(reasoning=min(reasoning, completion - answer_room), completion=completion)
