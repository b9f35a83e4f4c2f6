"""Which tokens each KV sequence slot holds, and which slot a new prompt should take.

Each of the n_seq_max slots remembers the tokens whose KV it holds (positions 0..n-1). A new
prompt takes the idle slot sharing its longest token prefix (the least recently used one on a
tie), keeps that prefix and evaluates only the rest: the reuse reported as cached_tokens.
Tokens are compared one by one, so a reused prefix is always exactly the prompt's.
This module does the bookkeeping; the caller removes the cells (llama_memory_seq_rm).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

_clock = itertools.count()


@dataclass
class Slot:
    seq_id: int
    tokens: list[int] = field(default_factory=list)  # tokens whose KV this slot holds
    busy: bool = False
    last_used: int = 0

    def touch(self) -> None:
        self.last_used = next(_clock)


def common_prefix(a: list[int], b: list[int]) -> int:
    size = 0
    for x, y in zip(a, b):
        if x != y:
            break
        size += 1
    return size


class SlotTable:
    def __init__(self, n_slots: int):
        self.slots = [Slot(seq_id) for seq_id in range(n_slots)]

    def claim(self, prompt: list[int]) -> tuple[Slot, int] | None:
        """An idle slot for prompt and how many leading prompt tokens it already holds."""
        idle = [slot for slot in self.slots if not slot.busy]
        if not idle:
            return None
        best = max(idle, key=lambda s: (common_prefix(prompt, s.tokens), -s.last_used))
        # At least one prompt token is evaluated again: its logits give the first sample.
        keep = min(common_prefix(prompt, best.tokens), len(prompt) - 1)
        best.busy = True
        best.touch()
        return best, keep

    def evictable(self) -> Slot | None:
        """The least recently used idle slot that still holds cells."""
        idle = [slot for slot in self.slots if not slot.busy and slot.tokens]
        return min(idle, key=lambda s: s.last_used) if idle else None

    def cached_cells(self) -> int:
        return sum(len(slot.tokens) for slot in self.slots)
