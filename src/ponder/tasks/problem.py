"""A problem: a question, its exact answer, and a worked reasoning trace to learn from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    task: str
    question: str
    answer: str  # the canonical integer, e.g. "-123"
    # The trace as (text, learn) pieces: pieces with learn=False are deliberate slips that the
    # trace then notices and corrects; training masks them so the model learns the check, not the slip.
    trace: tuple[tuple[str, bool], ...] = field(default=(), compare=False)
    key: tuple = field(default=(), compare=False)  # what makes two problems the same one
    # Every clean worked trace that solves it, where there is more than one way (multiplication's
    # partial products from either end); the audit reads a trace against the one it follows.
    layouts: tuple[str, ...] = field(default=(), compare=False)

    @property
    def trace_text(self) -> str:
        return "".join(text for text, _ in self.trace)

    @property
    def worked(self) -> tuple[str, ...]:
        """The worked traces a generated one is audited against."""
        return self.layouts or (self.trace_text,)
