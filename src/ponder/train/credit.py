"""Which tokens of a rollout earn its advantage: all of them, or a wrong trace's first error.

Outcome credit gives a wrong rollout's negative advantage to every token it wrote, although
in a wrong 3-by-2 trace some 300 tokens are right and one number is not; its right tokens are
pushed down as hard as the slip, and only many rollouts average that noise away. Our tasks
can check every step (tasks/audit.py reads a trace against the worked one), so `departure`
credit gives a wrong rollout's (negative) advantage to the tokens of its first departure
only: the wrong number from its first wrong digit on (`5600` for `6600`: all four; the digits
after the first follow from it, and penalising the first alone is the untried alternative),
the token after a number cut short, or the token that closed the reasoning too early. Right
rollouts keep the whole completion; wrong ones the audit cannot place (a right trace with a
wrong answer) keep it too, their advantage clamped to at most 0. This is process supervision
with an exact step checker, a per-step reward in place of a learned process reward model.
"""

from __future__ import annotations

from ponder.tasks import Problem
from ponder.tasks.audit import departing
from ponder.train import chat
from ponder.train.vocab import CompactVocab, detokenize

CREDITS = ("outcome", "departure")
STEP_PENALTY = -1.0  # a first error's advantage at least: its step scored 0 where a right one scores 1


def assign(problem: Problem, completion: list[int], right: bool, advantage: float, vocab: CompactVocab,
           credit: str) -> tuple[float, tuple[int, int]]:
    """The rollout's advantage and the span [start, end) of completion tokens that carry it.

    Departure credit penalises a wrong rollout's first error even where its whole group failed
    (there the group advantage is 0, and outcome credit learns nothing): the problems whose
    samples all go wrong are mostly ones greedy decoding gets wrong too."""
    whole = (0, len(completion))
    if credit == "outcome" or right or not problem.trace_text:
        return advantage, whole
    found = first_error(problem, completion, vocab)
    if found is None:
        return min(advantage, 0.0), whole
    return min(advantage, STEP_PENALTY), found


def first_error(problem: Problem, completion: list[int], vocab: CompactVocab) -> tuple[int, int] | None:
    """The tokens of the completion's first departure from the worked trace; None where the
    audit finds none (a right trace with a wrong answer, an unfinished one that never departed)."""
    pieces = [detokenize(vocab.expand([t])) for t in completion]
    reasoning, closed, _ = "".join(pieces).partition(chat.FORMAT.close)
    found = departing(reasoning, problem.worked)
    if found is None or (found[0] == "cut" and not closed):
        return None  # (a rollout cut off by max_new or by leaving the vocabulary: its last token is no error)
    _, start, end = found
    return token_span(pieces, start, max(end, start + 1))


def token_span(pieces: list[str], start: int, end: int) -> tuple[int, int]:
    """The tokens whose characters overlap [start, end) of the pieces joined."""
    first = last = None
    offset = 0
    for i, piece in enumerate(pieces):
        if first is None and offset + len(piece) > start:
            first = i
        if offset < end:
            last = i
        offset += len(piece)
    if first is None:
        return len(pieces) - 1, len(pieces)
    return first, max(last, first) + 1
