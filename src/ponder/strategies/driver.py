"""StrategyTurn: a strategy's rounds of sequences, presented as one streaming Turn.

It starts each round's sequences at once (the engine batches them; equal prompts share KV
cells), relays their text as reasoning, collects each one's result as it ends, and feeds the
round's results back to the strategy, until the strategy returns its Outcome. Then the chosen
answer is the turn's content, usage is summed over every sequence and probe, and the
conversation's next turn is warmed as after any turn. Iterating is the same as a Turn's:
for, or async for when started with an event loop; leaving early cancels every sequence.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

from ponder.channel import AsyncChannel, ThreadChannel
from ponder.config import TurnOptions
from ponder.context.prompt import Prompt
from ponder.engine.base import EndReason, Handle
from ponder.errors import EngineFailure, PonderError
from ponder.reasoning.loop import Ended
from ponder.runtime import Launched, Runtime
from ponder.strategies.base import Ask, Done, Outcome, Shown, Strategy, reasoning_tokens
from ponder.strategies.probe import Probe, start_probe
from ponder.strategies.relay import Relay
from ponder.turn import result_of
from ponder.types import ContentDelta, Event, FinishReason, Message, ReasoningDelta, Role, TurnResult, Usage


class StrategyTurn:
    def __init__(self, runtime: Runtime, strategy: Strategy, prompt: Prompt, options: TurnOptions,
                 loop: asyncio.AbstractEventLoop | None):
        self.runtime, self.strategy, self.options = runtime, strategy, options
        self.prompt, self.messages = prompt, prompt.messages
        self._prompts = Prompts(runtime, prompt, options)
        self._events = AsyncChannel(loop) if loop is not None else ThreadChannel()
        self.n_ctx, self.dropped_turns = runtime.n_ctx, prompt.dropped
        self.result: TurnResult | None = None
        self._started, self._first_at = time.perf_counter(), None
        self._run = strategy.run(self.messages, options)
        self._round = 0
        self._all: list[Done] = []
        self._said: list[str] = []  # every reasoning text streamed, for the result's message
        self._originals: list[Launched] = []  # sequences on the conversation itself, not a derived prompt
        first = next(self._run)
        self._relays = any(ask.shown is not Shown.LIVE for ask in first)
        self._start(first)

    # ---- the same surface as Turn ----

    @property
    def thinks(self) -> bool:
        """Whether the turn has reasoning: its own, or candidates shown as reasoning."""
        return reasoning_tokens(self.options) > 0 or self._relays

    def __iter__(self) -> Iterator[Event]:
        try:
            while self.result is None:
                yield from self._take(self._events.get())
        finally:
            if self.result is None:
                self.cancel()

    async def __aiter__(self) -> AsyncIterator[Event]:
        try:
            while self.result is None:
                for event in self._take(await self._events.aget()):
                    yield event
        finally:
            if self.result is None:
                self.cancel()

    def collect(self) -> TurnResult:
        for _ in self:
            pass
        assert self.result is not None
        return self.result

    async def acollect(self) -> TurnResult:
        async for _ in self:
            pass
        assert self.result is not None
        return self.result

    def cancel(self) -> None:
        for handle in self._handles:
            handle.cancel()

    # ---- rounds ----

    def _start(self, asks: list[Ask]) -> None:
        assert asks, f"strategy {self.strategy.name} asked for an empty round"
        self._round += 1
        self._asks, self._relay = asks, Relay(asks, first_round=not self._said)
        self._parts: list[Launched | Probe | None] = [None] * len(asks)
        self._dones: list[Done | None] = [None] * len(asks)
        self._handles: list[Handle] = []
        try:
            for index, ask in enumerate(asks):
                self._launch(index, ask)
        except BaseException:
            self.cancel()  # a later ask refused (its prompt overflows): stop the ones already running
            raise

    def _launch(self, index: int, ask: Ask) -> None:
        emit = (lambda event, tag=(self._round, index): self._events.put((*tag, event)))
        if ask.probe:
            part, handle = start_probe(self.runtime, ask, emit)
        else:
            part = self.runtime.launch(self._prompts.get(ask.messages, ask.options), ask.options, emit)
            handle = part.handle
            if part.prompt is self.prompt:
                self._originals.append(part)
        self._parts[index] = part
        self._handles.append(handle)

    def _take(self, item: tuple) -> list[Event]:
        round_, index, event = item
        if round_ != self._round:
            return []  # a straggler of a round already settled (cancelled)
        if not isinstance(event, Ended):
            return self._note(self._relay.say(index, event))
        self._dones[index] = self._done(index, event)
        out = self._note(self._relay.end(index))
        if all(done is not None for done in self._dones):
            out += self._next_round()
        return out

    def _note(self, events: list[Event]) -> list[Event]:
        if events and self._first_at is None:
            self._first_at = time.perf_counter()
        self._said += [event.text for event in events if isinstance(event, ReasoningDelta)]
        return events

    def _done(self, index: int, ended: Ended) -> Done:
        if ended.reason in (EndReason.ERROR, EndReason.CANCELLED):
            if isinstance(ended.error, EngineFailure):
                raise ended.error
            self.cancel()
            raise EngineFailure(f"{self.strategy.name}: a sequence {ended.reason.value}: {ended.error or 'no detail'}")
        ask, part = self._asks[index], self._parts[index]
        if isinstance(part, Probe):
            usage = Usage(part.prompt_tokens, part.cached_tokens)
            return Done(ask, TurnResult(Message(Role.ASSISTANT, ""), finish_of(ended), usage), part.probabilities)
        return Done(ask, result_of(part.controller, ended, part.prompt.dropped, self.n_ctx))

    def _next_round(self) -> list[Event]:
        dones = [done for done in self._dones if done is not None]
        self._all += dones
        try:
            self._start(self._run.send(dones))
            return []
        except StopIteration as stop:
            return self._finish(stop.value)
        except PonderError:
            self.cancel()
            raise
        except Exception as error:  # a user's strategy or verifier failed: say which
            self.cancel()
            raise EngineFailure(f"strategy {self.strategy.name} failed: {type(error).__name__}: {error}") from error

    def _finish(self, outcome: Outcome) -> list[Event]:
        chosen = outcome.chosen.result
        out: list[Event] = []
        if outcome.summary:
            out += self._note([ReasoningDelta(("\n\n" if self._said else "") + outcome.summary)])
        if chosen.message.content and outcome.chosen.ask.shown is not Shown.LIVE:
            out.append(ContentDelta(chosen.message.content))
        self.result = self._result(outcome, "".join(self._said).strip() or None)
        self._warm(outcome)
        return [*out, self.result]

    def _result(self, outcome: Outcome, reasoning: str | None) -> TurnResult:
        chosen, now = outcome.chosen.result, time.perf_counter()
        usage = Usage(*(sum(getattr(d.result.usage, f) for d in self._all)
                        for f in ("prompt_tokens", "cached_tokens", "reasoning_tokens", "answer_tokens")))
        return TurnResult(
            message=Message(Role.ASSISTANT, chosen.message.content, reasoning),
            finish_reason=chosen.finish_reason, usage=usage, dropped_turns=self.dropped_turns,
            budget_forced=chosen.budget_forced, reasoning_budget=chosen.reasoning_budget,
            context_window=self.n_ctx, ttft_s=(self._first_at or now) - self._started,
            elapsed_s=now - self._started, mean_logprob=chosen.mean_logprob, continuations=chosen.continuations,
            strategy={**outcome.report, "sequences": self._sequences(),
                      "probes": len(self._all) - self._sequences()},
            kept_usage=chosen.usage, candidates=tuple(done.result for done in outcome.candidates),
        )

    def _sequences(self) -> int:
        return sum(1 for done in self._all if not done.ask.probe)

    def _warm(self, outcome: Outcome) -> None:
        """Warm the conversation's next turn: the original prompt with the chosen answer."""
        if not self._originals:
            return
        self._originals[0].warm_next(Message(Role.ASSISTANT, outcome.chosen.content))  # the engine finds the chosen one's cells


class Prompts:
    """The prompts of a strategy's sequences, each built once: asks that differ only in how
    they sample (vote's seeds, think_longer's minimum) share the turn's own."""

    def __init__(self, runtime: Runtime, prompt: Prompt, options: TurnOptions):
        self.runtime = runtime
        self._built = {self._key(prompt.messages, options): prompt}

    def get(self, messages: tuple[Message, ...], options: TurnOptions) -> Prompt:
        key = self._key(messages, options)
        if key not in self._built:
            self._built[key] = self.runtime.prompt(messages, options)
        return self._built[key]

    @staticmethod
    def _key(messages: tuple[Message, ...], options: TurnOptions) -> tuple:
        return (tuple(messages), options.effort, options.reasoning_budget, options.max_completion_tokens,
                options.keep_reasoning, options.truncation)


def finish_of(ended: Ended) -> FinishReason:
    return FinishReason.LENGTH if ended.reason is EndReason.CONTEXT_FULL else FinishReason.STOP
