"""Exact answers to ponder's own task questions, recomputed from the question text alone.

solve() knows only the exact wordings of arithmetic.PHRASINGS and word.TEMPLATES (its regexes
are built from them, so a new phrasing or template is picked up) and gives the canonical integer
answer, as Problem.answer has it. It does not know any other question, a rewording, extra text
around the question, or numbers written with leading zeros: those give None. It does not check
that the numbers lie in the generators' ranges or which split a problem belongs to.
"""

from __future__ import annotations

import operator
import re
from string import Formatter

from ponder.tasks import arithmetic, word

OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul}
TASK_OF_OP = {"+": "add", "-": "sub", "*": "mul"}
PRONOUN_OF = dict(word.NAMES)
INT = r"0|[1-9]\d*"  # str(int) never writes leading zeros, so neither may the question
FIELDS = {
    "n": "|".join(PRONOUN_OF),
    "m": "|".join(PRONOUN_OF),
    "P": "|".join(sorted(set(PRONOUN_OF.values()))),
    "item": "|".join(word.ITEMS),
    "op": "|".join(map(re.escape, OPS)),
}


def compile_template(template: str) -> re.Pattern[str]:
    """The template as a regex: a field said again (the item, the name) must say the same thing."""
    parts, seen = [], set()
    for literal, field, _, _ in Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(f"(?P={field})" if field in seen else f"(?P<{field}>{FIELDS.get(field, INT)})")
            seen.add(field)
    return re.compile("".join(parts))


ARITHMETIC = [compile_template(phrasing) for phrasing in arithmetic.PHRASINGS]
WORD = [(compile_template(text), steps) for text, _, steps in word.TEMPLATES]


def people_agree(fields: dict[str, str]) -> bool:
    # The generator gives {P} as {n}'s own pronoun and draws {m} as someone else.
    n = fields.get("n")
    return fields.get("P") in (None, PRONOUN_OF.get(n)) and fields.get("m") != n


def run_steps(fields: dict[str, str], steps: tuple) -> int:
    values = {name: int(v) for name, v in fields.items() if v.isdigit()}
    for i, (op, left, right) in enumerate(steps):
        values[f"r{i}"] = OPS[op](values[left], values[right])
    return values[f"r{len(steps) - 1}"]


def solved(question: str) -> tuple[str, int] | None:
    """(task name, exact answer) for a question in one of ponder's phrasings, else None."""
    text = question.strip()
    for pattern in ARITHMETIC:
        if found := pattern.fullmatch(text):
            return TASK_OF_OP[found["op"]], OPS[found["op"]](int(found["a"]), int(found["b"]))
    for pattern, steps in WORD:
        if (found := pattern.fullmatch(text)) and people_agree(found.groupdict()):
            return "word", run_steps(found.groupdict(), steps)
    return None


def solve(question: str) -> str | None:
    """The answer as Problem.answer writes it (e.g. "-123"), or None for any other question."""
    result = solved(question)
    return None if result is None else str(result[1])


def task_of(question: str) -> str | None:
    """Which of ponder's tasks ("add", "sub", "mul", "word") phrased the question, or None."""
    result = solved(question)
    return None if result is None else result[0]
