"""The recovery probe's reading of a trace: where its first slip is, and what follows it."""

import random

import pytest

from ponder.tasks import written
from ponder.tasks.trace import Trace
from ponder.train.recovery import Slip, first_slip, outcome


def worked(a: int, b: int) -> str:
    t = Trace(random.Random(1), 0.0)
    written.mul(t, a, b)
    return "".join(text for text, _ in t.freeze())


GOLD = worked(88, 69)


def test_the_first_slip_is_the_equation_whose_value_departs():
    trace = GOLD.replace("72+7=79 -> 792", "72+7=78 -> 782")
    slip = first_slip(trace, GOLD)
    assert slip == Slip(trace[: trace.index("72+7=78") + len("72+7=78")], "72+7", 78, 79)
    # a digit fact, the second value of its line
    slip = first_slip(GOLD.replace("8*6=48, 48+0", "8*6=46, 46+0"), GOLD)
    assert (slip.lhs, slip.slipped, slip.right) == ("8*6", 46, 48) and slip.prefix.endswith("88*6: 8*6=46")
    # a partial product recalled by its name is an equation too
    slip = first_slip(GOLD.replace("88*9=792,", "88*9=692,"), GOLD)
    assert (slip.lhs, slip.slipped, slip.right) == ("88*9", 692, 792)


@pytest.mark.parametrize("trace", [
    GOLD,  # no departure
    GOLD.replace("79+528:", "79+538:"),  # an operand rewritten: no equation to correct
    GOLD.replace("-> 792", "-> 782"),  # the result so far
    GOLD[:40],  # cut short
])
def test_no_slip_where_the_first_departure_is_not_a_steps_value(trace):
    assert first_slip(trace, GOLD) is None


@pytest.mark.parametrize("continuation, says", [
    (" wait, 72+7=79 -> 792", "right"),
    (" wait, 72+7=78 -> 782", "restated"),
    (" wait, 72+7=790", "other"),  # a longer number is not the right one
    (" wait, 72+7=77", "other"),
    (" wait, 7+7=14", "other"),
    (" -> 782\n", "none"),
    (", 8*9", "none"),
])
def test_what_follows_a_slip(continuation, says):
    assert outcome(continuation, Slip("", "72+7", 78, 79)) == says
