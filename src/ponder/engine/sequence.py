"""What the scheduler schedules: requests as they wait, sequences as they run.

A request is a prompt, its sampling and its controller (a segment cursor, or for a warm-up,
nothing to tell). A sequence is a request that holds a slot, with the tokens it still has to
evaluate. Plain data: the planner reads them, the scheduler moves them.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ponder.engine.base import EndReason, SamplingParams
from ponder.engine.cursor import SegmentCursor, Step
from ponder.engine.kvcache import Slot

if TYPE_CHECKING:
    from ponder.engine.sampler import Sampler


class WarmUp:
    """The controller of a warm-up: it never samples and has nobody to tell."""

    start: tuple[int, ...] = ()
    forbid_end = False

    def on_prefilled(self, prompt_tokens: int, cached_tokens: int) -> None:
        pass

    def on_sampled(self, token: int, logprobs=None) -> Step:
        return Step(done=True)

    def on_end(self, reason: EndReason, error: str | None = None) -> None:
        pass


_arrivals = itertools.count()


@dataclass
class Resume:
    """What a preempted sequence keeps while it waits to be recomputed: its sampler (and so its
    random stream) and the controller's wish for the next sample."""

    sampler: Sampler
    forbid_end: bool


@dataclass
class Request:
    prompt: list[int]
    sampling: SamplingParams
    controller: SegmentCursor | WarmUp
    history: int | None = None  # leading prompt tokens that are the conversation so far (None: all)
    warm: bool = False  # a warm-up: re-prefill a finished turn's next history into its cells
    cut: bool = False  # a warm-up that first cuts the turn's reasoning out (kv_reuse="shift")
    cancelled: threading.Event = field(default_factory=threading.Event)
    reserve: int = 0  # cells it may fill in all (prompt and longest completion); at least the prompt
    resume: Resume | None = None  # a preempted sequence: its prompt is all it had, it goes on sampling
    arrival: int = field(default_factory=lambda: next(_arrivals))  # preemption takes the youngest

    def __post_init__(self) -> None:
        self.reserve = max(self.reserve, len(self.prompt))


@dataclass
class Sequence:
    request: Request
    slot: Slot
    sampler: Sampler | None  # None for warm-ups
    pending: list[int]  # tokens to evaluate next: rest of the prompt, or appended tokens
    forbid_end: bool = False  # the controller's wish for the next sample
