"""A probe: one forward pass that reads how likely some words are as the answer's start.

It is how a model judges (best_of_n's self-verifier): the prompt asks a yes/no-style
question, the answer phase opens with no reasoning, and the probabilities of the words'
first tokens are read from the logits; nothing is generated or kept.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

from ponder.engine.base import EndReason, Handle, SamplingParams, Segment, SegmentEnd, TokenLogprobs
from ponder.reasoning.loop import Ended
from ponder.runtime import Runtime
from ponder.strategies.base import Ask
from ponder.types import Effort


class Probe:
    """The controller of a probe: one segment of one token, whose log-probabilities it keeps."""

    def __init__(self, words: tuple[str, ...], emit: Callable[[object], None]):
        self.words, self._emit = words, emit
        self.prompt_tokens = self.cached_tokens = 0
        self.probabilities: dict[str, float] = {}

    def first_segment(self) -> Segment:
        # an end token would never reach on_token; its ban leaves the probed log-probabilities alone
        return Segment(1, min_tokens=1)

    def on_prefilled(self, prompt_tokens: int, cached_tokens: int) -> None:
        self.prompt_tokens, self.cached_tokens = prompt_tokens, cached_tokens

    def on_token(self, token: int, logprobs: TokenLogprobs | None = None) -> None:
        assert logprobs is not None, "a probe is always submitted with probe tokens"
        self.probabilities = {word: math.exp(lp) for word, lp in zip(self.words, logprobs.probe)}

    def on_segment_end(self, end: SegmentEnd) -> None:
        return None

    def on_end(self, reason: EndReason, error: str | None = None) -> None:
        self._emit(Ended(reason, error))


def start_probe(runtime: Runtime, ask: Ask, emit: Callable[[object], None]) -> tuple[Probe, Handle]:
    # No reasoning, and one token is all the window must hold beyond the prompt.
    prompt = runtime.prompt(ask.messages, dataclasses.replace(ask.options, effort=Effort.NONE,
                                                              max_completion_tokens=1))
    # Each word's first token, as the answer would start: "correct" and "Correct" differ.
    firsts = tuple(runtime.engine.tokenize(word, special=False)[0] for word in ask.probe)
    probe = Probe(ask.probe, emit)
    handle = runtime.engine.submit(list(prompt.tokens), SamplingParams(temperature=0, probe=firsts), probe,
                                   prompt.history, prompt.key, reserve=prompt.cells)
    return probe, handle
