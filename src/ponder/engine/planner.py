"""What the scheduler does next, decided as plain code: admission, the batch, eviction,
preemption, and which warm-ups are still worth doing.

Admission: real requests go first, in arrival order, each into the slot the slot table plans
for it (a prompt whose shared prefix a running sequence is still evaluating waits for it),
and only while the cells it may need (its reserve: prompt and longest completion) fit the
pool beside what the running sequences hold and may still grow to; the rest wait, in order.
While any real request waits, running warm-ups give way and queued ones wait. The batch:
sequences with one pending token (decodes) before prompt chunks, within n_batch tokens;
warm-ups only when no real sequence has work; a sequence that would pass the window is
full. Eviction (kvcache.SlotTable.plan_evictions) frees idle prefixes, least recently used
first, until the batch fits the pool; when even that is not enough (reserves are estimates),
the youngest sequences are preempted: back to the queue, recomputed later, the others never
failed. Warm-ups: a newer one of a conversation supersedes the older, and at most one per
slot waits. Nothing here calls llama.cpp: the scheduler carries out the plan, and tests run
it on plain objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ponder.engine.kvcache import Claim, SlotTable, common_prefix, worth_waiting
from ponder.engine.sequence import Request, Sequence


@dataclass
class Admission:
    cancelled: list[Request] = field(default_factory=list)  # callers that left while their request waited
    warm_ups: list[Request] = field(default_factory=list)  # to refresh now (their cells are claimed then)
    started: list[tuple[Request, Claim]] = field(default_factory=list)  # real requests, with their slots


def plan_admission(waiting: list[Request], live: list[Sequence], slots: SlotTable,
                   start: Callable[[Request, Claim], None], pool: int | None = None) -> Admission:
    """Who starts now. Each claim is started (start) before the next is planned: a claim may
    copy from a slot that the one before it just refilled, so it must see that slot's cells.
    pool: the cells all sequences share; a request whose reserve does not fit yet waits."""
    plan = Admission()
    real_waiting = any(not r.warm and not r.cancelled.is_set() for r in waiting)
    real_live = any(not s.request.warm for s in live)
    running = [(s.request.prompt, s.slot.tokens) for s in live if s.pending]
    slots_left = True
    for request in list(waiting):  # start() may take a request out of waiting
        if request.cancelled.is_set():
            plan.cancelled.append(request)
        elif request.warm:
            if not (real_waiting or real_live):
                plan.warm_ups.append(request)  # idle time only
        elif slots_left and not worth_waiting(request.prompt, running):
            if pool is not None and not fits(request, live, slots, pool, plan.started):
                slots_left = False  # first come, first served: nobody overtakes it
                continue
            claim = slots.claim(request.prompt)
            if claim is None:
                slots_left = False  # every slot is busy: the rest wait, in order
            else:
                start(request, claim)
                plan.started.append((request, claim))
                # it runs from now on: the next prompt that shares it waits for its evaluation
                running.append((request.prompt, request.prompt[: claim.cached]))
    return plan


def preempted(waiting: list[Request], live: list[Sequence]) -> list[Sequence]:
    """Live warm-ups that give way (cells kept) because a real request waits: they go first,
    before any claim, so that their slots can be claimed."""
    if any(not r.warm and not r.cancelled.is_set() for r in waiting):
        return [s for s in live if s.request.warm]
    return []


def plan_batch(live: list[Sequence], n_batch: int, window: int) -> tuple[list[tuple[Sequence, list[int]]],
                                                                        list[Sequence]]:
    """(sequence, tokens to evaluate now) within n_batch, and the sequences the window stops."""
    room, plan, full = n_batch, [], []
    real_work = any(s.pending and not s.request.warm for s in live)
    for seq in sorted(live, key=lambda s: len(s.pending)):  # decodes first
        if seq.request.warm and real_work:
            continue  # warm-ups only use idle time
        if len(seq.slot.tokens) + len(seq.pending) > window:
            full.append(seq)
            continue
        chunk = seq.pending[:room]
        if chunk:
            plan.append((seq, chunk))
            room -= len(chunk)
    return plan, full


def fits(request: Request, live: list[Sequence], slots: SlotTable, pool: int,
         starting: list[tuple[Request, Claim]] = ()) -> bool:
    """Whether request's reserve fits the pool beside the real sequences running (and those
    starting this step): the cells their slots hold, what each may still grow to, and the
    request's own reserve less the prefix it shares with one of them (shared cells are one set).
    Idle slots do not count: their cells are evicted as needed. With nothing running, it fits."""
    # by slot: a request started this step may already be among the live ones
    by_slot = {id(s.slot): (s.request, s.slot) for s in live if not s.request.warm}
    by_slot.update({id(c.slot): (r, c.slot) for r, c in starting})
    running = list(by_slot.values())
    if not running:
        return True
    held = set().union(*(slot.cells for _, slot in running))
    growth = sum(max(0, other.reserve - len(slot.tokens)) for other, slot in running)
    shared = max(common_prefix(request.prompt, other.prompt) for other, _ in running)
    return len(held) + growth + request.reserve - shared <= pool


def to_preempt(live: list[Sequence], shortfall: int) -> list[Sequence]:
    """The youngest real sequences whose cells cover shortfall, never the oldest one: it runs on,
    and the others go back to the queue (their tokens recomputed later)."""
    victims, freed = [], 0
    for seq in sorted((s for s in live if not s.request.warm), key=lambda s: s.request.arrival, reverse=True)[:-1]:
        if freed >= shortfall:
            break
        victims.append(seq)
        freed += len(seq.slot.tokens)
    return victims


def superseded(waiting: list[Request], new: Request, n_slots: int) -> list[Request]:
    """Queued warm-ups that new (a warm-up) makes pointless: the older ones of its conversation
    (their history is the start of its), and past one per slot, the oldest. A server that is
    never idle thus keeps a bounded queue of them, never one per finished turn."""
    queued = [r for r in waiting if r.warm]
    older = [r for r in queued if r.prompt == new.prompt[: len(r.prompt)]]
    rest = [r for r in queued if r not in older]
    return older + rest[: max(0, len(rest) + 1 - n_slots)]
