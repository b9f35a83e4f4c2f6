"""Answer extraction and checking on tricky replies: the eval's score and training's reward."""

import pytest

from ponder.answers import extract_number, extract_text, is_correct, parse_number, same_answer

# name: (reply, the number it commits to)
EXTRACT = {
    "several numbers, marker": ("3 + 4 = 7, so the answer is 7", "7"),
    "last number without marker": ("3 + 4 = 7", "7"),
    "marker beats later numbers": ("The answer is 7, not 8.", "7"),
    "marker with a reason after it": ("The answer is 7, since 3 + 4 = 7", "7"),
    "reason does not leak": ("The answer is 5, because 2 = 2", "5"),
    "equation after marker": ("answer: 3 + 4 = 7", "7"),
    "last marker wins": ("I thought the answer is 5, but wait: the answer is 7", "7"),
    "boxed": ("so we get $\\boxed{-3}$.", "-3"),
    "answer tag beats later number": ("<answer>12</answer> (checked with 13)", "12"),
    "markdown bold marker": ("**Answer:** **29,842**", "29842"),
    "number words then digits": ("The answer is twelve (12)", "12"),
    "units": ("42 apples", "42"),
    "currency and thousands": ("It costs $1,250", "1250"),
    "thousands comma": ("12,345", "12345"),
    "list is two numbers": ("1, 2", "2"),
    "comma without space is two numbers": ("1,2", "2"),
    "bad grouping is two numbers": ("12,3456", "3456"),
    "negative": ("-17", "-17"),
    "negative after marker, trailing period": ("The answer is -17.", "-17"),
    "unicode minus": ("(\u22123)", "-3"),
    "binary minus is not a sign": ("3-4", "4"),
    "decimal equal to integer": ("12.0", "12"),
    "decimal trailing period": ("It is 10.5.", "10.5"),
    "decimal with thousands and unit": ("1,250.50 dollars", "1250.5"),
    "trailing period": ("So it is 7.", "7"),
    "leading zeros": ("007", "7"),
    "negative zero": ("-0", "0"),
    "digits inside a name": ("x2 is 5", "5"),
    "marker with nothing after it": ("the answer is\n\n42", "42"),
    "sentence after the claim": ("The answer is 3.5. Done", "3.5"),
    "no number": ("I do not know.", None),
    "empty": ("", None),
}


@pytest.mark.parametrize("reply, number", EXTRACT.values(), ids=EXTRACT.keys())
def test_extract_number(reply, number):
    assert extract_number(reply) == number


CORRECT = {
    "decimal equals integer": ("The total is 12.0", "12", True),
    "expected with sign": ("answer: -123", "-123", True),
    "thousands in reply": ("That makes 29,842 in all.", "29842", True),
    "wrong number": ("The answer is 8.", "7", False),
    "right number only in the reasoning of a reply": ("7? No: the answer is 8.", "7", False),
    "no answer is wrong": ("no idea", "7", False),
    "empty reply is wrong": ("", "0", False),
    "zero": ("The answer is 0.", "0", True),
    "phrase answer": ("The answer is Paris.", "paris", True),
    "phrase answer, last line": ("Let me see.\n**Blue**", "blue", True),
    "phrase answer, wrong": ("The answer is Rome.", "Paris", False),
}


@pytest.mark.parametrize("reply, expected, right", CORRECT.values(), ids=CORRECT.keys())
def test_is_correct(reply, expected, right):
    assert is_correct(reply, expected) is right


@pytest.mark.parametrize("text, number", [
    ("-123", "-123"), ("$1,250.", "1250"), ("12.", "12"), ("50%", "50"), ("+5", "5"), (" 7 ", "7"),
    ("12.50", "12.5"), ("1200", "1200"), ("abc", None), ("1, 2", None), ("7 apples", None), ("", None),
])
def test_parse_number_reads_a_whole_string(text, number):
    assert parse_number(text) == number


def test_same_answer_is_numeric_for_numbers_and_never_for_none():
    assert same_answer("12", "12.0")
    assert not same_answer(None, "12")
    assert not same_answer("12", "-12")


def test_extract_text_prefers_a_marker_then_the_last_line():
    assert extract_text("Hmm.\nThe answer is: Paris") == "Paris"
    assert extract_text("Hmm.\nParis\n\n") == "Paris"
    assert extract_text("  \n ") is None
