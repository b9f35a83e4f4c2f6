"""Answer extraction and checking: which number (or phrase) a model's visible answer commits to.

Eval, training's reward and the voting strategies all read answers this one way.

Pure functions over strings, with no imports beyond the standard library, because training
uses is_correct() as its RL reward and calls it once per sampled completion. Strictness is
the point: an answer counts only if the number the text commits to equals the expected one.

How a text commits to a number, strongest first:
  1. an explicit marker: \\boxed{X}, <answer>X</answer>, or "answer is X" / "answer: X" (the
     last marker in the text wins, since models revise themselves);
  2. otherwise the last number in the text ("3 + 4 = 7" -> 7).
Numbers are read with thousands commas ("12,345"), signs ("-17"), decimals ("12.0" equals
"12"), and around units or currency ("42 apples", "$1,250"). A text with no number has no
answer (None), which is never correct.

This module knows nothing about models, tasks or the runtime.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# A sign counts only where it cannot be a binary minus: not after a word, digit or bracket
# ("3-4" is two numbers). Digits may not follow a letter ("x2", "H2O" are names, not numbers)
# nor a period ("v1.2.3" holds 1.2, not also 3). A comma groups thousands only in groups of
# exactly three ("12,345"); "1, 2" and "1,2" are two numbers.
_NUMBER = re.compile(
    r"(?:(?<![\w)\]])(?P<sign>[-\u2212]))?"
    r"(?<![\w.])(?P<int>\d{1,3}(?:,\d{3})+(?!\d)|\d+)"
    r"(?P<frac>\.\d+)?"
)
_BOXED = re.compile(r"\\boxed\s*\{([^{}]*)\}")
_TAG = re.compile(r"<answer>(.*?)</answer>", re.IGNORECASE | re.DOTALL)
# "answer is", "Answer:", "**Answer**: ", "final answer =": the marker; its claim runs to the
# line's end, read through a lookahead so that a later marker on the same line is found too.
_SAID = re.compile(r"\banswer\b[*_\s]*(?:is\b|was\b|=|:)[*_\s:]*(?=([^\n]*))", re.IGNORECASE)
# Where a claim's first clause ends: "7, since 3 + 4 = 7" claims 7, not what the reason computes.
_CLAUSE_END = re.compile(r"[,;]\s|\.(?:\s|$)|\s(?:because|since|as|so|but)\s", re.IGNORECASE)
# What may surround a number that is written on its own: "+5", "$1,250", "12.", "50%".
_DRESSED = re.compile(r"\+?[$\u20ac\u00a3]?(?P<number>.*?)[.%]?")


def extract_number(text: str) -> str | None:
    """The canonical number `text` commits to (e.g. "1250", "-17", "0.5"), or None."""
    for claim in reversed(_marked(text)):
        clause = _CLAUSE_END.split(claim, 1)[0]
        if "=" in clause:  # "answer: 3 + 4 = 7" claims what follows the last equals sign
            clause = clause.rsplit("=", 1)[1]
        number = _first_number(clause) or _first_number(claim)
        if number is not None:
            return number
    return _last_number(text)


def extract_text(text: str) -> str | None:
    """For non-numeric answers: the last marked claim, else the last non-empty line."""
    marked = [claim.strip() for claim in _marked(text) if claim.strip()]
    if marked:
        return marked[-1]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else None


def extract_any(text: str) -> str | None:
    """With no expected answer to go by: the number the text commits to, else its phrase."""
    number = extract_number(text)
    return number if number is not None else (_normal(extract_text(text) or "") or None)


def extract_answer(text: str, expected: str) -> str | None:
    """What `text` answers, read the way `expected` is written: a number, or a phrase."""
    return extract_number(text) if parse_number(expected) is not None else extract_text(text)


def same_answer(answer: str | None, expected: str) -> bool:
    """Whether an extracted answer equals the expected one (numerically, if it is a number)."""
    if answer is None:
        return False
    want = parse_number(expected)
    if want is not None:
        return parse_number(answer) == want
    return _normal(answer) == _normal(expected)


def is_correct(text: str, expected: str) -> bool:
    """Whether the visible answer `text` commits to `expected` (the RL reward: 1 if True)."""
    return same_answer(extract_answer(text, expected), expected)


def parse_number(text: str) -> str | None:
    """`text` as a canonical number if the whole of it is one number ("$1,250." -> "1250")."""
    dressed = _DRESSED.fullmatch(text.strip())
    match = _NUMBER.fullmatch(dressed.group("number")) if dressed else None
    return _canonical(match) if match else None


# ---- helpers ----


def _marked(text: str) -> list[str]:
    """The claims after every explicit marker, in the order they appear in the text."""
    found = [(m.start(), m.group(1)) for pattern in (_BOXED, _TAG, _SAID) for m in pattern.finditer(text)]
    return [claim for _, claim in sorted(found)]


def _first_number(text: str) -> str | None:
    match = _NUMBER.search(text)
    return _canonical(match) if match else None


def _last_number(text: str) -> str | None:
    last = None
    for last in _NUMBER.finditer(text):
        pass
    return _canonical(last) if last else None


def _canonical(match: re.Match) -> str | None:
    """One spelling per value: no commas, no leading zeros, no trailing decimal zeros, no "-0"."""
    digits = match.group("int").replace(",", "") + (match.group("frac") or "")
    try:
        value = Decimal(digits)
    except InvalidOperation:  # cannot happen for what _NUMBER matches; stay total anyway
        return None
    if match.group("sign") and value:
        value = -value
    return format(value.normalize(), "f")


def _normal(text: str) -> str:
    """Case, spacing, markdown emphasis and a final period do not change a phrase answer."""
    return " ".join(text.strip().strip("*_").rstrip(".").split()).casefold()
