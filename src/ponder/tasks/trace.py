"""A reasoning trace under construction: text pieces, some of them deliberate slips.

Worked traces sometimes slip (a wrong digit sum), notice it ("wait, ...") and write the
right line, so that a model trained on them learns to check its work. The slip itself is
marked learn=False: training masks it, so the model learns the correction, not the error.

A trace may also take one of two ways where there are two: multiplication's partial products
from the units digit of the multiplier (the usual way) or from its tens digit. A model trained
on both samples both, and two ways to one answer slip in different places, so a vote over
samples has disagreeing errors to outvote (written.mul says how the layouts differ).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    """How worked traces are written: how often a value slips, and how often a multiplication
    goes from the multiplier's tens digit."""
    slip_rate: float = 0.0
    tens_first: float = 0.0


class Trace:
    def __init__(self, rng: random.Random, slip_rate: float = 0.0, tens_first: float = 0.0):
        self.rng = rng
        self.slip_rate = slip_rate  # chance that any one computed value is first written wrong
        self.tens_first = tens_first  # chance that a multiplication starts from the tens digit
        self.pieces: list[tuple[str, bool]] = []

    @classmethod
    def styled(cls, rng: random.Random, style: Style) -> Trace:
        return cls(rng, style.slip_rate, style.tens_first)

    def goes_tens_first(self) -> bool:
        # (draws only where the style asks for both ways, so a recipe without it draws as before)
        return bool(self.tens_first) and self.rng.random() < self.tens_first

    def say(self, text: str) -> None:
        if self.pieces and self.pieces[-1][1]:
            self.pieces[-1] = (self.pieces[-1][0] + text, True)
        else:
            self.pieces.append((text, True))

    def value(self, lhs: str, result: int, slip_rate: float | None = None, leading: bool = False) -> None:
        """Write `lhs=result`, sometimes first with a wrong result that is then corrected.
        slip_rate: this value's own chance (else the trace's); leading: the slip is in the
        leading digit (a number copied from above), not off by one or ten (a step)."""
        rate = slip_rate if slip_rate is not None and self.slip_rate else self.slip_rate  # a clean trace stays clean
        self.say(f"{lhs}=")
        if rate and self.rng.random() < rate:
            wrong = wrong_leading(self.rng, result) if leading and result >= 10 else wrong_value(self.rng, result)
            self.pieces.append((str(wrong), False))
            self.say(f" wait, {lhs}=")
        self.say(str(result))

    def freeze(self) -> tuple[tuple[str, bool], ...]:
        return tuple(self.pieces)


def clean(work: Callable[[Trace], object]) -> str:
    """The text `work` writes into a trace that never slips (and so never draws)."""
    trace = Trace(random.Random(0))
    work(trace)
    return "".join(text for text, _ in trace.freeze())


def wrong_leading(rng: random.Random, right: int) -> int:
    """A copy's slip, as the third reasoner made them: the leading digit one off, mostly one too
    small (`2502` copied as `1502`)."""
    step = 10 ** (len(str(right)) - 1)
    down = right - step >= step  # the number keeps its length
    return right - step if down and rng.random() < 0.75 else right + step


def wrong_value(rng: random.Random, right: int) -> int:
    """A plausible slip: off by one or by ten, never negative, never right."""
    candidates = [v for v in (right - 1, right + 1, right - 10, right + 10) if v >= 0]
    return rng.choice(candidates)
