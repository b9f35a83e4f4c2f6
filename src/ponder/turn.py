"""Turn: the stream of one assistant turn, as the caller's thread sees it.

The engine thread pushes events into a channel; iterating a Turn (with for, or async for when
it was started with an event loop) yields ReasoningDelta and ContentDelta events as tokens are
sampled, then one TurnResult. Leaving the iteration early cancels the generation, so an
abandoned turn never keeps the engine busy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

from ponder.channel import AsyncChannel, ThreadChannel
from ponder.engine.base import EndReason, Handle
from ponder.errors import EngineFailure
from ponder.reasoning.loop import Ended, TurnLoop
from ponder.types import Event, Message, Role, TurnResult, Usage


class Turn:
    def __init__(
        self,
        events: ThreadChannel | AsyncChannel,
        loop: TurnLoop,
        handle: Handle,
        dropped_turns: int,
        n_ctx: int,
        on_result: Callable[[TurnResult], None] | None = None,
    ):
        self._events, self._loop, self._handle, self._on_result = events, loop, handle, on_result
        self.dropped_turns, self.n_ctx = dropped_turns, n_ctx
        self.result: TurnResult | None = None

    def __iter__(self) -> Iterator[Event]:
        try:
            while self.result is None:
                yield self._take(self._events.get())
        finally:
            if self.result is None:
                self._handle.cancel()

    async def __aiter__(self) -> AsyncIterator[Event]:
        try:
            while self.result is None:
                yield self._take(await self._events.aget())
        finally:
            if self.result is None:
                self._handle.cancel()

    def _take(self, event) -> Event:
        """An event as the consumer sees it: the loop's last word becomes the TurnResult."""
        if isinstance(event, Ended):
            self.result = self._finish(event)
            return self.result
        return event

    async def acollect(self) -> TurnResult:
        async for _ in self:
            pass
        assert self.result is not None
        return self.result

    @property
    def thinks(self) -> bool:
        """Whether this turn has a reasoning phase (effort none has none)."""
        return self._loop.budget.thinks

    def collect(self) -> TurnResult:
        """Run the turn to its end and return its result (for non-streaming callers)."""
        for _ in self:
            pass
        assert self.result is not None
        return self.result

    def cancel(self) -> None:
        self._handle.cancel()

    def _finish(self, ended: Ended) -> TurnResult:
        result = result_of(self._loop, ended, self.dropped_turns, self.n_ctx)
        if self._on_result is not None:
            self._on_result(result)
        return result


def result_of(loop: TurnLoop, ended: Ended, dropped_turns: int, n_ctx: int) -> TurnResult:
    """What a finished sequence's loop amounts to; a failed or cancelled one raises."""
    if ended.reason is EndReason.ERROR:
        if isinstance(ended.error, EngineFailure):  # typed by the engine (an upstream's status)
            raise ended.error
        raise EngineFailure(f"generation failed: {ended.error}")
    if ended.reason is EndReason.CANCELLED:
        raise EngineFailure(f"generation was cancelled: {ended.error or 'by request'}")
    reasoning = loop.reasoning if loop.budget.thinks else None
    return TurnResult(
        message=Message(Role.ASSISTANT, loop.content, reasoning, tuple(loop.calls)),
        finish_reason=loop.finish_reason,
        usage=Usage(loop.prompt_tokens, loop.cached_tokens, loop.reasoning_tokens, loop.answer_tokens),
        dropped_turns=dropped_turns,
        budget_forced=loop.budget_forced,
        reasoning_budget=loop.budget.reasoning,
        context_window=n_ctx,
        ttft_s=((loop.first_token_at or loop.ended_at or loop.started_at) - loop.started_at),
        elapsed_s=((loop.ended_at or loop.started_at) - loop.started_at),
        mean_logprob=loop.mean_logprob,
        continuations=loop.continuations,
    )
