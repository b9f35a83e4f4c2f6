"""think_longer (budget forcing, as in s1): a minimum thinking length.

When the model would close its reasoning before the minimum, the TurnLoop replaces the
closing marker with a continuation ("Wait,") and the model thinks on, up to the effort's
budget. The one sequence streams live, as a single turn does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ponder.config import DEFAULT_CONTINUATION, TurnOptions
from ponder.errors import InvalidOption
from ponder.strategies.base import Ask, Outcome, Run, Shown, Strategy, check_count, reasoning_tokens
from ponder.types import Message


class ThinkLonger(Strategy):
    name = "think_longer"
    needs_reasoning = True

    def __init__(self, min_tokens: int | None = None, continuation: str = DEFAULT_CONTINUATION):
        self.min_tokens = None if min_tokens is None else check_count("min_tokens", min_tokens)
        if not isinstance(continuation, str) or not continuation.strip():
            raise InvalidOption("strategy.continuation", "must be some text, such as \"Wait,\"")
        self.continuation = continuation

    @property
    def count(self) -> int | None:
        return self.min_tokens  # the short form cannot say a continuation: it names the default's

    def minimum(self, options: TurnOptions) -> int:
        """The floor asked for, else half the reasoning budget."""
        return self.min_tokens if self.min_tokens is not None else reasoning_tokens(options) // 2

    def check(self, messages: Sequence[Message], options: TurnOptions, max_n: int) -> None:
        super().check(messages, options, max_n)
        budget = reasoning_tokens(options)
        if self.minimum(options) > budget:
            raise InvalidOption("strategy.min_tokens", f"{self.minimum(options)} is over the reasoning budget "
                                f"of {budget} tokens; raise the effort or lower the minimum")

    def run(self, messages: tuple[Message, ...], options: TurnOptions) -> Run:
        minimum = self.minimum(options)
        longer = dataclasses.replace(options, min_reasoning=minimum, continuation=self.continuation)
        (done,) = yield [Ask(messages, longer, "thinking", Shown.LIVE)]
        report = {"name": self.name, "min_reasoning_tokens": minimum, "continuations": done.result.continuations,
                  "reasoning_tokens": done.result.usage.reasoning_tokens}
        return Outcome(done, report)
