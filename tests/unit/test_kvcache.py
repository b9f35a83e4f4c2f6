"""Slot planning: longest prefix from any slot, LRU targets, copies from busy slots."""

from ponder.engine.kvcache import SlotTable, spoken, worth_waiting


def table(*contents, busy=()):
    slots = SlotTable(len(contents))
    for slot, tokens in zip(slots.slots, contents):
        slots.extend(slot, list(tokens))
        slot.history = len(tokens)
        slot.touch()
        slot.busy = slot.seq_id in busy
    return slots


def test_idle_slot_the_prompt_extends_is_reused_in_place():
    slots = table([1, 2, 3], [1, 2, 7], [])
    claim = slots.claim([1, 2, 3, 4, 5])
    assert claim.slot.seq_id == 0 and claim.keep == 3 and claim.source is None and claim.cached == 3


def test_the_last_prompt_token_is_always_evaluated_for_logits():
    claim = table([1, 2, 3]).claim([1, 2, 3])
    assert claim.cached == 2


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


def test_a_shared_system_prompt_does_not_overwrite_another_conversation():
    system, chat_a = [1, 2, 3, 4], [1, 2, 3, 4, 5, 6]  # the system prompt is most of chat A
    slots = table(chat_a, [])
    claim = slots.claim(system + [7, 8, 9])
    assert claim.slot.seq_id == 1 and claim.source.seq_id == 0 and claim.copy == 4
    assert slots.slots[0].tokens == chat_a  # conversation A keeps its cells


def test_a_full_pool_overwrites_the_least_recently_used_conversation():
    claim = table([1, 2, 3, 4, 5, 6], [1, 2, 7, 8]).claim([1, 2, 7, 0])
    assert claim.slot.seq_id == 0 and claim.source.seq_id == 1 and claim.copy == 3  # slot 0 is older


def test_a_repeated_question_replaces_the_answer_in_place():
    slots = table([1, 2, 3, 4, 5, 6], [])
    slots.slots[0].history = 4  # [5, 6] was the answer to prompt [1, 2, 3, 4]
    claim = slots.claim([1, 2, 3, 4])
    assert claim.slot.seq_id == 0 and claim.keep == 3 and claim.source is None


def test_the_next_turn_takes_over_its_own_slot_before_any_warm_up():
    # Turn 1 was [history 1 2 3 | opener 7 | reasoning 8 | answer 9]; turn 2 sends [1 2 3 9 4 5].
    slots = table([5, 5], [1, 2, 3, 7, 8, 9])
    slots.slots[1].history = 3
    claim = slots.claim([1, 2, 3, 9, 4, 5])
    assert claim.slot.seq_id == 1 and claim.keep == 3  # in place: slot 0's conversation stays
    claim = table([1, 2, 7, 8], [1, 2, 3, 4, 5, 6]).claim([1, 2, 7, 0])
    assert claim.slot.seq_id == 0 and claim.source is None and claim.keep == 3  # the oldest is the best


PROMPT = (1, 2, 3, 7)  # a finished turn's prompt: history [1, 2, 3], reasoning opened by 7
NEXT = [1, 2, 3, 51, 52]  # the next turn's history: the answer [51, 52], no reasoning


def finished(*contents, busy=()):
    """Slots that each hold a finished turn of PROMPT (its conversation: the first 3 tokens);
    an entry that does not start with PROMPT holds other work."""
    slots = table(*contents, busy=busy)
    for slot in slots.slots:
        if slot.starts_with(PROMPT):
            slot.history, slot.turn = 3, len(PROMPT)
    return slots


def test_a_warm_up_refreshes_only_its_own_turns_cells():
    slots = finished([*PROMPT, 50, 51, 52], [1, 2, 9, 9], [])
    claim = slots.refresh(NEXT)
    assert claim.slot.seq_id == 0 and claim.keep == 3
    before = slots.slots[0].last_used
    assert slots.refresh(NEXT) is None  # busy now: nothing else qualifies
    assert slots.slots[0].last_used == before  # idle-time work does not make a turn recent
    assert finished([1, 2, 9, 9], []).refresh(NEXT) is None  # its cells were taken: skipped


def test_a_late_warm_up_leaves_the_next_turn_alone():
    # The next turn came first and copied the history into slot 1; the turn's slot 0 is gone.
    slots = finished([1, 2, 3, 51, 52, 60, 61, 62], [5])
    assert slots.refresh(NEXT) is None  # already held: nothing to do, nothing cut
    slots = finished([1, 2, 3, 51, 60, 61, 62, 63], [5])  # a slot that shares the history but holds no turn
    assert slots.refresh(NEXT) is None
    slots = finished([*PROMPT])  # the turn's prompt but nothing it generated (cut short): no turn to refresh
    assert slots.refresh(NEXT) is None


END, NEWLINE = 99, 98  # the template closes a turn with an end-of-turn marker and a newline


def test_a_warm_up_picks_the_slot_whose_answer_it_is():
    # Two users opened alike (or n samples): both slots hold the prompt, with different answers.
    # The history closes the answer with the end-of-turn marker, which no slot evaluated.
    history = [*NEXT, END, NEWLINE]
    said = spoken(history, frozenset({END}))
    assert said == NEXT
    slots = finished([*PROMPT, 50, 41, 42], [*PROMPT, 50, 51, 52])
    claim = slots.refresh(history, spoken=said)
    assert claim.slot.seq_id == 1 and claim.keep == 3 and slots.slots[0].tokens == [*PROMPT, 50, 41, 42]


def test_spoken_ends_before_the_last_end_of_turn_marker():
    ends = frozenset({END, 0})
    assert spoken([1, END, 5, 6, END, NEWLINE], ends) == [1, END, 5, 6]
    assert spoken([1, 2, 3], ends) == [1, 2, 3]  # no marker: all of it


def test_shift_mode_cuts_the_slot_whose_answer_it_is():
    # kv_reuse="shift": the same choice before cutting reasoning [50] out; the other user's slot
    # holds the same prompt and as much reasoning, but another answer.
    slots = finished([*PROMPT, 50, 51, 52], [*PROMPT, 50, 41, 42], [1, 2, 3])
    assert slots.finished_turn(NEXT, NEXT).seq_id == 0  # NEXT: the history up to its end marker
    slots = finished([*PROMPT, 50, 41, 42], [*PROMPT, 50, 51, 52])
    assert slots.finished_turn(NEXT, NEXT).seq_id == 1
    slots.slots[1].busy = True
    assert slots.finished_turn(NEXT, NEXT).seq_id == 0  # a busy slot is not cut
    assert finished([*PROMPT], [9]).finished_turn(NEXT, NEXT) is None  # nothing after the prompt


def test_the_books_count_a_copied_prefix_once():
    slots = SlotTable(3)
    a, b, c = slots.slots
    slots.extend(a, [1, 2, 3, 4])
    slots.copy(a, b, 3)
    slots.extend(b, [9])  # b: [1, 2, 3] shared with a, then one cell of its own
    assert slots.cached_cells() == 5
    slots.truncate(a, 0)  # a's own cell goes; the prefix lives on in b
    assert slots.cached_cells() == 4
    slots.copy(b, c, 2)
    slots.truncate(b, 0)
    assert slots.cached_cells() == 2 and c.tokens == [1, 2]
    slots.extend(c, [5, 6, 7, 8])
    slots.cut(c, 2, 4, 1)  # shift mode: [5, 6] cut out, 7 evaluated again, 8 moved
    assert c.tokens == [1, 2, 7, 8] and len(c.cells) == 4 and slots.cached_cells() == 4
    slots.truncate(c, 0)
    assert slots.cached_cells() == 0
