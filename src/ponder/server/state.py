"""What every route shares: the runtime, the store, the sealer, settings, and admission.

Admission bounds the requests admitted at once (running or waiting for the engine); past
the bound a request is refused with 429 at once rather than queued without limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ponder.config import ServerConfig
from ponder.runtime import Runtime
from ponder.errors import InvalidOption
from ponder.server.errors import ApiError, from_ponder, not_found
from ponder.server.metrics import Metrics
from ponder.server.sealing import Sealer
from ponder.server.background import Jobs
from ponder.store.sqlite import Store
from ponder.strategies import Strategy, parse_strategy, split_model


T = TypeVar("T")


def new_id(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(16)}"


@dataclass
class ServerState:
    runtime: Runtime
    store: Store
    sealer: Sealer
    config: ServerConfig
    active: int = field(default=0)
    metrics: Metrics = field(init=False)
    jobs: Jobs = field(init=False)

    def __post_init__(self) -> None:
        self.metrics = Metrics(self.live)
        self.jobs = Jobs()
        # nothing runs before the server starts: what the last one left queued or running is lost
        self.store.fail_unfinished({"code": "server_restarted",
                                    "message": "the server stopped while this response was running; create it again"})

    def live(self) -> dict:
        """What /health and /metrics report now: admitted requests and the engine's counters."""
        return {"active_requests": self.active, "kv_cells": self.runtime.engine.info.kv_cells,
                **self.runtime.engine.stats()}

    def check_model(self, model: str) -> None:
        self.strategy_for(model, None)

    def strategy_for(self, model: str, field: object) -> Strategy | None:
        """The request's strategy, from its `strategy` field or its model-name suffix."""
        try:
            name, from_suffix = split_model(model, self.runtime.model_id)
            if name != self.runtime.model_id:
                raise not_found("model", model, param="model")
            if field is not None and from_suffix is not None:
                raise InvalidOption("strategy", "given twice, in the model name and in the strategy field; give one")
            return parse_strategy(field) if field is not None else from_suffix
        except InvalidOption as error:
            raise from_ponder(error) from None

    def admit(self) -> Ticket:
        if self.active >= self.config.max_queue:
            raise ApiError(429, f"the server is busy: {self.active} requests are queued (limit "
                           f"{self.config.max_queue}); retry shortly", kind="rate_limit_error", code="queue_full")
        self.active += 1
        return Ticket(self)


    async def admitted(self, start: Callable[[], T]) -> tuple[Ticket, T]:
        """Admit a request and start its work off the event loop (rendering, tokenizing and
        reading the store take milliseconds to seconds, and other streams must not wait on
        them); a start that fails gives its place back."""
        ticket = self.admit()
        try:
            return ticket, await asyncio.to_thread(start)
        except BaseException:
            ticket.release()
            raise


class Ticket(contextlib.AbstractContextManager):
    """One admitted request; release() exactly once, when its last byte is sent."""

    def __init__(self, state: ServerState):
        self._state, self._held = state, True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._state.active -= 1

    def __exit__(self, *exc) -> None:
        self.release()
