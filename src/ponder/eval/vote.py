"""Majority vote: how the extracted answers of several samples become one answer.

Self-consistency (sample N, keep the most frequent answer) is the simplest way to turn
extra samples into accuracy. Answers are compared as extracted strings, which the
extractors already make canonical ("12.0" and "12" both arrive as "12").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def majority_vote(answers: Sequence[str | None]) -> str | None:
    """The most frequent real answer; among tied ones, the one seen first.

    None (a sample that gave no answer) never wins over a real answer, however many there
    are: abstaining is not an opinion. With no real answer at all, the vote is None.
    """
    counts = Counter(answer for answer in answers if answer is not None)
    if not counts:
        return None
    top = max(counts.values())
    # Counter keeps first-insertion order, so the first key with the top count was seen first.
    return next(answer for answer, count in counts.items() if count == top)
