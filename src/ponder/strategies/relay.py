"""How several sequences running at once become one readable reasoning stream.

Interleaving their tokens would be unreadable, so the relay puts one sequence on air at a
time, in order: its text streams live under its label, the others' text waits in buffers,
and when the one on air ends, the next one's buffer is flushed and it goes on air. The reader
sees every candidate whole, one after another, while all of them are computed in parallel.
LIVE sequences bypass the relay: their reasoning and answer are the turn's own.
"""

from __future__ import annotations

from ponder.strategies.base import Ask, Shown
from ponder.types import ContentDelta, Event, ReasoningDelta


class Relay:
    def __init__(self, asks: list[Ask], first_round: bool) -> None:
        self.asks = asks
        self.relayed = [i for i, ask in enumerate(asks) if ask.shown is Shown.AS_REASONING]
        self.buffers: dict[int, list[str]] = {i: [] for i in self.relayed}
        self.answering: set[int] = set()  # sequences whose answer has begun
        self.ended: set[int] = set()
        self.on_air = 0  # position in self.relayed
        self.fresh = first_round  # nothing has been said yet in this turn
        self.headed: set[int] = set()

    def say(self, index: int, event: ReasoningDelta | ContentDelta) -> list[Event]:
        if self.asks[index].shown is Shown.LIVE:
            return [event]
        if index not in self.buffers:
            return []  # hidden (a probe) has nothing to say
        text = event.text
        if isinstance(event, ContentDelta) and index not in self.answering:
            self.answering.add(index)
            text = "\n→ " + text
        self.buffers[index].append(text)
        return self._flush() if self._current() == index else []

    def end(self, index: int) -> list[Event]:
        self.ended.add(index)
        out = []
        while self._current() is not None and self._current() in self.ended:
            out += self._flush()
            self.on_air += 1
        return out + (self._flush() if self._current() is not None else [])

    def _current(self) -> int | None:
        return self.relayed[self.on_air] if self.on_air < len(self.relayed) else None

    def _flush(self) -> list[Event]:
        index = self._current()
        text = "".join(self.buffers[index])
        self.buffers[index].clear()
        if index not in self.headed:
            self.headed.add(index)
            text = ("" if self.fresh else "\n\n") + f"[{self.asks[index].label}]\n" + text
            self.fresh = False
        return [ReasoningDelta(text)] if text else []
