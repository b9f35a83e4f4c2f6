"""Approximate reuse (kv_reuse="shift"): cut a finished turn's reasoning out of its cells.

The slot holds [history, <think> reasoning </think>, answer]. The reasoning cells (and the
whitespace that opened the answer) are deleted and the answer's cells moved back by seq_add
(the answer is found as the slot's cells that end as the next turn's history does),
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

from ponder.engine.kvcache import Slot, SlotTable, common_prefix, common_suffix


def shift_out(memory, slots: SlotTable, slot: Slot, scratch: int | None, history: list[int], said: list[int],
              k: int, decode: Callable[[int, list[int], int], None]) -> bool:
    """Cut what lies between the conversation and the answer (the reasoning block and the
    whitespace after it) out of slot, moving the answer back; False if the slot's cells do not
    end with the answer as history spells it (nothing is cut: the warm-up re-prefills)."""
    # what the turn's prompt shares with the next history: the conversation and the assistant header
    base = common_prefix(history, slot.tokens[: slot.turn])
    answer = common_suffix(said, slot.tokens[slot.turn:])  # the answer's tokens, as the next turn sends them
    start = len(slot.tokens) - answer
    if not answer or start <= base:
        return False
    gone, answer_tokens = start - base, slot.tokens[start:]
    k = min(k, answer) if scratch is not None else 0
    ll.llama_memory_seq_rm(memory, slot.seq_id, base, start + k)
    ll.llama_memory_seq_add(memory, slot.seq_id, start + k, -1, -gone)
    if k:  # after the cut, which freed the cells the scratch needs
        ll.llama_memory_seq_rm(memory, scratch, -1, -1)
        ll.llama_memory_seq_cp(memory, slot.seq_id, scratch, 0, base)
        try:
            decode(scratch, answer_tokens[:k], base)
        except RuntimeError:  # no room after all: keep the history, the warm-up re-prefills the rest
            ll.llama_memory_seq_rm(memory, scratch, -1, -1)
            ll.llama_memory_seq_rm(memory, slot.seq_id, base, -1)
            slots.truncate(slot, base)
            return True
        ll.llama_memory_seq_cp(memory, scratch, slot.seq_id, base, base + k)
        ll.llama_memory_seq_rm(memory, scratch, -1, -1)
    slots.cut(slot, base, start, k)
    return True
