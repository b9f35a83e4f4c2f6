"""Reading a trace for self-contradiction: one expression stated equal to two values."""

from fractions import Fraction

import pytest

from ponder.strategies.consistency import contradicting, contradiction, stated_values

# the sixth reasoner's kind of wrong trace: a partial product worked out, then recalled wrong
RECALLED_WRONG = """632*38:
632*8: 2*8=16, 16+0=16 -> 6
63*8: 3*8=24, 24+1=25 -> 56
6*8: 6*8=48, 48+2=50 -> 5056
so 632*8=5056
632*3: 2*3=6, 6+0=6 -> 6
so 632*3=1896, 632*30=18960
632*8=4056, 632*30=18960
"""


def test_a_recalled_value_that_differs_from_the_worked_one_is_a_contradiction():
    assert contradiction(RECALLED_WRONG) == ("632*8", ["4056", "5056"])
    assert contradiction(RECALLED_WRONG.replace("632*8=4056", "632*8=5056")) is None


@pytest.mark.parametrize("text", [
    "2*8=15 wait, 2*8=16, 16+0=16",
    "So 2 + 3 = 6. Wait, 2 + 3 = 5.",
    "2*8=15? Hmm, wait: 2*8=16",
    "2*8=15... no, wait. 2*8=16",
    "2*8=15 -- wait, 2*8=16",
    "2*8=15\n\nWait, 2*8=16",
])
def test_a_value_taken_back_with_wait_does_not_count(text):
    assert contradiction(text) is None


def test_values_that_both_stand_contradict():
    assert contradiction("2*8=15, 2*8=16") == ("2*8", ["15", "16"])
    assert contradiction("1/2=0.5 and 1/2=0.25") == ("1/2", ["0.25", "0.5"])


@pytest.mark.parametrize("text", [
    "347*86 = 347*80 + 347*6 = 27760 + 2082 = 29842. So 347*86 = 29842.",  # an expression, not a value
    "632*38 = 632*30 + 632*8. Hence 632*38 = 24016",
    "1,200+300=1,500 and 2,200+300=2,500",  # thousands, not a list
    "2^3+1=9, and 3+1=4",  # 3+1 is not a term of 2^3+1
    "3:00+2=5, 00+2=2",
    "10/2=5.0, so 10/2=5",  # one value, written two ways
    "12*3=36+4=40 and 12*3=36",
])
def test_ordinary_worked_text_does_not_contradict_itself(text):
    assert contradiction(text) is None


@pytest.mark.parametrize("text, values", [
    ("so 2 + 3 = 5, and 2+3=5.", {"2+3": {5}}),  # spacing and a full stop change nothing
    ("12 × 3 = 36", {"12*3": {36}}),
    ("7-9-1<0, 17-9-1=7 -> 7", {"17-9-1": {7}}),
    ("1.5*2=3 and v2*3=6", {}),  # a decimal's tail or a name's digit is not an expression
    ("-3+5=2", {}),  # a signed first term is not read as 3+5
    ("so 12-345=-333", {"12-345": {-333}}),
    ("5=5, x=3, 2+2=4.5", {"2+2": {Fraction(9, 2)}}),
])
def test_what_counts_as_a_stated_value(text, values):
    assert stated_values(text) == values


def test_contradicting_lists_the_samples_that_contradict_themselves():
    assert contradicting([RECALLED_WRONG, None, "1+1=2", "1+1=2, 1+1=3"]) == [0, 3]
