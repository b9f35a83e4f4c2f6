"""Reading a model's arithmetic trace: its slips, its corrections, and where it first went wrong.

Worked traces (written.py) state every step as an equation, `8*7=56`, `56+1=57`, `4+0+1=5`,
and training shows some of them slipping and being corrected: `56+1=58 wait, 56+1=57`. So a
generated trace can be audited without knowing the problem:

- a slip is a step's equation whose stated value is wrong (`56+1=58`); a conclusion (`so
  868*82=71176`) restates what the steps computed, so it is not a step and never a slip;
- a correction is an equation rewritten after "wait," with the same left side; it is right
  when the rewritten value is; one written after a right value is a false alarm.

Against the worked trace of the same problem, with corrections applied (the corrected value
replaces the slip), the first token where the two part says what kind of error came first:
`value` (a step's result: a digit fact or a carry sum), `carry` (the carry a step adds), `copy`
(any other number: an operand rewritten, the result so far, a partial product carried into the
sum), `format` (not a number), `cut` (the trace stops early), or none when it never departs.
Where a problem has more than one worked trace (a multiplication from either end), a trace
follows the one it leaves last: it departs only where it leaves every one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from os.path import commonprefix

EQUATION = re.compile(r"(?<![\d+*-])(\d+(?:[+*-]\d+)+)=(-?\d+)(?![\d+*-])")
CORRECTION = re.compile(r"\s*wait,\s*(\d+(?:[+*-]\d+)+)=(-?\d+)(?![\d+*-])")
SLIP_AND_WAIT = re.compile(r"(\d+(?:[+*-]\d+)+)=-?\d+ wait, \1=")
TOKEN = re.compile(r"->|\d+|\n|\S")  # line breaks count: a line tells a copy from a step
KINDS = ("value", "carry", "copy", "format", "cut")


@dataclass(frozen=True)
class Audit:
    equations: int  # step equations the trace states, corrections included
    slips: int  # of them, stated with a wrong value (before any correction)
    corrected: int  # slips rewritten after "wait,"
    right_corrections: int  # corrections whose new value is right
    false_alarms: int  # "wait," after a right value
    departure: str | None  # the kind of the first difference from the worked trace; None: none
    way: int = 0  # which of the problem's worked traces it follows (0: the usual; 1: tens first)

    def to_dict(self) -> dict:
        return asdict(self)


def audit(trace: str, worked: str | Sequence[str]) -> Audit:
    equations = slips = corrected = right = false_alarms = 0
    for found in EQUATION.finditer(trace):
        if trace.endswith("so ", 0, found.start()):
            continue
        lhs, value = found.group(1), int(found.group(2))
        equations += 1
        wrong = value != evaluate(lhs)
        slips += wrong
        again = CORRECTION.match(trace, found.end())
        if again and again.group(1) == lhs:
            if wrong:
                corrected += 1
                right += int(again.group(2)) == evaluate(lhs)
            else:
                false_alarms += 1
    way, found = follow(trace, worked)
    return Audit(equations, slips, corrected, right, false_alarms, found[0] if found else None, way)


def evaluate(lhs: str) -> int:
    """The value of `a+b-c*d` as the traces mean it: * before + and -, left to right."""
    total, sign = 0, 1
    for term, op in re.findall(r"([\d*]+)([+-]?)", lhs):
        product = 1
        for factor in term.split("*"):
            product *= int(factor)
        total += sign * product
        sign = -1 if op == "-" else 1
    return total


def departing(trace: str, worked: str | Sequence[str]) -> tuple[str, int, int] | None:
    """The first departure's kind and where it lies in `trace`: from the first wrong character
    to the end of its number, or the character after a number cut short (a trace that stops
    early departs at its end); None where it never departs. Of several worked traces, the one
    the trace follows longest."""
    return follow(trace, worked)[1]


def follow(trace: str, worked: str | Sequence[str]) -> tuple[int, tuple[str, int, int] | None]:
    """Which worked trace the trace follows longest (its index), and its departure from that one."""
    ways = [worked] if isinstance(worked, str) else list(worked)
    found = [departing_one(trace, one) for one in ways]
    way = max(range(len(ways)), key=lambda i: len(trace) + 1 if found[i] is None else found[i][1])
    return way, found[way]


def departing_one(trace: str, worked: str) -> tuple[str, int, int] | None:
    text, origin = applied(trace)
    mine = list(TOKEN.finditer(text))
    # stripped: the reasoning a reply carries has lost the worked trace's last line break
    while mine and mine[0].group() == "\n":
        mine.pop(0)
    while mine and mine[-1].group() == "\n":
        mine.pop()
    gold = TOKEN.findall(worked.strip())
    for i, expected in enumerate(gold):
        if i >= len(mine):
            return "cut", len(trace), len(trace)
        if mine[i].group() != expected:
            same = len(commonprefix([mine[i].group(), expected]))
            if same < len(mine[i].group()):  # `67440` for `67340`: from the 4 to the number's end
                return kind(gold, i), origin[mine[i].start() + same], origin[mine[i].end() - 1] + 1
            # a number cut short (`660` for `6600`): the wrong choice is what the trace wrote next
            after = origin[mine[i].end()] if mine[i].end() < len(origin) else len(trace)
            return kind(gold, i), after, after + 1
    return None


def applied(trace: str) -> tuple[str, list[int]]:
    """The trace with each corrected slip replaced by its correction, and for each of its
    characters the offset it came from in `trace`."""
    parts, origin, last = [], [], 0
    for slip in SLIP_AND_WAIT.finditer(trace):
        kept = slip.start() + len(slip.group(1)) + 1  # `lhs=` stays, `wrong wait, lhs=` goes
        parts.append(trace[last:kept])
        origin += range(last, kept)
        last = slip.end()
    parts.append(trace[last:])
    origin += range(last, len(trace))
    return "".join(parts), origin


def kind(tokens: list[str], i: int) -> str:
    if not tokens[i].isdigit():
        return "format"
    before = tokens[i - 1] if i else ""
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    if (before == "=" or (before == "-" and i > 1 and tokens[i - 2] == "=")) and after not in ("*", "+", "-"):
        # (after `8*76=`, `76*8` is the operands swapped: a copy; so is a partial product
        # recalled by its name, `868*2=1736` on a line of its own)
        return "copy" if recalled(tokens, i) else "value"
    if before == "+" and after == "=" and in_column(tokens, i):
        return "carry"
    return "copy"


def recalled(tokens: list[str], i: int) -> bool:
    """Whether token i is a value on a line with neither a column (`:`) nor a conclusion (`so`)."""
    for token in reversed(tokens[:i]):
        if token == ":" or token.isalpha():
            return False
        if token == "\n":
            return True
    return True


def in_column(tokens: list[str], i: int) -> bool:
    """Whether token i sits in a column step (after the line's `:`), not in a line's heading."""
    for token in reversed(tokens[:i]):
        if token == ":":
            return True
        if token in ("so", "\n") or token.isalpha():
            return False
    return False
