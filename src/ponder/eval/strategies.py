"""Eval's strategy names, and the ponder Strategy that one problem of a setting runs.

The names are what --strategy takes: single, vote, vote/surest (the surest tenth of the
samples votes, at least one), vote/consistent (samples whose reasoning contradicts itself do
not vote), best_of_n/checker, best_of_n/self, think_longer, refine
(best_of_n alone is best_of_n/checker). Eval's checker is not ponder's TaskChecker, which
recomputes only ponder's own questions: it is a callable that knows the item's expected answer
and asks the task itself (extract, then check), so it works on every source and is exactly as
right as the score. vote and best_of_n also read answers with the
task's extractor, so a strategy counts the same answers that eval scores.

This module knows nothing about grids, seeds, gates or the engine.
"""

from __future__ import annotations

from collections.abc import Callable

from ponder.eval.sources import EvalTask, Item
from ponder.strategies import BestOfN, FunctionVerifier, Refine, Single, Strategy, ThinkLonger, Vote
from ponder.strategies.vote import SUREST

KINDS: dict[str, type[Strategy]] = {
    "single": Single, "vote": Vote, "vote/surest": Vote, "vote/consistent": Vote,
    "best_of_n/checker": BestOfN, "best_of_n/self": BestOfN,
    "think_longer": ThinkLonger, "refine": Refine,
}
ALIASES = {"best_of_n": "best_of_n/checker"}
# their count is --samples; the others have none
COUNTED = ("vote", "vote/surest", "vote/consistent", "best_of_n/checker", "best_of_n/self")


def needs_reasoning(name: str) -> bool:
    # vote/consistent reads each sample's reasoning: at effort none it would be a plain vote again
    return KINDS[name].needs_reasoning or name == "vote/consistent"


def build(name: str, samples: int, task: EvalTask, item: Item) -> Strategy | None:
    """The strategy for one problem; None for single, which is the plain turn."""
    def extract(content: str) -> str | None:
        return task.extract(content, item)

    if name == "single":
        return None
    if name == "vote":
        return Vote(samples, extract=extract)
    if name == "vote/surest":
        return Vote(samples, keep=SUREST, extract=extract)
    if name == "vote/consistent":
        return Vote(samples, consistent=True, extract=extract)
    if name == "best_of_n/checker":
        return BestOfN(samples, FunctionVerifier(checker(task, item), name="checker"), extract=extract)
    if name == "best_of_n/self":
        return BestOfN(samples, "self", extract=extract)
    return KINDS[name]()


def checker(task: EvalTask, item: Item) -> Callable[[str, str], float]:
    """A verifier that scores a reply 1 when the task would mark it right, else 0."""
    return lambda question, text: float(task.check(task.extract(text, item), item))


def width(strategy: Strategy | None) -> int:
    return strategy.width if strategy is not None else 1


def reserved_cells(strategy: Strategy | None, prompt: int, completion: int) -> int:
    """The most KV cells a problem could fill: every sequence it runs at once, prompt + budget.

    Refine runs one sequence at a time, but each later prompt holds the earlier answers, so
    its last revision may need the prompt and (2 rounds + 1) budgets. Equal prompts share
    cells in the engine; counting them per sequence errs on the safe side.
    """
    if isinstance(strategy, Refine):
        return prompt + (2 * strategy.rounds + 1) * completion
    return width(strategy) * (prompt + completion)
