"""Counting answers: the majority, with ties broken by the model's own confidence.

Self-consistency keeps the most frequent answer. When two answers tie, the one whose samples
had the higher mean log-probability per token wins (the model was surer of those); only an
exact tie of that goes to the answer seen first. A sample with no answer never votes.

A confidence filter (DeepConf, Fu et al. 2025) lets only the surest share of the samples
vote: a small model's wrong traces repeat across samples (a digit fact it believes), so a
plain majority often forms around them, but a trace that went wrong somewhere was usually
less sure of itself along the way. The fourth ponder-reasoner, 500 3-by-2 multiplications, 8
samples at temperature 0.6: greedy 63.8%, majority 63.0%, the surest one 67.4%; but that set
also chose the share, and on 150 other problems the surest one matched greedy (65.3% each)
while the majority got 63.3%. The fifth, on the 500 with the share fixed beforehand: greedy
90.6%, majority 91.0%, the surest one 92.4%. It beats the majority, and greedy decoding by
little (the model card has the numbers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def tally(answers: Sequence[str | None], logprobs: Sequence[float | None] | None = None) -> tuple[str | None, Counter]:
    """(winning answer or None, votes per answer)."""
    counts = Counter(answer for answer in answers if answer is not None)
    if not counts:
        return None, counts
    top = max(counts.values())
    tied = [answer for answer, count in counts.items() if count == top]  # in first-seen order
    if len(tied) == 1 or logprobs is None:
        return tied[0], counts
    return max(tied, key=lambda answer: _confidence(answer, answers, logprobs)), counts


def surest(answers: Sequence[str | None], logprobs: Sequence[float | None], keep: float) -> list[int]:
    """The samples that vote: the surest `keep` share of those with an answer (at least one),
    by mean log-probability, in their own order. Where no sample has a log-probability (an
    engine that gives none), all of them: confidence cannot tell them apart."""
    answered = [i for i, answer in enumerate(answers) if answer is not None]
    if keep >= 1 or all(logprobs[i] is None for i in answered):
        return answered
    ranked = sorted(answered, key=lambda i: _or_floor(logprobs[i]), reverse=True)  # stable: ties keep order
    return sorted(ranked[: max(1, round(keep * len(answered)))])


def chosen_index(winner: str | None, answers: Sequence[str | None], logprobs: Sequence[float | None]) -> int:
    """The sample that speaks for the winner: the surest of those that gave it."""
    backers = [i for i, answer in enumerate(answers) if answer == winner] or list(range(len(answers)))
    return max(backers, key=lambda i: _or_floor(logprobs[i]))


def _confidence(answer: str, answers: Sequence[str | None], logprobs: Sequence[float | None]) -> float:
    mine = [_or_floor(lp) for a, lp in zip(answers, logprobs) if a == answer]
    return sum(mine) / len(mine)


def _or_floor(logprob: float | None) -> float:
    return logprob if logprob is not None else float("-inf")
