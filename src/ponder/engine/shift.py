"""Approximate reuse (kv_reuse="shift"): cut a finished turn's reasoning out of its cells.

The slot holds [history, <think> reasoning </think>, answer]. The reasoning cells (and the
whitespace that opened the answer) are deleted and the answer's cells moved back by seq_add,
so the slot holds [history, answer] without evaluating anything. It is not exact: the
answer's KV still carries what it attended to in the reasoning (bench/kv_shift.py measures
how far this drifts; docs/performance.md has the numbers, which keep it off by default).
Optionally the first K answer tokens are evaluated again, in a scratch sequence that shares
the history (one beyond the slots, so it never wipes a cached conversation), and copied in.
This module moves cells; the scheduler decides when.
"""

from __future__ import annotations

from collections.abc import Callable

import llama_cpp as ll

from ponder.engine.base import ShiftPlan
from ponder.engine.kvcache import Slot, SlotTable, common_suffix


def find_slot(slots: list[Slot], plan: ShiftPlan, said: list[int]) -> Slot | None:
    """The idle slot that still holds the finished turn: its prompt, then its reasoning.

    Among several that do (n samples, or two users who opened alike) the turn's is the one
    whose cells end as the next turn's history does, up to its end-of-turn marker (said:
    kvcache.spoken): with its answer.
    """
    size = len(plan.prompt) + plan.reasoning
    candidates = [slot for slot in slots if not slot.busy and len(slot.tokens) > size and slot.starts_with(plan.prompt)]
    return max(candidates, key=lambda s: common_suffix(said, s.tokens), default=None)


def shift_out(memory, slots: SlotTable, slot: Slot, scratch: int | None, plan: ShiftPlan, k: int,
              is_blank: Callable[[int], bool], decode: Callable[[int, list[int], int], None]) -> None:
    start = len(plan.prompt) + plan.reasoning
    while start < len(slot.tokens) and is_blank(slot.tokens[start]):
        start += 1  # the newlines after </think> are not part of the answer the next turn sends
    base, gone = plan.history, start - plan.history
    answer = slot.tokens[start:]
    k = min(k, len(answer)) if scratch is not None else 0
    ll.llama_memory_seq_rm(memory, slot.seq_id, base, start + k)
    ll.llama_memory_seq_add(memory, slot.seq_id, start + k, -1, -gone)
    if k:  # after the cut, which freed the cells the scratch needs
        ll.llama_memory_seq_rm(memory, scratch, -1, -1)
        ll.llama_memory_seq_cp(memory, slot.seq_id, scratch, 0, base)
        try:
            decode(scratch, answer[:k], base)
        except RuntimeError:  # no room after all: keep the history, the warm-up re-prefills the rest
            ll.llama_memory_seq_rm(memory, scratch, -1, -1)
            ll.llama_memory_seq_rm(memory, slot.seq_id, base, -1)
            slots.truncate(slot, base)
            return
        ll.llama_memory_seq_cp(memory, scratch, slot.seq_id, base, base + k)
        ll.llama_memory_seq_rm(memory, scratch, -1, -1)
    slots.cut(slot, base, start, k)
