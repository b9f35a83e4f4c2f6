"""The two-phase state machine of one assistant turn: reasoning -> answer -> done.

TurnLoop is the Controller of a turn's sequence. It plans the sequence as segments: reasoning
until the closing marker or the budget, then the answer until an end of turn, a stop string
or max_completion_tokens. Between segments it decides what is forced: a short hand-off and the
closing marker when the budget runs out, the marker when the model ends its turn inside the
block, and, below a minimum reasoning length (think_longer, "budget forcing"), a continuation
such as "Wait," in place of a marker the model sampled too early (the marker's tokens are
taken back). It splits the streamed text into reasoning and answer (the marker may be split
across tokens), counts tokens per phase, and emits ReasoningDelta / ContentDelta events and a
final `Ended` through `emit`.

After the reasoning, the answer may be held to a shape (tools/plan.py): a JSON answer under
response_format's grammar, or tool calls. With tools the answer segment also stops at the
format's call opener; the opener's tokens are taken back and its canonical text forced, and the
call's body is sampled under its grammar (the call's JSON schema, or for name-first formats the
tool names, then that tool's arguments). A finished call is emitted whole (ToolCallDelta);
with parallel calls the model may open another, else the turn ends with finish "tool_calls".
The reasoning is never constrained.

It decides only at segment ends, so an engine across a network serves it with one request
per segment. It knows nothing about templates, history, the window or the engine's cache.
"""

from __future__ import annotations

import codecs
import enum
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ponder.config import DEFAULT_CONTINUATION, DEFAULT_HANDOFF
from ponder.engine.base import EndReason, Segment, SegmentEnd, Stop, TokenLogprobs
from ponder.reasoning.budget import Budget
from ponder.reasoning.codec import TokenCodec
from ponder.reasoning.formats import ReasoningFormat
from ponder.reasoning.scanner import MarkerScanner
from ponder.tools.plan import AnswerShape
from ponder.types import ContentDelta, FinishReason, ReasoningDelta, ToolCall, ToolCallDelta


class Phase(enum.Enum):
    REASONING = "reasoning"
    ANSWER = "answer"
    PEEK = "peek"  # a JSON answer or a call? one token decides (tools and response_format together)
    CALL_HEAD = "call_head"  # a name-first format's tool name and separator
    CALL = "call"  # a call's body under its grammar
    AFTER_CALL = "after_call"  # after a call: another opener, or the end
    DONE = "done"


