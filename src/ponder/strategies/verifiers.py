"""Verifiers: how best_of_n scores each candidate (higher is better, usually in [0, 1]).

- FunctionVerifier: any Python callable of (question, answer text) -> score, given by a
  library user (eval passes one that knows the expected answer).
- TaskChecker: ponder's trained tasks recomputed from the question itself (tasks/solve.py):
  1 if the candidate's number is right, else 0. It refuses questions it cannot read.
- SelfJudge: the model judges each candidate: a scoring prompt, one probe per candidate (no
  text generated), the score is the probability of "correct" against "wrong".
A verifier's score() returns the scores, or is a generator that yields rounds of Asks first.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Sequence

from ponder.answers import extract_number, same_answer
from ponder.config import TurnOptions
from ponder.errors import InvalidOption
from ponder.strategies.base import Ask, Done, question_of
from ponder.tasks.solve import solve
from ponder.types import Effort, Message, Role

Scores = list[float] | Generator[list[Ask], list[Done], list[float]]


class Verifier(ABC):
    name: str

    def check(self, messages: Sequence[Message]) -> None:
        """Refuse, before anything runs, a conversation this verifier cannot score."""

    @abstractmethod
    def score(self, messages: tuple[Message, ...], candidates: list[Done]) -> Scores: ...


class FunctionVerifier(Verifier):
    def __init__(self, function: Callable[[str, str], float], name: str = "function"):
        self.function, self.name = function, name

    def score(self, messages: tuple[Message, ...], candidates: list[Done]) -> Scores:
        question = question_of(messages)
        return [float(self.function(question, done.content)) for done in candidates]


class TaskChecker(Verifier):
    name = "checker"

    def check(self, messages: Sequence[Message]) -> None:
        if solve(question_of(messages)) is None:
            raise InvalidOption("strategy.verifier", "the checker verifies only questions phrased by ponder's "
                                "tasks (add, sub, mul, word problems), and this question is not one")

    def score(self, messages: tuple[Message, ...], candidates: list[Done]) -> Scores:
        expected = solve(question_of(messages))
        return [float(expected is not None and same_answer(extract_number(done.content), expected))
                for done in candidates]


JUDGE_PROMPT = (
    "Question: {question}\nProposed answer: {answer}\n"
    "Is the proposed answer correct? Reply with one word: correct or wrong."
)
YES, NO = ("correct", "Correct"), ("wrong", "Wrong")


class SelfJudge(Verifier):
    name = "self"

    def score(self, messages: tuple[Message, ...], candidates: list[Done]) -> Scores:
        question, options = question_of(messages), TurnOptions(effort=Effort.NONE)
        asks = [Ask((Message(Role.USER, JUDGE_PROMPT.format(question=question, answer=done.content or "(none)")),),
                    options, f"judge {i + 1}", probe=YES + NO) for i, done in enumerate(candidates)]
        judged = yield asks
        return [_p_correct(done.probe) for done in judged]


def _p_correct(probabilities: dict[str, float]) -> float:
    yes, no = sum(probabilities.get(w, 0.0) for w in YES), sum(probabilities.get(w, 0.0) for w in NO)
    return yes / (yes + no) if yes + no > 0 else 0.5


VERIFIERS: dict[str, Callable[[], Verifier]] = {"self": SelfJudge, "checker": TaskChecker}


def verifier_of(spec: str | Verifier | Callable[[str, str], float]) -> Verifier:
    if isinstance(spec, Verifier):
        return spec
    if callable(spec):
        return FunctionVerifier(spec)
    if spec not in VERIFIERS:
        raise InvalidOption("strategy.verifier", f"unknown verifier {spec!r}; use one of {', '.join(VERIFIERS)}")
    return VERIFIERS[spec]()
