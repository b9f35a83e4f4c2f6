"""vote (self-consistency): n samples in parallel from one shared prompt, majority answer.

With keep < 1, only the surest samples vote, by their mean log-probability per token
(tally.py says why); `vote@N/surest` keeps a tenth of them, at least one. With consistent,
only the samples whose reasoning never states one expression equal to two values vote
(consistency.py says why); `vote@N/consistent`. Both together: the surest of the consistent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from ponder.answers import extract_any
from ponder.config import TurnOptions
from ponder.errors import InvalidOption
from ponder.strategies.base import Outcome, Run, Strategy, check_count, reasoning_tokens
from ponder.strategies.candidates import candidate_asks, describe, votes_line
from ponder.strategies.consistency import contradicting
from ponder.strategies.tally import chosen_index, surest, tally
from ponder.types import Message

SUREST = 0.1  # the share `/surest` lets vote (DeepConf's aggressive filter): of 8, the surest one


class Vote(Strategy):
    name = "vote"

    def __init__(self, n: int = 8, keep: float = 1.0, consistent: bool = False,
                 extract: Callable[[str], str | None] = extract_any):
        self.width, self.keep, self.extract = check_count("n", n), check_share("keep", keep), extract
        self.consistent = check_flag("consistent", consistent)

    @property
    def count(self) -> int:
        return self.width

    @property
    def spec(self) -> str:
        spec = super().spec
        if self.keep < 1:
            spec += "/surest" if self.keep == SUREST else f"/keep{Decimal(repr(self.keep)):f}"  # 1e-05 as 0.00001
        return spec + "/consistent" if self.consistent else spec

    def check(self, messages: Sequence[Message], options: TurnOptions, max_n: int) -> None:
        super().check(messages, options, max_n)
        if self.consistent and not reasoning_tokens(options):
            raise InvalidOption("strategy", "vote/consistent reads each sample's reasoning, and effort none has none")

    def run(self, messages: tuple[Message, ...], options: TurnOptions) -> Run:
        dones = yield candidate_asks(messages, options, self.width)
        answers = [self.extract(done.content) for done in dones]
        logprobs = [done.result.mean_logprob for done in dones]
        contradicted = contradicting([done.result.message.reasoning for done in dones]) if self.consistent else []
        allowed = [None if i in contradicted else answer for i, answer in enumerate(answers)]
        everyone = all(answer is None for answer in allowed)  # all contradict: the filter cannot tell them apart
        if everyone:
            allowed = answers
        voters = surest(allowed, logprobs, self.keep)
        winner, votes = tally([answers[i] for i in voters], [logprobs[i] for i in voters])
        chosen = chosen_index(winner, allowed, logprobs)  # a sample that voted speaks for the winner
        report = {
            "name": self.name, "n": self.width, "answer": winner, "votes": dict(votes), "chosen": chosen,
            "candidates": [describe(done, answer) for done, answer in zip(dones, answers)],
        }
        if self.keep < 1 or self.consistent:
            report |= {"voters": voters}
        if self.keep < 1:
            report |= {"keep": self.keep}
        if self.consistent:
            report |= {"consistent": True, "contradicted": contradicted}
        line = votes_line(dict(votes), winner, self._who(voters, contradicted, everyone))
        return Outcome(dones[chosen], report, line, tuple(dones))

    def _who(self, voters: list[int], contradicted: list[int], everyone: bool) -> str:
        """Which samples voted, for the votes line, where not all could: " (the surest 1 of 8)"."""
        parts = []
        if contradicted:
            parts.append(f"{len(contradicted)} contradicted {'themselves' if len(contradicted) > 1 else 'itself'}"
                         + (": no consistent sample answered, all voted" if everyone else ", left out"))
        if self.keep < 1:
            parts.append(f"the surest {len(voters)} " + ("of those left" if contradicted and not everyone
                                                         else f"of {self.width}"))
        return f" ({'; '.join(parts)})" if parts else ""


def check_flag(param: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidOption(f"strategy.{param}", f"must be true or false, got {value!r}")
    return value


def check_share(param: str, value: object) -> float:
    """A share of the samples, as given by a caller: a number in (0, 1]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise InvalidOption(f"strategy.{param}", f"must be a number above 0 and at most 1, got {value!r}")
    return float(value)