AFTER_CALL_TOKENS = 4  # beyond the opener's own: what the model may say after a call before it ends
PEEKS = 3  # whitespace tokens a peek may pass over before the answer's first real one


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
        shape: AnswerShape | None = None,
    ):
        self.fmt, self.budget, self.codec, self._emit = fmt, budget, codec, emit
        self.shape = shape or AnswerShape()
        self.phase = Phase.REASONING if budget.thinks else Phase.ANSWER
        self.close_tokens = tuple(codec.tokenize(fmt.close, special=True))  # harmony's <|end|> is a control token
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
        plan = self.shape.calls
        self._call_stop = plan.fmt.stop if plan is not None and not plan.toolset.must_call else None
        # a call that opens with the JSON itself (Llama 3) can only be the answer's start: a peek
        # at its first token decides, and the answer is never searched for it
        self._bare = self._call_stop is not None and self._call_stop.startswith("{")
        if self._bare:
            self._call_stop = None
        self._answer_scanner = MarkerScanner([*stop, fmt.open, fmt.close, *fmt.hidden,
                                              *filter(None, [self._call_stop])])
        self.calls: list[ToolCall] = []
        self._call_parts: list[str] = []  # the text of the call being written
        self._call_name: str | None = None  # a name-first format's chosen tool
        self._opening = False  # the answer just wrote the call opener: the segment ends with it
        self._peeked, self._peeks = "", 0  # what a peek sampled, and how many peeks so far
        self._answer_started = False
        self._after_marker: str | None = None  # text that followed the closing marker in its token
        self._segment_logprobs: list[float | None] = []  # of this segment's sampled tokens
        self.started_at = time.perf_counter()  # submission; TTFT and latency count from here
        self.first_token_at: float | None = None
        self.ended_at: float | None = None

    # ---- Controller protocol (engine thread) ----

    def first_segment(self) -> Segment:
        return self._reasoning_segment() if self.phase is Phase.REASONING else self._open_answer()

    def on_prefilled(self, prompt_tokens: int, cached_tokens: int) -> None:
        self.prompt_tokens, self.cached_tokens = prompt_tokens, cached_tokens

    def on_token(self, token: int, logprobs: TokenLogprobs | None = None) -> bool:
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        if logprobs is not None:
            self.logprob_sum += logprobs.sampled
            self.logprob_count += 1
        self._segment_logprobs.append(None if logprobs is None else logprobs.sampled)
        self._consume(token, forced=False)
        return self.phase is Phase.DONE  # a stop string the segment's own search could not see whole

    def on_segment_end(self, end: SegmentEnd) -> Segment | None:
        spoken, self._segment_logprobs = self._segment_logprobs, []
        if self.phase is Phase.REASONING:
            return self._after_reasoning(end, spoken)
        if self.phase is Phase.ANSWER:
            return self._after_answer(end)
        if self.phase is Phase.PEEK:
            return self._after_peek(end)
        if self.phase is Phase.CALL_HEAD:
            return self._after_head(end)
        if self.phase is Phase.CALL:
            return self._after_call(end)
        if self.phase is Phase.AFTER_CALL:
            return self._after_calls(end)
        return None  # a stop string ended the answer

    def on_end(self, reason: EndReason, error: str | None = None) -> None:
        self.ended_at = time.perf_counter()
        if reason is EndReason.CONTEXT_FULL:
            self.finish_reason = FinishReason.LENGTH
        try:
            if self.phase is not Phase.DONE:
                self.phase = Phase.DONE
                self._flush()
        except Exception as failure:  # the consumer must still hear the end, with the reason
            reason, error = EndReason.ERROR, f"ending the turn failed: {type(failure).__name__}: {failure}"
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

    def _reasoning_segment(self, forced: tuple[int, ...] = (), rewind: int = 0) -> Segment | None:
        """Reason on until the closing marker, leaving room for the forced hand-off."""
        room = min(self.budget.reasoning - len(self.handoff_tokens) - self.reasoning_tokens, self._room())
        if room <= 0:
            return self._force_close(forced, rewind)
        return Segment(room, stop=(self.fmt.close,), forced=forced, rewind=rewind)

    def _answer_segment(self, forced: tuple[int, ...] = (), rewind: int = 0) -> Segment | None:
        # Every turn answers: until the answer has visible text, the model may not end it.
        room = self._room()
        if room <= 0:
            return self._finish(FinishReason.LENGTH)
        grammar = self.shape.answer_grammar  # a JSON answer cannot end before it is whole anyway
        stop = (*self._stop, self._call_stop) if self._call_stop else tuple(self._stop)
        return Segment(room, stop=stop, min_tokens=0 if self._answer_started or grammar else 1,
                       forced=forced, rewind=rewind, grammar=grammar)

    def _after_reasoning(self, end: SegmentEnd, logprobs: list[float | None]) -> Segment | None:
        if end.reason is Stop.STOP:  # the model closed its block
            taken = len(end.tokens) - end.stop_start
            if self._too_early(taken):
                self.reasoning_tokens -= taken
                for lp in logprobs[len(logprobs) - taken:]:  # the marker's tokens are not kept
                    if lp is not None:
                        self.logprob_sum -= lp
                        self.logprob_count -= 1
                self._close_scanner.flush()  # the marker's start, held back, never shown
                self._after_marker = None
                return self._continue(rewind=taken)
            return self._open_answer()
        if end.reason is Stop.END:  # it ended its turn inside the block: close it, the answer still comes
            if self._too_early():
                return self._continue()
            return self._force(self.close_tokens)
        if self._room() <= 0:  # max_completion_tokens ran out while reasoning: no answer, as OpenAI's models
            return self._finish(FinishReason.LENGTH)
        return self._force_close()

    def _after_answer(self, end: SegmentEnd) -> Segment | None:
        if end.reason is Stop.STOP and end.stop is not None and end.stop == self._call_stop:
            taken = len(end.tokens) - end.stop_start  # the opener as sampled: its canonical text replaces it
            self.answer_tokens -= taken
            return self._open_call(rewind=taken)
        if end.reason is Stop.END and not self._answer_started and not self.shape.answer_grammar:
            return self._answer_segment()  # only whitespace so far: sample again, end banned
        return self._finish(FinishReason.LENGTH if end.reason is Stop.LENGTH else FinishReason.STOP)

    def _too_early(self, taken: int = 0) -> bool:
        """Below the minimum (not counting the marker's taken tokens), with room for a
        continuation before the hand-off must come, and under max_completion_tokens."""
        reasoned = self.reasoning_tokens - taken
        after = reasoned + len(self.continuation_tokens) + 1 + len(self.handoff_tokens)
        fits = len(self.continuation_tokens) < self._room() + taken
        return reasoned < self.min_reasoning and after <= self.budget.reasoning and fits

    def _continue(self, rewind: int = 0) -> Segment | None:
        self.continuations += 1
        for token in self.continuation_tokens:
            self._consume(token, forced=True)
        return self._reasoning_segment(self.continuation_tokens, rewind)

    def _force_close(self, forced: tuple[int, ...] = (), rewind: int = 0) -> Segment | None:
        """The budget ran out: the hand-off and the marker if they fit, else the marker alone."""
        self.budget_forced = True
        fits = self.reasoning_tokens + len(self.handoff_tokens) <= self.budget.reasoning
        return self._force(self.handoff_tokens if fits else self.close_tokens, forced, rewind)

    def _force(self, tokens: tuple[int, ...], before: tuple[int, ...] = (), rewind: int = 0) -> Segment | None:
        """Force tokens that close the block, then answer; None (length) if the cap cuts them."""
        if len(tokens) > self._room():
            return self._finish(FinishReason.LENGTH)  # a forced marker cut in half helps nobody
        for token in tokens:
            self._consume(token, forced=True)
        return self._open_answer(before + tokens, rewind)

    def _open_answer(self, forced: tuple[int, ...] = (), rewind: int = 0) -> Segment | None:
        self.phase = Phase.ANSWER
        if self.shape.calls is not None and self.shape.calls.toolset.must_call:
            self._after_marker = None
            return self._open_call(forced, rewind)
        after, self._after_marker = self._after_marker or "", None
        self._answer(after)
        if self.phase is Phase.DONE:  # a stop string right after the marker
            return self._finish(FinishReason.STOP)
        if self._opening:  # the marker's token already held the call opener
            self._opening = False
            return self._open_call(forced, rewind)
        if (self.shape.schema is not None and self._call_stop or self._bare) and not self._answer_started:
            return self._peek(forced, rewind)
        return self._answer_segment(forced, rewind)

    def _peek(self, forced: tuple[int, ...] = (), rewind: int = 0) -> Segment | None:
        """With tools and a JSON answer both possible, sample one token freely: the call opener's
        start opens a call, anything else is taken back and sampled again under the answer's
        grammar (from the same logits: no token is lost)."""
        if self._room() <= 0:
            return self._finish(FinishReason.LENGTH)
        self.phase, self._peeked = Phase.PEEK, ""
        return Segment(1, min_tokens=1, forced=forced, rewind=rewind)

    def _after_peek(self, end: SegmentEnd) -> Segment | None:
        text, self._peeks = self._peeked.lstrip(), self._peeks + 1
        if end.reason is Stop.END or self._room() <= 0:
            return self._finish(FinishReason.LENGTH if self._room() <= 0 else FinishReason.STOP)
        if not text and self._peeks < PEEKS:  # whitespace: kept (JSON allows it), look again
            return self._peek()
        opener = self._call_stop
        bare_call = self._bare and text.startswith("{")
        if bare_call or (opener and text and (opener.startswith(text) or text.startswith(opener))):
            self.answer_tokens -= 1  # the peeked token is taken back, sampled again under the call's grammar
            return self._open_call(rewind=1)
        self.phase = Phase.ANSWER
        if self.shape.schema is not None:
            self.answer_tokens -= 1  # taken back, sampled again under the answer's grammar
            return Segment(self._room(), grammar=self.shape.answer_schema_grammar, rewind=1)
        self._answer(self._peeked)  # a text answer: the peeked token is its first
        if self.phase is Phase.DONE:
            return self._finish(FinishReason.STOP)
        return self._answer_segment()

    # ---- tool calls ----

    def _open_call(self, forced: tuple[int, ...] = (), rewind: int = 0) -> Segment | None:
        """Force the format's opener, then sample the call under its grammar."""
        plan = self.shape.calls
        self._opening, self._call_parts, self._call_name = False, [], None
        opener = tuple(self.codec.tokenize(plan.fmt.opener, special=True)) if plan.fmt.opener else ()
        grammar, phase = plan.body(), Phase.CALL
        if plan.fmt.layout == "named":
            if len(plan.names) == 1:  # the one tool it may call: its head is forced too
                self._call_name = plan.names[0]
                opener += tuple(self.codec.tokenize(plan.fmt.head(self._call_name, len(self.calls)), special=True))
                grammar = plan.arguments(self._call_name)
            else:
                grammar, phase = plan.heads(len(self.calls)), Phase.CALL_HEAD
        room = self._room() - len(opener)
        if room <= 0:
            return self._finish(FinishReason.LENGTH)
        self.answer_tokens += len(opener)
        self.phase = phase
        stop = (plan.fmt.closer.strip(),) if grammar is None else ()  # XML: free text until the closer
        return Segment(room, stop=stop, forced=forced + opener, rewind=rewind, grammar=grammar)

    def _after_head(self, end: SegmentEnd) -> Segment | None:
        """The name is chosen (its grammar is complete); its separator is forced, as text
        ponder writes whatever tokens (special ones included) the family spells it with."""
        plan, head = self.shape.calls, "".join(self._call_parts)
        name = next((n for n in plan.names if plan.fmt.name_text(n, len(self.calls)) == head), None)
        separator = tuple(self.codec.tokenize(plan.fmt.separator, special=True))
        if end.reason is not Stop.END or name is None or self._room() <= len(separator):
            return self._finish(FinishReason.LENGTH)
        self.answer_tokens += len(separator)
        self._call_name, self._call_parts, self.phase = name, [], Phase.CALL
        return Segment(self._room(), grammar=plan.arguments(name), forced=separator)

    def _after_call(self, end: SegmentEnd) -> Segment | None:
        if end.reason is Stop.LENGTH:  # the cap cut the call: no call, as a cut answer
            return self._finish(FinishReason.LENGTH)
        plan = self.shape.calls
        for name, arguments in self._parsed("".join(self._call_parts)):
            call = ToolCall(plan.fmt.new_id(), name, arguments)
            self.calls.append(call)
            self._emit(ToolCallDelta(len(self.calls) - 1, call))
        if not self.calls:
            return self._finish(FinishReason.STOP)
        closer = tuple(self.codec.tokenize(plan.fmt.closer, special=True)) if plan.fmt.closer else ()
        room = self._room() - len(closer)
        if not plan.toolset.parallel or not plan.fmt.repeats or room <= 1:
            return self._finish(FinishReason.TOOL_CALLS)
        self.answer_tokens += len(closer)
        self.phase = Phase.AFTER_CALL
        most = len(self.codec.tokenize(plan.fmt.stop, special=True)) + AFTER_CALL_TOKENS
        return Segment(min(room, most), stop=(plan.fmt.stop,), forced=closer)

    def _after_calls(self, end: SegmentEnd) -> Segment | None:
        if end.reason is Stop.STOP and end.stop == self.shape.calls.fmt.stop:
            taken = len(end.tokens) - end.stop_start
            self.answer_tokens -= taken
            return self._open_call(rewind=taken)
        return self._finish(FinishReason.TOOL_CALLS)  # what it said after its calls is not kept

    def _parsed(self, text: str) -> list[tuple[str, str]]:
        """(name, arguments as JSON text) of the call just written; [] if it does not parse."""
        fmt = self.shape.calls.fmt
        if fmt.layout == "named":
            found = [(self._call_name, _json(text))]
        else:
            found = fmt.parse(fmt.stop + text + fmt.closer)[1]
            found = [(name, arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False))
                     for name, arguments in found]
        names = set(self.shape.calls.names)
        return [(name, args) for name, args in found if name in names and args is not None]

    def _room(self) -> int:
        return self.budget.completion - self.reasoning_tokens - self.answer_tokens

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
        elif self.phase in (Phase.CALL, Phase.CALL_HEAD):
            self._call_parts.append(text)
        elif self.phase is Phase.PEEK:
            self._peeked += text

    def _reason(self, text: str) -> None:
        if self._after_marker is not None:  # past the marker, before the segment's end decides
            self._after_marker += text
            return
        before, marker, after = self._close_scanner.feed(text)
        self._say_reasoning(before)
        if marker is not None:
            self._after_marker = after

    def _answer(self, text: str) -> None:
        while not self._opening:
            safe, marker, text = self._answer_scanner.feed(text)
            self._say_content(safe)
            if marker is None:
                return
            if marker in self._stop:
                self.phase = Phase.DONE  # the stop string and all after it are dropped
                return
            if marker == self._call_stop:
                self._opening = True  # the rest is the call's, sampled again under its grammar

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

    def _finish(self, reason: FinishReason) -> None:
        self.finish_reason = FinishReason.TOOL_CALLS if self.calls and reason is FinishReason.STOP else reason
        self._flush()
        self.phase = Phase.DONE
        return None

    def _flush(self) -> None:
        """Release text held back as a possible marker start; the turn is over."""
        tail = self._decoder.decode(b"", final=True)
        if self.phase is Phase.REASONING:
            if self._after_marker is not None:  # closed, but the answer never came
                return
            self._say_reasoning(self._close_scanner.flush() + tail)
        elif self.phase is Phase.ANSWER:
            self._say_content(self._answer_scanner.flush() + tail)


def _json(text: str) -> str | None:
    """A named call's arguments as compact JSON text, or None if they do not parse."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except json.JSONDecodeError:
        return None
