"""The in-process engine's planner without llama.cpp: admission, the batch, eviction."""

from ponder.engine.base import SamplingParams
from ponder.engine.kvcache import SlotTable
from ponder.engine.planner import fits, plan_admission, plan_batch, preempted, superseded, to_preempt
from ponder.engine.sequence import Request, Sequence, WarmUp


def request(prompt, warm=False):
    return Request(list(prompt), SamplingParams(), WarmUp(), warm=warm)


def admit(waiting, live, slots, pool=None):
    """plan_admission with a scheduler's start: the request leaves the queue, the slot takes its cells."""
    def start(request, claim):
        waiting.remove(request)
        if claim.source is not None:
            slots.copy(claim.source, claim.slot, claim.copy)
        else:
            slots.truncate(claim.slot, claim.keep)
        slots.extend(claim.slot, request.prompt[claim.cached:])
        claim.slot.history = len(request.prompt)

    return plan_admission(waiting, live, slots, start, pool)


def running(slots, prompt, pending, warm=False):
    """A live sequence that has evaluated prompt into a claimed slot and still has pending tokens."""
    claim = slots.claim(list(prompt) + list(pending))
    slots.extend(claim.slot, list(prompt))
    return Sequence(request(list(prompt) + list(pending), warm), claim.slot, None, list(pending))


def test_requests_start_in_order_until_the_slots_run_out():
    slots = SlotTable(2)
    waiting = [request([1, 2, 3]), request([4, 5, 6]), request([7, 8, 9])]
    plan = admit(waiting, [], slots)
    assert [r.prompt for r, _ in plan.started] == [[1, 2, 3], [4, 5, 6]]
    assert all(slot.busy for slot in slots.slots)


def test_a_claim_sees_the_cells_the_claim_before_it_just_moved():
    # Slot 0 holds conversation D (least recently used), slot 1 a running chat B, slot 2 another.
    slots = SlotTable(3)
    d, b, x = list(range(100, 140)), list(range(200, 240)), list(range(300, 340))
    for slot, tokens in zip(slots.slots, (d, b, x)):
        slots.extend(slot, tokens)
        slot.history = len(tokens)
        slot.touch()
    slots.slots[1].busy = True
    # the first copies B's prefix into the oldest idle slot, D's; the second is D's next turn
    waiting = [request(b[:30] + [1, 2, 3]), request(d + [7, 8, 9])]
    plan = admit(waiting, [], slots)
    for started, claim in plan.started:
        assert claim.slot.tokens[: claim.cached] == started.prompt[: claim.cached]  # never another's cells


def test_a_cancelled_request_is_dropped_even_behind_a_full_house():
    slots = SlotTable(1)
    gone = request([4, 5])
    gone.cancelled.set()
    plan = admit([request([1, 2]), request([3, 4]), gone], [], slots)
    assert len(plan.started) == 1 and plan.cancelled == [gone]


def test_real_work_preempts_warm_ups_and_queued_ones_wait():
    slots = SlotTable(4)
    warming = running(slots, [1, 2], [3, 4], warm=True)
    queued = request([9, 9, 9], warm=True)
    waiting = [queued, request([5, 6, 7])]
    assert preempted(waiting, [warming]) == [warming]
    plan = admit(waiting, [warming], slots)
    assert plan.warm_ups == [] and len(plan.started) == 1 and waiting == [queued]


def test_warm_ups_run_only_in_idle_time():
    slots = SlotTable(4)
    busy = running(slots, [1, 2], [3])
    queued = request([9, 9, 9], warm=True)
    assert admit([queued], [busy], slots).warm_ups == []
    assert admit([queued], [], slots).warm_ups == [queued]


def test_a_prompt_waits_for_the_long_prefix_a_running_sequence_is_evaluating():
    slots = SlotTable(4)
    shared = list(range(100, 140))
    first = running(slots, shared[:4], shared[4:] + [1])  # 36 of the shared tokens still to come
    plan = admit([request(shared + [2])], [first], slots)
    assert plan.started == []  # n samples of one prompt evaluate it once
    first.slot.tokens = shared + [1]  # once evaluated, the second copies it
    (started, claim), = admit([request(shared + [2])], [], slots).started
    assert claim.cached == len(shared)


def test_n_samples_of_one_prompt_start_one_at_a_time_and_share_its_evaluation():
    slots = SlotTable(8)
    prompt = list(range(100, 130))
    waiting = [request(prompt) for _ in range(5)]
    first = waiting[0]
    plan = admit(waiting, [], slots)
    assert [r for r, _ in plan.started] == [first] and len(waiting) == 4  # the others wait for its 29 tokens
    assert admit([request(prompt[:10])], [], SlotTable(2)).started  # a short one never waits


def test_decodes_go_first_and_prompts_fill_the_rest_in_chunks():
    slots = SlotTable(4)
    prompt = running(slots, [], list(range(1000, 1100)))
    decode = running(slots, [7, 8], [9])
    plan, full = plan_batch([prompt, decode], n_batch=64, window=4096)
    assert [(seq, len(chunk)) for seq, chunk in plan] == [(decode, 1), (prompt, 63)] and full == []


