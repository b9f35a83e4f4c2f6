"""A problem's shape: how many digits each operand has, as the question writes them.

A task's accuracy hides its hardest problems behind its easy ones (most of mul's problems are
3 by 2 digits, but its 2-by-1s are right three times as often), so eval reports accuracy per
shape too, and a task spec can ask for one shape only ("mul:3x2": the question's first
operand has 3 digits, its second 2). Shapes read "3x2" for multiplication, "5+4" for addition
and "5-4" for subtraction; word problems have none.
"""

from __future__ import annotations

import re

from ponder.errors import InvalidOption
from ponder.tasks.problem import Problem

SIGNS = {"add": "+", "sub": "-", "mul": "x"}
PATTERN = re.compile(r"([1-9])([+x-])([1-9])")


def shape_of(problem: Problem) -> str | None:
    sign = SIGNS.get(problem.task)
    if sign is None:
        return None
    a, b = problem.key
    return f"{len(str(a))}{sign}{len(str(b))}"


def check_shape(task: str, shape: str) -> str:
    """The shape a spec names, checked against the task's own sign ("3x2" for mul)."""
    sign = SIGNS.get(task)
    if sign is None:
        raise InvalidOption("task", f"task {task!r} has no operand shapes; shapes are for {', '.join(SIGNS)}")
    found = PATTERN.fullmatch(shape)
    if found is None or found.group(2) != sign:
        raise InvalidOption("task", f"shape {shape!r} of {task}: write the operands' digit counts as "
                                    f"A{sign}B, for example 3{sign}2")
    return shape
