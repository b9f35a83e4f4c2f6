"""TurnGate: how many turns may run at once, by count and by the KV cells they could fill.

The engine batches every live sequence, but its KV cache is one pool of n_ctx cells shared
by all of them (kv_unified). Were more turns admitted than the pool can hold at their
budgets, a long turn would meet a full cache and end early (finish "length"): accuracy at
high effort would then depend on --parallel. So a turn enters only while the worst-case
cells of the running turns (prompt + completion budget each) plus its own fit the window;
one turn alone is always admitted (the runtime has already checked that it fits).
Waiters are served first come, first served, so problems finish roughly in order.
"""

from __future__ import annotations

import asyncio
from collections import deque


class TurnGate:
    def __init__(self, max_turns: int, max_cells: int):
        assert max_turns >= 1 and max_cells >= 1
        self.max_turns, self.max_cells = max_turns, max_cells
        self.turns = self.cells = 0
        self._waiting: deque[tuple[asyncio.Future, int]] = deque()

    async def enter(self, cells: int) -> None:
        """Wait until a turn that may fill `cells` cells fits; then count it as running."""
        if not self._waiting and self._fits(cells):
            self._take(cells)
            return
        ticket = asyncio.get_running_loop().create_future()
        self._waiting.append((ticket, cells))
        try:
            await ticket
        except asyncio.CancelledError:
            if ticket.done() and not ticket.cancelled():
                self.leave(cells)  # admitted just as it was cancelled: give the room back
            elif (ticket, cells) in self._waiting:
                self._waiting.remove((ticket, cells))
                self._wake()  # the head may have been the one blocking the rest
            raise

    def leave(self, cells: int) -> None:
        self.turns -= 1
        self.cells -= cells
        assert self.turns >= 0 and self.cells >= 0
        self._wake()

    def _fits(self, cells: int) -> bool:
        return self.turns == 0 or (self.turns < self.max_turns and self.cells + cells <= self.max_cells)

    def _take(self, cells: int) -> None:
        self.turns += 1
        self.cells += cells

    def _wake(self) -> None:
        while self._waiting and self._fits(self._waiting[0][1]):
            ticket, cells = self._waiting.popleft()
            if ticket.done():
                continue  # cancelled while queued: its task is on its way out
            self._take(cells)
            ticket.set_result(None)
