"""vote (self-consistency): n samples in parallel from one shared prompt, majority answer."""

from __future__ import annotations

from collections.abc import Callable

from ponder.answers import extract_any
from ponder.config import TurnOptions
from ponder.strategies.base import Outcome, Run, Strategy, check_count
from ponder.strategies.candidates import candidate_asks, describe, votes_line
from ponder.strategies.tally import chosen_index, tally
from ponder.types import Message


class Vote(Strategy):
    name = "vote"

    def __init__(self, n: int = 8, extract: Callable[[str], str | None] = extract_any):
        self.width, self.extract = check_count("n", n), extract

    def run(self, messages: tuple[Message, ...], options: TurnOptions) -> Run:
        dones = yield candidate_asks(messages, options, self.width)
        answers = [self.extract(done.content) for done in dones]
        logprobs = [done.result.mean_logprob for done in dones]
        winner, votes = tally(answers, logprobs)
        chosen = chosen_index(winner, answers, logprobs)
        report = {
            "name": self.name, "n": self.width, "answer": winner, "votes": dict(votes), "chosen": chosen,
            "candidates": [describe(done, answer) for done, answer in zip(dones, answers)],
        }
        return Outcome(dones[chosen], report, votes_line(dict(votes), winner))
