"""Whether a reasoning trace contradicts itself: one expression stated equal to two values.

A small model's wrong answers repeat across samples (a partial product it recalls wrong, the
same way each time), so a plain majority often forms around them. But the trace that recalled
`632*8=4056` had worked out `632*8=5056` a few lines up: it contradicts itself, and a reader
who only compares what the trace says with what it said before (no arithmetic of its own)
can tell. Of the sixth ponder-reasoner's vote@8 samples on 500 3-by-2 multiplications of a fresh draw,
87.6% of the wrong ones contradicted themselves and 18.8% of the right ones, and a vote among
the samples that never do (`vote@8/consistent`) got 97.0% against greedy's 92.0% and the
plain majority's 93.2% (94.8, 90.8 and 91.6% on the acceptance set; the model card).

A value the trace takes back (`2*8=15 wait, 2*8=16`, `=15? Hmm, wait`) does not count:
retracting a slip is what a careful reasoner does. Expressions are integers joined by + - * /
(spaces allowed; the same expression with other spacing is the same expression). What it
cannot read: a retraction in other words (`Actually, 2*8=16`) still counts both values, and
"wait" takes back the value just before it even when that one was right; modular or other
non-standard arithmetic (`7+8=3 (mod 12)`) reads as a contradiction of `7+8=15`.
"""

from __future__ import annotations

import re
from fractions import Fraction

# A statement: integers joined by operators, "=", a number. Not read as one: a term that
# continues a number or a name (`1,200`, `2^3`, `x2`, `1.5`), and a value that an operator or
# another digit group follows (`347*86 = 347*80 + ...` states no value).
_STATED = re.compile(
    r"(?<![\w.\-^*/:])(?<!\d,)(?P<expr>\d+(?:\s*[-+*/×]\s*\d+)+)\s*=\s*(?P<value>-?\d+(?:\.\d+)?)"
    r"(?!\w|\.\d|,\d{3}(?!\d)|\s*[-+*/×^(]\s*[\d(])"
    r"(?P<retracted>\s*(?:[,.;:!?]+|--|—)?\s*(?:(?:no|hmm|oh)\s*,?\s*)?wait\b)?",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")


def stated_values(reasoning: str) -> dict[str, set[Fraction]]:
    """Each expression the trace states, with the values it lets stand (5 and 5.0 are one)."""
    values: dict[str, set[Fraction]] = {}
    for match in _STATED.finditer(reasoning):
        if match["retracted"]:
            continue
        expr = _SPACE.sub("", match["expr"]).replace("×", "*")
        values.setdefault(expr, set()).add(Fraction(match["value"]))
    return values


def contradiction(reasoning: str | None) -> tuple[str, list[str]] | None:
    """The first expression stated equal to two values (and those values), or None."""
    for expr, values in stated_values(reasoning or "").items():
        if len(values) > 1:
            return expr, [_text(value) for value in sorted(values)]
    return None


def _text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def contradicting(reasonings: list[str | None]) -> list[int]:
    """The samples whose reasoning contradicts itself."""
    return [i for i, reasoning in enumerate(reasonings) if contradiction(reasoning) is not None]
