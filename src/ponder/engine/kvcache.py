"""Which tokens each KV sequence slot holds, and where a new prompt's prefix comes from.

Each of the n_seq_max slots remembers the tokens whose KV it holds (positions 0..n-1). A new
prompt reuses the longest token prefix held by any slot, from any conversation: if an idle
slot holds it and the prompt shares all of that slot's conversation (the prompt is its next
turn, or asks its last one again), the prompt takes that slot; otherwise (the slot is busy,
or it is another conversation behind a common system prompt) the prompt takes an empty or
else the least recently used idle slot and the prefix is copied into it (seq_cp shares the
cells of a unified cache, it does not duplicate them). Only the rest of the prompt is evaluated, and
that reuse is what `cached_tokens` reports. Tokens are compared one by one, so a reused
prefix is always exactly the prompt's. This module plans and keeps the books (which cells
each slot holds, a shared prefix counted once); the scheduler moves the cells.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

_clock = itertools.count()

# A prompt waits for a running sequence that is still evaluating a prefix they share, when
# the part still to come is at least this long: n samples of one prompt evaluate it once.
MIN_SHARED_WAIT = 16


@dataclass(eq=False)
class Slot:
    seq_id: int
    tokens: list[int] = field(default_factory=list)  # tokens whose KV this slot holds
    cells: list[int] = field(default_factory=list)  # an id per token's cell; a copy shares its source's
    # How many of them are the conversation so far; the rest (the generation prompt, reasoning,
    # answer) was made for one turn, and a later prompt that shares the conversation supersedes it.
    history: int = 0
    # The prompt length of the finished turn the slot holds (its prompt, then what it generated),
    # which a warm-up may refresh into the next turn's history; 0: none.
    turn: int = 0
    busy: bool = False
    last_used: int = 0

    def starts_with(self, tokens) -> bool:
        return len(self.tokens) >= len(tokens) and tuple(self.tokens[: len(tokens)]) == tuple(tokens)

    def touch(self) -> None:
        self.last_used = next(_clock)


@dataclass(frozen=True)
class Claim:
    slot: Slot
    keep: int  # leading tokens of the slot's own cells that stay
    source: Slot | None = None  # another slot whose prefix is copied in
    copy: int = 0  # tokens copied from source (the slot's own cells are dropped first)

    @property
    def cached(self) -> int:
        return self.copy if self.source is not None else self.keep


def common_prefix(a: list[int], b: list[int]) -> int:
    size = 0
    for x, y in zip(a, b):
        if x != y:
            break
        size += 1
    return size


class SlotTable:
    def __init__(self, n_slots: int, reuse: bool = True):
        self.slots = [Slot(seq_id) for seq_id in range(n_slots)]
        self.reuse = reuse  # False: every prompt is evaluated from scratch (benchmarks)
        self._refs: Counter[int] = Counter()  # cell id -> slots holding it
        self._ids = itertools.count()

    # ---- the books: every change to a slot's cells goes through these ----

    def extend(self, slot: Slot, tokens: list[int]) -> None:
        """tokens were evaluated into slot, in new cells."""
        slot.tokens += tokens
        slot.cells += self._new(len(tokens))

    def truncate(self, slot: Slot, size: int) -> None:
        """slot keeps its first size cells."""
        self._drop(slot.cells[size:])
        del slot.tokens[size:], slot.cells[size:]

    def copy(self, source: Slot, target: Slot, size: int) -> None:
        """target's cells are replaced by source's first size (seq_cp: shared, not duplicated)."""
        self.truncate(target, 0)
        target.tokens, target.cells = source.tokens[:size], source.cells[:size]
        self._refs.update(target.cells)

    def cut(self, slot: Slot, start: int, end: int, fresh: int) -> None:
        """Cells start..end-1 leave slot and those after move back (kv_reuse="shift"); the first
        fresh of the moved ones were evaluated again, into new cells."""
        self._drop(slot.cells[start : end + fresh])
        slot.tokens = slot.tokens[:start] + slot.tokens[end:]
        slot.cells = slot.cells[:start] + self._new(fresh) + slot.cells[end + fresh :]

    def _new(self, count: int) -> list[int]:
        ids = list(itertools.islice(self._ids, count))
        self._refs.update(ids)
        return ids

    def _drop(self, cells: list[int]) -> None:
        for cell in cells:
            self._refs[cell] -= 1
            if not self._refs[cell]:
                del self._refs[cell]

    def claim(self, prompt: list[int]) -> Claim | None:
        """Plan where prompt goes; None while every slot is busy."""
        idle = [slot for slot in self.slots if not slot.busy]
        if not idle:
            return None
        # The last prompt token is always evaluated again: its logits give the first sample.
        limit = len(prompt) - 1
        shared = {slot.seq_id: common_prefix(prompt, slot.tokens) if self.reuse else 0 for slot in self.slots}
        reused = {seq_id: min(size, limit) for seq_id, size in shared.items()}
        best = max(self.slots, key=lambda s: (reused[s.seq_id], not s.busy))
        if best.busy or not takes_over(shared[best.seq_id], best):
            # The best slot keeps what the prompt does not share (another conversation behind a
            # common system prompt, maybe): the prompt copies the prefix into an empty slot, or
            # once none is left, evicts the least recently used one (maybe best itself).
            target = min(idle, key=lambda s: (bool(s.tokens), s.last_used))
        else:
            target = best
        target.busy = True
        target.touch()
        if best is not target and reused[best.seq_id] > reused[target.seq_id]:
            return Claim(target, 0, best, reused[best.seq_id])
        return Claim(target, reused[target.seq_id])

    def refresh(self, history: list[int], own: Slot | None = None, spoken: list[int] | None = None) -> Claim | None:
        """Where a warm-up re-prefills a finished turn's history (the next turn's prompt start):
        the idle slot that still holds that turn (see finished_turn); None when there is nothing
        to do (a slot holds that history already, or the turn's cells were evicted or taken over
        by its next turn).

        own: the slot the warm-up already worked on (kv_reuse="shift" cut its reasoning out).
        A warm-up never displaces another conversation, and leaves the slot's age alone: it runs
        in idle time, often after newer turns of other conversations.
        """
        if not self.reuse or any(slot.starts_with(history) for slot in self.slots):
            return None
        slot = own or self.finished_turn(history, history if spoken is None else spoken)
        if slot is None:
            return None
        slot.busy = True
        return Claim(slot, common_prefix(history, slot.tokens))

    def finished_turn(self, history: list[int], spoken: list[int]) -> Slot | None:
        """The idle slot holding the finished turn that history continues: its conversation is
        history's start, and it holds its prompt and more (what it generated). Among several
        (n samples, or two users who opened alike) the turn's is the one whose cells end as
        history does, up to its end-of-turn marker (spoken: the marker a slot never evaluates)."""
        candidates = [slot for slot in self.slots if not slot.busy and 0 < slot.turn < len(slot.tokens)
                      and common_prefix(history, slot.tokens) >= slot.history]
        return max(candidates, key=lambda s: common_suffix(spoken, s.tokens), default=None)

    def plan_evictions(self, needed: int, pool: int) -> list[Slot]:
        """Idle slots to empty, least recently used first, until needed more cells fit the pool
        (a cell another slot still shares frees nothing); as many as there are, if never."""
        refs, victims = Counter(self._refs), []
        for slot in sorted((s for s in self.slots if not s.busy and s.tokens), key=lambda s: s.last_used):
            if len(refs) + needed <= pool:
                break
            victims.append(slot)
            refs.subtract(slot.cells)
            refs = +refs  # drop the cells no slot holds any more
        return victims

    def cached_cells(self) -> int:
        """Cells in use: a prefix copied into other slots is one set of cells, counted once (long
        system prompts and n samples would otherwise look n times their size and evict early)."""
        return len(self._refs)


def takes_over(shared: int, slot: Slot) -> bool:
    """Whether a prompt may take a slot in place: it shares all of the slot's conversation.

    It then loses at most what was made for the slot's last turn, which it supersedes: the next
    turn's history leaves the reasoning out, a repeated question replaces the answer. Anything
    else (an unrelated chat that shares a system prompt, token for token, can share most of a
    short one) would throw away cells that may be wanted again, while copying a prefix into an
    empty slot costs nothing. In place is also what keeps a conversation's cells in position
    order, which bit-exact reuse needs (docs/performance.md).
    """
    return 0 < shared >= min(len(slot.tokens), slot.history)


def spoken(history: list[int], end_tokens: Collection[int]) -> list[int]:
    """history up to its last end-of-turn marker: for a finished turn's next history, what that
    turn's slot ends with (its answer; the marker was sampled to end the turn, never evaluated)."""
    for i in range(len(history) - 1, -1, -1):
        if history[i] in end_tokens:
            return history[:i]
    return history


def common_suffix(a: list[int], b: list[int]) -> int:
    size = 0
    for x, y in zip(reversed(a), reversed(b)):
        if x != y:
            break
        size += 1
    return size


def worth_waiting(prompt: list[int], running: Iterable[tuple[list[int], list[int]]]) -> bool:
    """True if a running sequence will soon hold a longer prefix of prompt than it does now.

    running: (the tokens a sequence will evaluate, the tokens it has evaluated so far).
    """
    limit = len(prompt) - 1
    for planned, evaluated in running:
        coming = min(common_prefix(prompt, planned), limit)
        if coming - common_prefix(prompt, evaluated) >= MIN_SHARED_WAIT:
            return True
    return False
