"""Ponder's own generated tasks (ponder.tasks), on their eval split.

The eval split never overlaps the problems that training draws (ponder.tasks.split), so a
score here is on unseen problems. Answers are integers, checked by ponder.answers, the
same functions training uses as its reward. Each item carries its operand shape ("3x2"), and
"mul:3x2" evaluates one shape only.
"""

from __future__ import annotations

from ponder.errors import InvalidOption
from ponder.eval.sources import EvalTask, Item, numeric_check, numeric_extract


def builtin_task(name: str, n: int, seed: int) -> EvalTask:
    from ponder.tasks import TASK_NAMES, get_task  # the generators are only needed when named
    from ponder.tasks.shape import shape_of

    if name.partition(":")[0] not in TASK_NAMES:
        known = ", ".join(TASK_NAMES)
        raise InvalidOption("task", f"unknown task {name!r}; use one of {known} (or one shape of it, "
                                    f"mul:3x2), gym:NAME, or a .jsonl file")
    problems = get_task(name).problems(n, seed=seed, split="eval")
    items = [Item(problem.question, problem.answer, problem, shape_of(problem)) for problem in problems]
    return EvalTask(name, items, numeric_extract, numeric_check)
