"""refine: answer, critique the answer in a new reasoning phase, revise; up to k rounds.

Each critique and revision is a turn of its own on a derived conversation (the draft and the
critique appended as visible turns), so it reasons afresh with the draft in view. The loop
stops early when a critique finds nothing; the last revision answers.
"""

from __future__ import annotations

import re

from ponder.config import TurnOptions
from ponder.strategies.base import Ask, Outcome, Run, Strategy, check_count
from ponder.types import Message, Role

CRITIQUE = ("Check your answer above step by step. If it is right, reply with exactly: no mistakes. "
            "Otherwise say what is wrong.")
REVISE = "Now answer the original question again, fixing that mistake."
_NOTHING = re.compile(r"\bno (?:mistakes?|errors?|issues?)\b|^\W*(?:correct|it is right)\b", re.IGNORECASE)


def finds_nothing(critique: str) -> bool:
    return bool(_NOTHING.search(critique.strip()))


class Refine(Strategy):
    name = "refine"
    needs_reasoning = True

    def __init__(self, rounds: int = 2):
        self.rounds = check_count("rounds", rounds)

    @property
    def count(self) -> int:
        return self.rounds

    def run(self, messages: tuple[Message, ...], options: TurnOptions) -> Run:
        (draft,) = yield [Ask(messages, options, "draft")]
        critiques, stopped = [], "rounds used up"
        for round_ in range(1, self.rounds + 1):
            asked = (*messages, Message(Role.ASSISTANT, draft.content), Message(Role.USER, CRITIQUE))
            (critique,) = yield [Ask(asked, options, f"critique {round_}")]
            critiques.append(critique.content)
            if finds_nothing(critique.content):
                stopped = "the critique found nothing"
                break
            revise = (*asked, Message(Role.ASSISTANT, critique.content), Message(Role.USER, REVISE))
            (draft,) = yield [Ask(revise, options, f"revision {round_}")]
        report = {"name": self.name, "rounds": len(critiques), "max_rounds": self.rounds, "stopped": stopped,
                  "critiques": critiques}
        return Outcome(draft, report, f"[refine] {len(critiques)} critique(s); {stopped}")
