"""Conversation: the messages of one chat, growing turn by turn, saved as JSON.

It stores every message whole, reasoning included: what the model sees of it is decided
when a prompt is built (context/history), never by forgetting data here.
"""

from __future__ import annotations

import json
from pathlib import Path

from ponder.config import TurnOptions
from ponder.errors import PonderError
from ponder.runtime import Runtime
from ponder.turn import Turn
from ponder.types import Message, Role, TurnResult


class Conversation:
    def __init__(self, messages: list[Message] | None = None):
        self.messages: list[Message] = list(messages or [])

    def ask(self, runtime: Runtime, text: str, options: TurnOptions | None = None, strategy=None) -> Turn:
        """Add a user message and start the assistant's turn; record() its result after."""
        self.messages.append(Message(Role.USER, text))
        try:
            return runtime.respond(self.messages, options, strategy=strategy)
        except PonderError:
            self.messages.pop()  # a refused turn leaves the conversation as it was
            raise

    def record(self, result: TurnResult) -> None:
        self.messages.append(result.message)

    def abandon(self) -> None:
        """Forget the user message of a turn that produced no answer (cancelled, failed)."""
        if self.messages and self.messages[-1].role is Role.USER:
            self.messages.pop()

    def reset(self) -> None:
        self.messages = [m for m in self.messages if m.role in (Role.SYSTEM, Role.DEVELOPER)]

    def to_json(self) -> str:
        return json.dumps({"messages": [m.to_dict() for m in self.messages]}, indent=2, ensure_ascii=False)

    def save(self, path: Path) -> None:
        path.write_text(self.to_json() + "\n", encoding="utf-8")
