"""The marker scanner finds markers however the text is split, and never loses text."""

import pytest

from ponder.reasoning.scanner import MarkerScanner

SPLITS = {
    "whole": ["abc</think>def"],
    "split in three": ["abc</", "think", ">def"],
    "one char at a time": list("abc</think>def"),
    "marker alone": ["abc", "</think>", "def"],
    "false start then marker": ["abc<", "/thin", "g </think>def"],
}


def run(pieces, markers=("</think>",)):
    scanner = MarkerScanner(markers)
    before, matched, after = [], None, ""
    for piece in pieces:
        if matched is not None:
            after += piece
            continue
        safe, matched, rest = scanner.feed(piece)
        before.append(safe)
        after += rest
    return "".join(before) + (scanner.flush() if matched is None else ""), matched, after


@pytest.mark.parametrize("pieces", SPLITS.values(), ids=SPLITS.keys())
def test_marker_found_however_split(pieces):
    before, matched, after = run(pieces)
    assert matched == "</think>"
    assert after == "def"
    assert before == "".join(pieces).split("</think>")[0]


def test_no_marker_returns_all_text_after_flush():
    assert run(["abc</th", "ink"]) == ("abc</think", None, "")


def test_held_text_is_only_a_possible_marker_start():
    scanner = MarkerScanner(["</think>"])
    assert scanner.feed("x </th") == ("x ", None, "")
    assert scanner.feed("at") == ("</that", None, "")


def test_earliest_of_several_markers_wins():
    assert run(["say STOP or END now"], markers=("END", "STOP")) == ("say ", "STOP", " or END now")
