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

Where a problem can be worked two ways (a multiplication's partial products from either end),
`spare_way` keeps the advantage off the token at which a rollout chose its way: right rollouts
of the surer way would otherwise teach the choice, and RL drops the other way (the sixth
reasoner's did: its samples all go one way, and their wrong answers repeat). The ways still
learn from their own rollouts; only which one to take is left as SFT taught it.
"""

from __future__ import annotations

import os

from ponder.tasks import Problem
from ponder.tasks.audit import departing
from ponder.train import chat
from ponder.train.vocab import CompactVocab, detokenize

CREDITS = ("outcome", "departure")
STEP_PENALTY = -1.0  # a first error's advantage at least: its step scored 0 where a right one scores 1


def assign(problem: Problem, completion: list[int], right: bool, advantage: float, vocab: CompactVocab,
           credit: str, spare_way: bool = False) -> tuple[float, tuple[int, int]]:
    """The rollout's advantage and the span [start, end) of completion tokens that carry it.

    Departure credit penalises a wrong rollout's first error even where its whole group failed
    (there the group advantage is 0, and outcome credit learns nothing): the problems whose
    samples all go wrong are mostly ones greedy decoding gets wrong too."""
    pieces = [detokenize(vocab.expand([t])) for t in completion] if spare_way or credit != "outcome" else []
    chose = way_token(problem, pieces) if spare_way else None
    whole = (0 if chose is None else chose + 1, len(completion))
    if credit == "outcome" or right or not problem.trace_text:
        return advantage, whole
    found = first_error(problem, pieces)
    if found is None:
        return min(advantage, 0.0), whole
    return min(advantage, STEP_PENALTY), found


def way_token(problem: Problem, pieces: list[str]) -> int | None:
    """The token at which the rollout chose between the problem's worked ways (the first
    character where they differ); None where there is one way, or the rollout left the worked
    traces before it chose."""
    ways = problem.worked
    if len(ways) < 2:
        return None
    at = len(os.path.commonprefix(ways))
    if "".join(pieces)[: at + 1] not in {way[: at + 1] for way in ways}:
        return None
    return token_span(pieces, at, at + 1)[0]


def first_error(problem: Problem, pieces: list[str]) -> tuple[int, int] | None:
    """The tokens of the completion's (its pieces') first departure from the worked trace; None
    where the audit finds none (a right trace with a wrong answer, an unfinished one that never
    departed)."""
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
