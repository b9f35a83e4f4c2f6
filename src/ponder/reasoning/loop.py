"""The two-phase state machine of one assistant turn: reasoning -> answer -> done.

TurnLoop is the Controller the engine calls for every sampled token. It decides what the
sequence gets (the sampled token, or forced tokens instead), splits the text into reasoning
and answer at the closing marker (even when the marker is split across tokens), enforces the
reasoning budget and max_completion_tokens, and counts tokens per phase. With a minimum
reasoning length (the think_longer strategy, "budget forcing"), a block the model would close
early is not closed: the token that starts the closing marker (or an end of turn) is replaced
by a continuation such as "Wait," and the model thinks on. It emits
ReasoningDelta / ContentDelta events and a final `Ended` through the `emit` callback.

It runs on the engine thread and knows nothing about templates, history or the window.
"""

from __future__ import annotations

import codecs
import enum
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ponder.config import DEFAULT_CONTINUATION, DEFAULT_HANDOFF
from ponder.engine.base import EndReason, Step, TokenLogprobs
from ponder.reasoning.budget import Budget
from ponder.reasoning.codec import TokenCodec
from ponder.reasoning.formats import ReasoningFormat
from ponder.reasoning.scanner import MarkerScanner
from ponder.types import ContentDelta, FinishReason, ReasoningDelta



class Phase(enum.Enum):
    REASONING = "reasoning"
    ANSWER = "answer"
    DONE = "done"


@dataclass(frozen=True)
class Ended:
    """Sent once, last: how the sequence ended and the loop's final state."""

    reason: EndReason
    error: str | None = None


