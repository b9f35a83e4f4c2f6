"""One sequence on an upstream server: the segment cursor fed by streamed requests.

The cursor is the in-process engine's own (engine/cursor.py), so stop strings, forced tokens,
take-backs and end-token bans mean the same on both engines. Each request continues the whole
sequence so far (prompt, sampled and forced tokens, as ids) and streams until the cursor's
segment ends; then the cursor says what goes in next and a new request starts, which the
server's prefix cache serves without evaluating again what it has seen.
"""

from __future__ import annotations

import itertools
import threading
from ponder.engine.base import EndReason, SamplingParams, TokenLogprobs
from ponder.engine.cursor import SegmentCursor, Step
from ponder.engine.upstream import vllm
from ponder.engine.upstream.client import Upstream
from ponder.errors import PonderError


class Run:
    def __init__(self, upstream: Upstream, model: str, prompt: list[int], sampling: SamplingParams,
                 cursor: SegmentCursor, end_tokens: tuple[int, ...], eos: int, n_ctx: int,
                 headers: dict[str, str]):
        self.upstream, self.model, self.sampling, self.cursor = upstream, model, sampling, cursor
        self.end_tokens, self.eos, self.n_ctx, self.headers = end_tokens, eos, n_ctx, headers
        self.tokens = [*prompt, *cursor.start]
        self.prompt_tokens = len(prompt)
        self.cancelled = threading.Event()
        self._requests = 0
        self._prefilled = False

    def run(self) -> None:
        """The whole sequence; every way out tells the cursor how it ended."""
        try:
            self.cursor.on_end(*self._segments())
        except PonderError as error:
            self.cursor.on_end(EndReason.ERROR, error)
        except Exception as error:  # a bug must not leave the caller waiting
            self.cursor.on_end(EndReason.ERROR, f"upstream run failed: {type(error).__name__}: {error}")

    def _segments(self) -> tuple[EndReason, str | None]:
        forbid_end = self.cursor.forbid_end
        while True:
            if self.cancelled.is_set():
                return EndReason.CANCELLED, None
            room = self.n_ctx - len(self.tokens)
            if room <= 0:
                return EndReason.CONTEXT_FULL, None
            ask = self._ask(room, forbid_end)
            step = self._stream(ask)
            if step is None:
                return EndReason.CANCELLED, None
            if step.done:
                return EndReason.DONE, None
            if step.rewind:
                del self.tokens[-step.rewind:]
            self.tokens.extend(step.append)
            forbid_end = step.forbid_end
            if len(self.tokens) >= self.n_ctx:
                return EndReason.CONTEXT_FULL, None

    def _ask(self, room: int, forbid_end: bool) -> vllm.Ask:
        segment, sampled = self.cursor.segment, len(self.cursor.tokens)
        left = max(1, segment.max_tokens - sampled)  # a forced-only segment still needs one sample
        if self.sampling.probe:
            left = 1  # probed log-probabilities come one sample at a time
        floor = max(segment.min_tokens - sampled, 1 if forbid_end else 0)
        seed = None if self.sampling.seed is None else (self.sampling.seed + self._requests) % 2**31
        self._requests += 1
        return vllm.Ask(list(self.tokens), min(left, room), floor, segment.stop, seed, segment.grammar)

    def _stream(self, ask: vllm.Ask) -> Step | None:
        """Feed the cursor one request's tokens until its segment ends: the Step that ends it,
        not yet applied (None: cancelled). A segment that outlives the request (its share was
        cut by the window, or a probe asks one token at a time) gets an empty Step."""
        segment = self.cursor.segment
        body = vllm.completion_body(self.model, ask, self.sampling, self.end_tokens)
        finish = None
        events = self.upstream.stream("/v1/completions", body, self.headers)
        try:
            for chunk in vllm.chunks(events):
                self._prefill(chunk)
                for index, token in enumerate(chunk.tokens):
                    logprob = chunk.logprobs[index] if index < len(chunk.logprobs) else None
                    step = self._sample(token, logprob)
                    plain = (step.append == (token,) and not (step.done or step.rewind or step.resample)
                             and self.cursor.segment is segment)
                    if not plain:
                        if not self._prefilled:  # the first request's cached count comes last
                            self._drain(events)
                        return step  # closing the stream aborts the request upstream
                    self.tokens.append(token)
                finish = chunk.finish_reason or finish
                if self.cancelled.is_set():
                    return None
        finally:
            events.close()
        if finish == "stop":  # an end token the server did not send back: the cursor hears it
            return self._sample(self.eos, None)
        return Step(forbid_end=self.cursor.forbid_end)

    def _sample(self, token: int, logprob: float | None) -> Step:
        logprobs = None
        if self.sampling.logprobs or self.sampling.probe:
            probed = tuple(self._probe(self.tokens, p) for p in self.sampling.probe)
            logprobs = TokenLogprobs(logprob if logprob is not None else 0.0, probed)
        return self.cursor.on_sampled(token, logprobs)

    def _probe(self, before: list[int], token: int) -> float:
        response = self.upstream.post("/v1/completions", vllm.probe_body(self.model, before, token), self.headers)
        return vllm.probe_logprob(response, token)

    def _prefill(self, chunk: vllm.Chunk) -> None:
        """vLLM reports the cached prompt tokens only in a request's final usage; until then the
        prompt counts as evaluated in full."""
        if self._prefilled or chunk.prompt_tokens is None:
            return
        if chunk.cached_tokens is not None:
            self._prefilled = True
        self.cursor.on_prefilled(self.prompt_tokens, min(chunk.cached_tokens or 0, self.prompt_tokens))

    def _drain(self, events, most: int = 4) -> None:
        """Read the few events after the segment's end (where vLLM stopped too) for the usage."""
        for event in itertools.islice(events, most):
            self._prefill(vllm.read_chunk(event))
