"""single: one sequence, today's behaviour and the default; it needs no driver."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ponder.config import TurnOptions
from ponder.strategies.base import Ask, Outcome, Run, Shown, Strategy
from ponder.types import Message

if TYPE_CHECKING:
    from ponder.context.prompt import Prompt
    from ponder.runtime import Runtime
    from ponder.turn import Turn


class Single(Strategy):
    name = "single"

    def run(self, messages: tuple[Message, ...], options: TurnOptions) -> Run:
        (done,) = yield [Ask(messages, options, "answer", Shown.LIVE)]
        return Outcome(done, {"name": self.name})

    def respond(self, runtime: Runtime, prompt: Prompt, options: TurnOptions,
                loop: asyncio.AbstractEventLoop | None) -> Turn:
        return runtime.respond(prompt, options, loop)  # the plain turn: nothing to combine
