"""Addition and subtraction up to 5 digits, multiplication up to 3 digits by 2 digits."""

from __future__ import annotations

import random

from ponder.tasks import written
from ponder.tasks.problem import Problem
from ponder.tasks.trace import Style, Trace, clean

PHRASINGS = ("What is {a} {op} {b}?", "Calculate {a} {op} {b}.", "{a} {op} {b} = ?")


def number(rng: random.Random, max_digits: int) -> int:
    """A number whose digit count is uniform in 1..max_digits, so long ones are common."""
    digits = rng.randint(1, max_digits)
    return rng.randint(0 if digits == 1 else 10 ** (digits - 1), 10**digits - 1)


def make(task: str, op: str, a: int, b: int, rng: random.Random, style: Style) -> Problem:
    trace = Trace.styled(rng, style)
    solve = {"+": written.add, "-": written.sub, "*": written.mul}[op]
    answer = solve(trace, a, b)
    question = rng.choice(PHRASINGS).format(a=a, op=op, b=b)
    rework = (lambda tens_first: clean(lambda t: written.mul(t, a, b, tens_first))) if op == "*" else None
    return Problem(task, question, str(answer), trace.freeze(), key=(a, b), rework=rework)


def add(rng: random.Random, style: Style) -> Problem:
    return make("add", "+", number(rng, 5), number(rng, 5), rng, style)


def sub(rng: random.Random, style: Style) -> Problem:
    return make("sub", "-", number(rng, 5), number(rng, 5), rng, style)


def mul(rng: random.Random, style: Style) -> Problem:
    # Mostly the full 3-by-2 size: the shorter ones are easy and need fewer examples.
    a = number(rng, 3) if rng.random() < 0.3 else rng.randint(100, 999)
    b = number(rng, 2) if rng.random() < 0.3 else rng.randint(10, 99)
    return make("mul", "*", a, b, rng, style)