class TurnLoop:
    def __init__(
        self,
        fmt: ReasoningFormat,
        budget: Budget,
        codec: TokenCodec,
        emit: Callable[[object], None],
        stop: Sequence[str] = (),
        handoff: str = DEFAULT_HANDOFF,
        min_reasoning: int = 0,
        continuation: str = DEFAULT_CONTINUATION,
    ):
        self.fmt, self.budget, self.codec, self._emit = fmt, budget, codec, emit
        self.phase = Phase.REASONING if budget.thinks else Phase.ANSWER
        self.close_tokens = tuple(codec.tokenize(fmt.close, special=False))
        self.handoff_tokens = tuple(codec.tokenize(handoff, special=False)) + self.close_tokens
        self.min_reasoning = min_reasoning if budget.thinks else 0
        self.continuation_tokens = tuple(codec.tokenize(continuation, special=False))
        self.continuations = 0  # times an early close was replaced by the continuation
        self.logprob_sum, self.logprob_count = 0.0, 0  # over sampled tokens that were kept
        self.reasoning_tokens = self.answer_tokens = 0
        self.prompt_tokens = self.cached_tokens = 0
        self.finish_reason = FinishReason.STOP
        self.budget_forced = False
        self.reasoning_parts: list[str] = []
        self.content_parts: list[str] = []
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._close_scanner = MarkerScanner([fmt.close])
        # Small models echo reasoning markers in their answers; those never reach the user.
        self._stop = frozenset(stop)
        self._answer_scanner = MarkerScanner([*stop, fmt.open, fmt.close])
        self._answer_started = False
        self.forbid_end_first = not budget.thinks  # no reasoning: the very first token answers
        self.started_at = time.perf_counter()  # submission; TTFT and latency count from here
        self.first_token_at: float | None = None
        self.ended_at: float | None = None

    # ---- Controller protocol (engine thread) ----

    def on_prefilled(self, prompt_tokens: int, cached_tokens: int) -> None:
        self.prompt_tokens, self.cached_tokens = prompt_tokens, cached_tokens

    def on_sampled(self, token: int, logprobs: TokenLogprobs | None = None) -> Step:
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        step = self._step(token)
        if logprobs is not None and step.append[:1] == (token,):
            self.logprob_sum += logprobs.sampled
            self.logprob_count += 1
        return step

    def _step(self, token: int) -> Step:
        if self.phase is Phase.REASONING:
            return self._reasoning_step(token)
        if self.codec.is_eog(token):
            return self._finish(FinishReason.STOP)
        return self._append((token,))

    def on_end(self, reason: EndReason, error: str | None = None) -> None:
        self.ended_at = time.perf_counter()
        if reason is EndReason.CONTEXT_FULL:
            self.finish_reason = FinishReason.LENGTH
        if self.phase is not Phase.DONE:
            self._flush()
            self.phase = Phase.DONE
        self._emit(Ended(reason, error))

    # ---- results ----

    @property
    def reasoning(self) -> str:
        return "".join(self.reasoning_parts).strip()

    @property
    def content(self) -> str:
        return "".join(self.content_parts).rstrip()

    @property
    def mean_logprob(self) -> float | None:
        return self.logprob_sum / self.logprob_count if self.logprob_count else None

    # ---- the two phases ----

    def _reasoning_step(self, token: int) -> Step:
        if self.reasoning_tokens < self.min_reasoning and self._would_close(token) and self._room_to_continue():
            self.continuations += 1
            return self._append(self.continuation_tokens, forced=True)
        if self.codec.is_eog(token):
            # The model ended its turn inside the block: close it so the answer still comes.
            return self._append(self.close_tokens, forced=True)
        if self.reasoning_tokens + 1 + len(self.handoff_tokens) > self.budget.reasoning:
            return self._force_close()
        return self._append((token,))

    def _would_close(self, token: int) -> bool:
        """An end of turn, or a token that starts the closing marker ("</" of "</think>")."""
        if self.codec.is_eog(token):
            return True
        piece = self.codec.piece(token).decode("utf-8", errors="ignore").strip()
        # One character ("<") may be mathematics; two or more of the marker's start are not.
        return len(piece) >= 2 and (self.fmt.close.startswith(piece) or self.fmt.close in piece)

    def _room_to_continue(self) -> bool:
        after = self.reasoning_tokens + len(self.continuation_tokens) + 1 + len(self.handoff_tokens)
        return after <= self.budget.reasoning

    def _force_close(self) -> Step:
        self.budget_forced = True
        fits = self.reasoning_tokens + len(self.handoff_tokens) <= self.budget.reasoning
        return self._append(self.handoff_tokens if fits else self.close_tokens, forced=True)

    def _append(self, tokens: tuple[int, ...], forced: bool = False) -> Step:
        room = self.budget.completion - self.reasoning_tokens - self.answer_tokens
        if len(tokens) > room:
            # A forced marker cut in half helps nobody: stop here, as the cap says.
            return self._finish(FinishReason.LENGTH)
        for token in tokens:
            self._consume(token, forced)
        if self.phase is Phase.DONE:
            return Step(tokens, done=True)
        if self.reasoning_tokens + self.answer_tokens >= self.budget.completion:
            self._finish(FinishReason.LENGTH)
            return Step(tokens, done=True)
        # Every turn answers: until the answer has visible text, the model may not end it.
        return Step(tokens, forbid_end=self.phase is Phase.ANSWER and not self._answer_started)

    def _consume(self, token: int, forced: bool) -> None:
        if self.phase is Phase.REASONING or forced:
            self.reasoning_tokens += 1
        else:
            self.answer_tokens += 1
        text = self._decoder.decode(self.codec.piece(token))
        if self.phase is Phase.REASONING:
            self._reason(text)
        elif self.phase is Phase.ANSWER:
            self._answer(text)

    def _reason(self, text: str) -> None:
        before, marker, after = self._close_scanner.feed(text)
        self._say_reasoning(before)
        if marker is not None:
            self.phase = Phase.ANSWER
            self._answer(after)

    def _answer(self, text: str) -> None:
        while True:
            safe, marker, text = self._answer_scanner.feed(text)
            self._say_content(safe)
            if marker is None:
                return
            if marker in self._stop:
                self.phase = Phase.DONE  # the stop string and all after it are dropped
                return

    def _say_reasoning(self, text: str) -> None:
        if not self.reasoning_parts:
            text = text.lstrip()
        if text:
            self.reasoning_parts.append(text)
            self._emit(ReasoningDelta(text))

    def _say_content(self, text: str) -> None:
        if not self._answer_started:
            text = text.lstrip()  # the newlines after the closing marker are not the answer
        if text:
            self._answer_started = True
            self.content_parts.append(text)
            self._emit(ContentDelta(text))

    def _finish(self, reason: FinishReason) -> Step:
        self.finish_reason = reason
        self._flush()
        self.phase = Phase.DONE
        return Step((), done=True)

    def _flush(self) -> None:
        """Release text held back as a possible marker start; the turn is over."""
        tail = self._decoder.decode(b"", final=True)
        if self.phase is Phase.REASONING:
            self._say_reasoning(self._close_scanner.flush() + tail)
        elif self.phase is Phase.ANSWER:
            self._say_content(self._answer_scanner.flush() + tail)
