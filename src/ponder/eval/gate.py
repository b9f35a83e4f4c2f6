"""TurnGate: how many turns may run at once, by their sequences and the KV cells they could fill.

The engine batches every live sequence, but its KV cache is one pool of cells shared by all
of them (kv_unified; EngineConfig.kv_cells). Were more turns admitted than the pool can hold at their
budgets, a long turn would meet a full cache and end early (finish "length"): accuracy at
high effort would then depend on --parallel. So a turn enters only while the worst-case
cells of the running turns plus its own fit the pool; one turn alone is always admitted
(the runtime has already checked that it fits). A strategy turn runs several sequences at
once (vote@8: 8), and each takes one of the engine's sequence slots, so a turn counts as
its width: more would only wait in the engine's queue, and their latency would say so.
Waiters are served first come, first served, so problems finish roughly in order.
"""

from __future__ import annotations

import asyncio
from collections import deque


class TurnGate:
    def __init__(self, max_sequences: int, max_cells: int):
        assert max_sequences >= 1 and max_cells >= 1
        self.max_sequences, self.max_cells = max_sequences, max_cells
        self.sequences = self.cells = 0
        self._waiting: deque[tuple[asyncio.Future, int, int]] = deque()

    async def enter(self, cells: int, sequences: int = 1) -> None:
        """Wait until a turn of `sequences` sequences that may fill `cells` cells fits; then count it."""
        if not self._waiting and self._fits(cells, sequences):
            self._take(cells, sequences)
            return
        ticket = asyncio.get_running_loop().create_future()
        entry = (ticket, cells, sequences)
        self._waiting.append(entry)
        try:
            await ticket
        except asyncio.CancelledError:
            if ticket.done() and not ticket.cancelled():
                self.leave(cells, sequences)  # admitted just as it was cancelled: give the room back
            elif entry in self._waiting:
                self._waiting.remove(entry)
                self._wake()  # the head may have been the one blocking the rest
            raise

    def leave(self, cells: int, sequences: int = 1) -> None:
        self.sequences -= sequences
        self.cells -= cells
        assert self.sequences >= 0 and self.cells >= 0
        self._wake()

    def _fits(self, cells: int, sequences: int) -> bool:
        alone = self.sequences == 0
        return alone or (self.sequences + sequences <= self.max_sequences and self.cells + cells <= self.max_cells)

    def _take(self, cells: int, sequences: int) -> None:
        self.sequences += sequences
        self.cells += cells

    def _wake(self) -> None:
        while self._waiting and self._fits(*self._waiting[0][1:]):
            ticket, cells, sequences = self._waiting.popleft()
            if ticket.done():
                continue  # cancelled while queued: its task is on its way out
            self._take(cells, sequences)
            ticket.set_result(None)
