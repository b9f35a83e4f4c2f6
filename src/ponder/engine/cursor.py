"""SegmentCursor: an in-process engine's per-token loop behind the segment contract.

The scheduler samples one token at a time; the cursor holds the controller's current segment
and turns each sample into a Step: append it, end the segment (limit, stop string, end of
generation) and append what the next segment forces, take tokens back, sample again with end
tokens banned, or finish. The controller hears of each token and of each segment's end,
never of a single sampling decision. It knows nothing of llama.cpp, slots or reasoning.
"""

from __future__ import annotations

import bisect
import codecs
from dataclasses import dataclass
from typing import Protocol

from ponder.engine.base import Controller, Segment, SegmentEnd, Stop, TokenLogprobs


class Pieces(Protocol):
    def piece(self, token: int) -> bytes: ...

    def is_eog(self, token: int) -> bool: ...


@dataclass(frozen=True)
class Step:
    """What the scheduler does with the sequence after one sample."""

    append: tuple[int, ...] = ()  # tokens to add (the sampled one, and forced ones)
    done: bool = False  # finish the sequence (appended tokens need no evaluation)
    forbid_end: bool = False  # the next sample may not be an end-of-generation token
    rewind: int = 0  # take back this many of the sequence's last tokens before appending
    resample: bool = False  # sample again from the same logits (with forbid_end), appending nothing


class SegmentCursor:
    def __init__(self, controller: Controller, pieces: Pieces):
        self.controller, self.pieces = controller, pieces
        # None: the controller is done before it starts (no room at all): one sample ends it
        self._enter(controller.first_segment() or Segment(0))

    # ---- what the scheduler asks ----

    @property
    def start(self) -> tuple[int, ...]:
        """Tokens to evaluate after the prompt, before the first sample (the first segment's forced)."""
        return self.segment.forced

    @property
    def forbid_end(self) -> bool:
        return len(self.tokens) < self.segment.min_tokens

    def on_prefilled(self, prompt_tokens: int, cached_tokens: int) -> None:
        self.controller.on_prefilled(prompt_tokens, cached_tokens)

    def on_end(self, reason, error: str | None = None) -> None:
        self.controller.on_end(reason, error)

    def on_sampled(self, token: int, logprobs: TokenLogprobs | None = None) -> Step:
        if self.segment.max_tokens <= len(self.tokens):  # a segment of forced tokens only, now evaluated
            following = self.controller.on_segment_end(SegmentEnd(Stop.LENGTH, ()))
            if following is None:
                return Step(done=True)
            self._enter(following)
            if following.forced or following.rewind:  # the sequence changes before the next sample
                return Step(following.forced, rewind=following.rewind, forbid_end=self.forbid_end)
            if self.forbid_end and self.pieces.is_eog(token):
                return Step(resample=True, forbid_end=True)
            # otherwise this sample is the next segment's first
        if self.pieces.is_eog(token):
            return self._end(SegmentEnd(Stop.END, tuple(self.tokens)), None)
        self.tokens.append(token)
        if self.controller.on_token(token, logprobs):  # the controller has what it waited for
            return self._end(SegmentEnd(Stop.STOP, tuple(self.tokens)), token)
        found = self._stop_found(token)
        if found is not None:
            return self._end(SegmentEnd(Stop.STOP, tuple(self.tokens), *found), token)
        if len(self.tokens) >= self.segment.max_tokens:
            return self._end(SegmentEnd(Stop.LENGTH, tuple(self.tokens)), token)
        return Step((token,), forbid_end=self.forbid_end)

    # ---- segments ----

    def _enter(self, segment: Segment) -> None:
        self.segment, self.tokens = segment, []
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._text, self._starts = "", []  # the segment's text, and where each token's text starts
        self._longest = max((len(stop) for stop in segment.stop), default=0)

    def _end(self, end: SegmentEnd, sampled: int | None) -> Step:
        """Ask for the next segment; the Step that ends this one and starts it."""
        following = self.controller.on_segment_end(end)
        appended = () if sampled is None else (sampled,)
        if following is None:
            return Step(appended, done=True)
        rewind = following.rewind
        if rewind and appended:  # the token just sampled is taken back before it goes in
            appended, rewind = (), rewind - 1
        self._enter(following)
        append = appended + following.forced
        if append or rewind:
            return Step(append, rewind=rewind, forbid_end=self.forbid_end)
        if self.forbid_end or following.grammar is not None:  # after an end token: sample again
            return Step(resample=True, forbid_end=self.forbid_end)  # (ends banned, or under the grammar)
        return Step(done=True)  # nothing would change: the same sample would come again

    def _stop_found(self, token: int) -> tuple[str, int] | None:
        """(stop string, index of the token where it begins) once the text holds one."""
        if not self.segment.stop:
            return None
        self._starts.append(len(self._text))
        before = len(self._text)
        self._text += self._decoder.decode(self.pieces.piece(token))
        window = max(0, before - self._longest + 1)
        hits = [(self._text.find(stop, window), stop) for stop in self.segment.stop]
        hits = [(at, stop) for at, stop in hits if at >= 0]
        if not hits:
            return None
        at, stop = min(hits)
        return stop, bisect.bisect_right(self._starts, at) - 1  # the last token that starts at or before it