def test_warm_ups_wait_while_real_work_has_tokens_and_the_window_stops_a_sequence():
    slots = SlotTable(4)
    warm = running(slots, [1], [2, 3], warm=True)
    long = running(slots, list(range(200, 210)), [5])
    plan, full = plan_batch([warm, long], n_batch=64, window=10)
    assert plan == [] and full == [long]  # 10 held + 1 pending passes a 10-token window
    plan, _ = plan_batch([warm], n_batch=64, window=10)
    assert plan == [(warm, [2, 3])]


def test_eviction_frees_least_recently_used_idle_slots_until_the_batch_fits():
    slots = SlotTable(3)
    for prompt in ([1] * 50, [2] * 50, [3] * 50):
        claim = slots.claim(prompt + [0])
        slots.extend(claim.slot, prompt)
        claim.slot.busy = False
    oldest, middle, newest = slots.slots
    assert slots.plan_evictions(needed=40, pool=200) == []
    assert slots.plan_evictions(needed=60, pool=200) == [oldest]
    assert slots.plan_evictions(needed=120, pool=200) == [oldest, middle]
    newest.busy = True
    assert slots.plan_evictions(needed=500, pool=200) == [oldest, middle]  # never a busy slot


def test_eviction_counts_a_shared_prefix_as_freed_only_with_its_last_holder():
    slots = SlotTable(2)
    first = slots.claim([1] * 60 + [5] * 10 + [0])
    slots.extend(first.slot, [1] * 60 + [5] * 10)
    first.slot.history, first.slot.busy = 70, False
    second = slots.claim([1] * 60 + [2] * 5 + [0])  # another chat behind the same 60 tokens: copied
    slots.copy(second.source, second.slot, second.copy)
    slots.extend(second.slot, [2] * 5)
    second.slot.busy = False
    assert slots.cached_cells() == 75
    assert slots.plan_evictions(needed=10, pool=75) == [first.slot]  # frees its own 10 cells
    # the shared 60 are freed only with the second slot too: counted per slot, the first would seem enough
    assert slots.plan_evictions(needed=20, pool=75) == [first.slot, second.slot]


def reserved(prompt, reserve):
    return Request(list(prompt), SamplingParams(), WarmUp(), reserve=reserve)


def live_with(slots, prompt, reserve, generated=()):
    """A real sequence that evaluated prompt (and generated) into its slot, with its reserve."""
    claim = slots.claim(list(prompt))
    slots.extend(claim.slot, list(prompt) + list(generated))
    return Sequence(reserved(prompt, reserve), claim.slot, None, [0])


def test_a_request_waits_until_its_reserve_fits_the_pool():
    slots = SlotTable(4)
    running = live_with(slots, range(100, 150), reserve=300)  # holds 50, may grow by 250
    assert fits(reserved(range(500, 520), 200), [running], slots, pool=500)  # 50 + 250 + 200 = 500
    assert not fits(reserved(range(500, 520), 201), [running], slots, pool=500)
    assert fits(reserved(range(500, 520), 10_000), [], slots, pool=500)  # alone, anything starts
    waiting = [reserved(range(500, 520), 400), reserved(range(600, 605), 10)]
    plan = admit(waiting, [running], slots, pool=500)
    assert plan.started == [] and len(waiting) == 2  # first come, first served: the small one waits too


def test_a_prompt_shared_with_a_running_sequence_counts_once():
    slots = SlotTable(4)
    prompt = list(range(100, 200))
    running = live_with(slots, prompt, reserve=150)  # 100 held, 50 to grow
    sibling = reserved(prompt + [7], reserve=150)  # shares 100: needs 50 more of its own
    assert fits(sibling, [running], slots, pool=201)
    assert not fits(reserved(range(300, 400), 150), [running], slots, pool=201)  # another prompt: all 150


def test_preemption_takes_the_youngest_and_never_the_last_one_running():
    slots = SlotTable(4)
    old, middle, young = (live_with(slots, [i] * 10, reserve=40, generated=[9] * 20) for i in (1, 2, 3))
    assert to_preempt([old, middle, young], shortfall=10) == [young]
    assert to_preempt([young, old, middle], shortfall=45) == [young, middle]
    assert to_preempt([old, middle, young], shortfall=1000) == [young, middle]  # old runs on
    assert to_preempt([old], shortfall=1000) == []


def test_a_newer_warm_up_supersedes_its_conversations_older_one_and_one_per_slot_waits():
    turn1, other = request([1, 2, 3], warm=True), request([8, 8], warm=True)
    turn2 = request([1, 2, 3, 4, 5], warm=True)  # the same conversation, a turn later
    assert superseded([turn1, other], turn2, n_slots=4) == [turn1]
    queued = [request([i, i], warm=True) for i in range(10, 15)]
    assert superseded(queued, request([99], warm=True), n_slots=3) == queued[:3]  # the oldest go
    assert superseded([request([5, 6])], request([5, 6, 7], warm=True), n_slots=1) == []  # never real work
