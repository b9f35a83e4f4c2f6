"""best_of_n: n samples in parallel, each scored by a verifier, the best one answers.

Candidates that tie on the top score are settled as vote settles them (most frequent answer
among them, then the model's confidence), so a 0/1 checker with several right candidates
still picks well, and a verifier that scores everything alike degrades to vote.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence

from ponder.answers import extract_any
from ponder.config import TurnOptions
from ponder.strategies.base import Outcome, Run, Strategy, check_count
from ponder.strategies.candidates import candidate_asks, describe
from ponder.strategies.tally import chosen_index, tally
from ponder.strategies.verifiers import Verifier, verifier_of
from ponder.types import Message


class BestOfN(Strategy):
    name = "best_of_n"

    def __init__(self, n: int = 8, verifier: str | Verifier | Callable[[str, str], float] = "self",
                 extract: Callable[[str], str | None] = extract_any):
        self.width, self.verifier, self.extract = check_count("n", n), verifier_of(verifier), extract

    def check(self, messages: Sequence[Message], options: TurnOptions, max_n: int) -> None:
        super().check(messages, options, max_n)
        self.verifier.check(messages)

    @property
    def count(self) -> int:
        return self.width

    @property
    def spec(self) -> str:
        return f"{super().spec}/{self.verifier.name}"

    def run(self, messages: tuple[Message, ...], options: TurnOptions) -> Run:
        dones = yield candidate_asks(messages, options, self.width)
        scores = self.verifier.score(messages, dones)
        if isinstance(scores, Generator):
            scores = yield from scores
        answers = [self.extract(done.content) for done in dones]
        logprobs = [done.result.mean_logprob for done in dones]
        best = max(scores)
        top = [i for i, score in enumerate(scores) if score == best]
        winner, _ = tally([answers[i] for i in top], [logprobs[i] for i in top])
        chosen = top[chosen_index(winner, [answers[i] for i in top], [logprobs[i] for i in top])]
        report = {
            "name": self.name, "n": self.width, "verifier": self.verifier.name, "answer": answers[chosen],
            "chosen": chosen, "scores": [round(s, 4) for s in scores],
            "candidates": [describe(d, a, score=round(s, 4)) for d, a, s in zip(dones, answers, scores)],
        }
        report["verifier_decided"] = len(top) < len(scores)  # False: it told no candidate apart
        shown = ", ".join(f"{s:.2f}" for s in scores)
        settled = "" if report["verifier_decided"] else " (all alike: settled as vote)"
        summary = f"[{self.verifier.name} scores] {shown}{settled} → candidate {chosen + 1} ({answers[chosen]})"
        return Outcome(dones[chosen], report, summary, tuple(dones))
