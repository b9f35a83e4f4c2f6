"""Addition and subtraction up to 5 digits, multiplication up to 3 digits by 2 digits."""

from __future__ import annotations

import random

from ponder.tasks import written
from ponder.tasks.problem import Problem
from ponder.tasks.trace import Trace

PHRASINGS = ("What is {a} {op} {b}?", "Calculate {a} {op} {b}.", "{a} {op} {b} = ?")


def number(rng: random.Random, max_digits: int) -> int:
    """A number whose digit count is uniform in 1..max_digits, so long ones are common."""
    digits = rng.randint(1, max_digits)
    return rng.randint(0 if digits == 1 else 10 ** (digits - 1), 10**digits - 1)


def make(task: str, op: str, a: int, b: int, rng: random.Random, slip_rate: float) -> Problem:
    trace = Trace(rng, slip_rate)
    solve = {"+": written.add, "-": written.sub, "*": written.mul}[op]
    answer = solve(trace, a, b)
    question = rng.choice(PHRASINGS).format(a=a, op=op, b=b)
    return Problem(task, question, str(answer), trace.freeze(), key=(a, b))


def add(rng: random.Random, slip_rate: float) -> Problem:
    return make("add", "+", number(rng, 5), number(rng, 5), rng, slip_rate)


def sub(rng: random.Random, slip_rate: float) -> Problem:
    return make("sub", "-", number(rng, 5), number(rng, 5), rng, slip_rate)


def mul(rng: random.Random, slip_rate: float) -> Problem:
    # Mostly the full 3-by-2 size: the shorter ones are easy and need fewer examples.
    a = number(rng, 3) if rng.random() < 0.3 else rng.randint(100, 999)
    b = number(rng, 2) if rng.random() < 0.3 else rng.randint(10, 99)
    return make("mul", "*", a, b, rng, slip_rate)
