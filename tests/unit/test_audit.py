"""The trace audit: slips, corrections, and the kind of a trace's first departure."""

import random

import pytest

from ponder.tasks import written
from ponder.tasks.audit import audit, departing, evaluate
from ponder.tasks.trace import Trace


def worked(a: int, b: int, slip_rate: float = 0.0, seed: int = 1, tens_first: bool = False) -> str:
    t = Trace(random.Random(seed), slip_rate)
    written.mul(t, a, b, tens_first)
    return "".join(text for text, _ in t.freeze())


GOLD = worked(88, 69)


def test_a_worked_trace_has_no_slip_and_never_departs():
    found = audit(GOLD, GOLD)
    assert found.equations > 10 and (found.slips, found.corrected, found.departure) == (0, 0, None)


def test_the_generators_own_slips_are_all_found_and_corrected_right():
    slipped = worked(88, 69, slip_rate=0.3)
    found = audit(slipped, GOLD)
    assert found.slips == slipped.count(" wait, ") > 0
    assert found.corrected == found.right_corrections == found.slips and found.false_alarms == 0
    assert found.departure is None  # with its corrections applied it is the worked trace


@pytest.mark.parametrize("old, new, kind", [
    ("72+7=79", "72+7=78", "value"),  # a carry sum
    ("8*6=48, 48+0", "8*6=49, 49+0", "value"),  # a digit fact
    ("72+7=", "72+6=", "carry"),  # the carry added
    ("88*9=792,", "88*9=692,", "copy"),  # a partial product recalled by its name
    ("79+528:", "79+538:", "copy"),  # an operand rewritten
    ("-> 792", "-> 782", "copy"),  # the result so far
    ("so 88*69", "so 88+69", "format"),
])
def test_the_first_departure_is_named_by_what_went_wrong(old, new, kind):
    assert GOLD.count(old) >= 1
    assert audit(GOLD.replace(old, new, 1), GOLD).departure == kind


def test_a_wrong_value_is_a_slip_a_rewrite_after_a_right_one_a_false_alarm():
    slip = audit(GOLD.replace("72+7=79", "72+7=78", 1), GOLD)
    assert (slip.slips, slip.corrected) == (1, 0)
    fixed_wrong = audit(GOLD.replace("72+7=79", "72+7=78 wait, 72+7=77", 1), GOLD)
    assert (fixed_wrong.slips, fixed_wrong.corrected, fixed_wrong.right_corrections) == (2, 1, 0)
    alarm = audit(GOLD.replace("72+7=79", "72+7=79 wait, 72+7=79", 1), GOLD)
    assert (alarm.slips, alarm.false_alarms, alarm.departure) == (0, 1, None)


def test_conclusions_restate_the_steps_and_are_never_slips():
    wrong_sum = GOLD.replace("0+5+1=6 -> 6072\nso 88*69=6072", "0+5+1=7 -> 7072\nso 88*69=7072")
    assert wrong_sum != GOLD
    found = audit(wrong_sum, GOLD)
    assert found.slips == 1 and found.departure == "value"  # the column step, not the conclusion


def test_a_whole_trace_without_its_last_line_break_does_not_depart():
    assert audit(GOLD.strip(), GOLD).departure is None


def test_a_trace_that_stops_early_is_cut():
    assert audit(GOLD[: GOLD.index("\n", len(GOLD) // 2) + 1], GOLD).departure == "cut"


def test_evaluate_reads_the_traces_arithmetic():
    assert [evaluate(e) for e in ("8*7", "56+1", "4+0+1", "16-9-0", "6944*10", "2+3*4")] == [56, 57, 5, 7, 69440, 14]


def test_a_departure_is_found_where_it_lies_in_the_trace_corrections_and_all():
    at = GOLD.index("72+7=79") + len("72+7=")
    assert departing(GOLD.replace("72+7=79", "72+7=78", 1), GOLD) == ("value", at + 1, at + 2)  # the 8 of 78
    corrected = GOLD.replace("8*6=48", "8*6=49 wait, 8*6=48", 1)  # a corrected slip shifts what follows
    wrong = corrected.replace("72+7=79", "72+7=78", 1)
    at = wrong.index("72+7=78") + len("72+7=")
    assert departing(wrong, GOLD) == ("value", at + 1, at + 2)
    at = GOLD.index("72+7=79") + len("72+7=")
    # a number cut short: the wrong choice is what came after it
    assert departing(GOLD.replace("72+7=79", "72+7=7", 1), GOLD) == ("value", at + 1, at + 2)
    assert departing(GOLD[: at + 1], GOLD) == ("value", at + 1, at + 2)  # …the trace's end, where it closed
    assert departing(GOLD[:40], GOLD) == ("cut", 40, 40)
    assert departing(corrected, GOLD) is None


def test_a_trace_worked_from_the_other_end_departs_only_where_it_leaves_both_ways():
    both = (GOLD, worked(88, 69, tens_first=True))
    assert audit(both[1], GOLD).departure == "copy"  # `88*6:` where the usual way writes `88*9:`
    assert (audit(both[1], both).departure, audit(both[1], both).way, audit(GOLD, both).way) == (None, 1, 0)
    slipped = both[1].replace("88*60=5280, 88*9=792", "88*60=4280, 88*9=792", 1)
    at = slipped.index("=4280") + 1
    assert departing(slipped, both) == ("copy", at, at + 4) and audit(slipped, both).way == 1
