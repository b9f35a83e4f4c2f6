"""Multi-step arithmetic word problems from templates, solved with written arithmetic."""

from __future__ import annotations

import random

from ponder.tasks import written
from ponder.tasks.problem import Problem
from ponder.tasks.trace import Style, Trace, clean

NAMES = (("Tom", "He"), ("Anna", "She"), ("Sam", "He"), ("Mia", "She"), ("Leo", "He"), ("Zoe", "She"))
ITEMS = ("apples", "books", "stickers", "marbles", "cards", "coins")

# template, then how to draw its numbers, then the steps as (op, left, right) over names of
# numbers or of earlier step results ("r0", "r1").
TEMPLATES = (
    ("{n} has {a} {item}. {P} buys {b} more. How many {item} does {n} have now?",
     {"a": (2, 999), "b": (2, 999)}, (("+", "a", "b"),)),
    ("{n} has {a} {item} and gives {b} of them to {m}. How many {item} does {n} have left?",
     {"a": (50, 999), "b": (2, 49)}, (("-", "a", "b"),)),
    ("{n} buys {b} boxes of {item}. Each box has {c} {item}. How many {item} does {n} buy?",
     {"b": (2, 99), "c": (2, 99)}, (("*", "b", "c"),)),
    ("{n} has {a} {item}. {P} buys {b} boxes with {c} {item} in each box. How many {item} does {n} have now?",
     {"a": (2, 99), "b": (2, 9), "c": (2, 99)}, (("*", "b", "c"), ("+", "a", "r0"))),
    ("{n} has {a} {item}. {P} buys {b} boxes with {c} {item} in each box, then gives {d} {item} to {m}. "
     "How many {item} does {n} have now?",
     {"a": (2, 99), "b": (2, 9), "c": (2, 99), "d": (2, 20)}, (("*", "b", "c"), ("+", "a", "r0"), ("-", "r1", "d"))),
    ("{n} has {b} bags with {c} {item} in each bag and loses {d} {item}. How many {item} are left?",
     {"b": (2, 9), "c": (10, 99), "d": (2, 19)}, (("*", "b", "c"), ("-", "r0", "d"))),
)

SOLVERS = {"+": written.add, "-": written.sub, "*": written.mul}


def word(rng: random.Random, style: Style) -> Problem:
    index = rng.randrange(len(TEMPLATES))
    text, ranges, steps = TEMPLATES[index]
    values = {name: rng.randint(lo, hi) for name, (lo, hi) in ranges.items()}
    (n, pronoun), (m, _) = rng.sample(NAMES, 2)
    question = text.format(n=n, P=pronoun, m=m, item=rng.choice(ITEMS), **values)
    trace = Trace.styled(rng, style)
    answer = solve(trace, steps, values)
    multiplies = any(op == "*" for op, _, _ in steps)
    rework = (lambda tens_first: clean(lambda t: solve(t, steps, values, tens_first))) if multiplies else None
    return Problem("word", question, str(answer), trace.freeze(), key=(index, question), rework=rework)


def solve(trace: Trace, steps, values: dict, tens_first: bool | None = None) -> int:
    values = dict(values)
    for i, (op, left, right) in enumerate(steps):
        x, y = values[left], values[right]
        values[f"r{i}"] = written.mul(trace, x, y, tens_first) if op == "*" else SOLVERS[op](trace, x, y)
    return values[f"r{len(steps) - 1}"]


def every_wording() -> list[str]:
    """Each template with each name, pronoun and item: all words this task can ever say."""
    numbers = {k: 12 for k in "abcd"}
    return [text.format(n=n, P=p, m=m, item=item, **numbers)
            for text, _, _ in TEMPLATES for (n, p), (m, _) in zip(NAMES, NAMES[1:] + NAMES[:1]) for item in ITEMS]
