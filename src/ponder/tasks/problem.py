"""A problem: a question, its exact answer, and a worked reasoning trace to learn from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Problem:
    task: str
    question: str
    answer: str  # the canonical integer, e.g. "-123"
    # The trace as (text, learn) pieces: pieces with learn=False are deliberate slips that the
    # trace then notices and corrects; training masks them so the model learns the check, not the slip.
    trace: tuple[tuple[str, bool], ...] = field(default=(), compare=False)
    key: tuple = field(default=(), compare=False)  # what makes two problems the same one
    # Where it can be worked two ways (a multiplication's partial products from either end): its
    # clean worked trace going the given way (tens first or not), written when the audit asks.
    rework: Callable[[bool], str] | None = field(default=None, compare=False, repr=False)

    @property
    def trace_text(self) -> str:
        return "".join(text for text, _ in self.trace)

    @cached_property  # written once per problem: RL's credit reads it for each of a group's rollouts
    def worked(self) -> tuple[str, ...]:
        """The worked traces a generated one is audited against: every clean way, the usual first."""
        if self.rework is None:
            return (self.trace_text,)
        return tuple(dict.fromkeys(self.rework(tens_first) for tens_first in (False, True)))
