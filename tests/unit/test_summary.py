from ponder.config import DEFAULT_HANDOFF
from ponder.reasoning.summary import summarize

REASONING = ("First I add the ones: 7 + 5 = 12, carry 1.\n\nThen the tens: 1 + 2 + 1 = 4. "
             "So the sum is 42. Let me check: 42 - 25 = 17. Yes, 42.")


def test_a_summary_is_the_reasonings_conclusion_by_level():
    assert summarize(REASONING, "concise") == "Yes, 42."
    assert summarize(REASONING, "auto") == "Let me check: 42 - 25 = 17. Yes, 42."
    assert summarize(REASONING, "detailed") == "Then the tens: 1 + 2 + 1 = 4. So the sum is 42. Let me check: " \
                                                "42 - 25 = 17. Yes, 42."


def test_the_forced_handoff_is_not_a_conclusion_and_long_text_is_cut():
    assert summarize("It is 42." + DEFAULT_HANDOFF, "auto") == "It is 42."
    long = "word " * 400
    cut = summarize(long, "concise")
    assert len(cut) <= 240 and cut.startswith("…")
    assert summarize("", "auto") == "" and summarize("\n\n", "auto") == ""
