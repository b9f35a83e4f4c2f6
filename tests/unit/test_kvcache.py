"""Slot planning: longest prefix from any slot, LRU targets, copies from busy slots."""

from ponder.engine.kvcache import SlotTable, worth_waiting


def table(*contents, busy=()):
    slots = SlotTable(len(contents))
    for slot, tokens in zip(slots.slots, contents):
        slot.tokens = list(tokens)
        slot.touch()
        slot.busy = slot.seq_id in busy
    return slots


def test_idle_slot_with_the_longest_prefix_is_reused_in_place():
    slots = table([1, 2, 3, 9], [1, 2, 7], [])
    claim = slots.claim([1, 2, 3, 4, 5])
    assert claim.slot.seq_id == 0 and claim.keep == 3 and claim.source is None and claim.cached == 3


def test_the_last_prompt_token_is_always_evaluated_for_logits():
    claim = table([1, 2, 3]).claim([1, 2, 3])
    assert claim.cached == 2
    assert table([1, 2, 3]).claim([1, 2, 3], need_logits=False).cached == 3


def test_prefix_of_a_busy_slot_is_copied_into_the_oldest_idle_slot():
    slots = table([5, 5], [1, 2, 3, 4], [6], busy={1})
    claim = slots.claim([1, 2, 3, 4, 8])
    assert claim.source.seq_id == 1 and claim.copy == 4
    assert claim.slot.seq_id == 0  # touched first, so least recently used


def test_no_match_takes_an_empty_slot_before_evicting_a_prefix():
    slots = table([5, 5], [], [6, 6])
    assert slots.claim([1, 2]).slot.seq_id == 1


def test_all_busy_means_wait():
    assert table([1], busy={0}).claim([1, 2]) is None


def test_reuse_off_evaluates_everything():
    slots = table([1, 2, 3])
    slots.reuse = False
    assert slots.claim([1, 2, 3, 4]).cached == 0


def test_waiting_pays_only_for_a_long_prefix_still_to_come():
    prompt = list(range(100))
    assert worth_waiting(prompt, [(prompt, prompt[:10])])
    assert not worth_waiting(prompt, [(prompt, prompt[:95])])
    assert not worth_waiting(prompt, [([7] * 100, [])])
