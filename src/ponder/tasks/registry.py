"""Task names, and drawing n problems of one split reproducibly from a seed.

A task may be narrowed to one operand shape ("mul:3x2"): its problems are then the ones of
that shape among the task's own draws, in the same order.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from ponder.errors import InvalidOption
from ponder.tasks import arithmetic, word
from ponder.tasks.problem import Problem
from ponder.tasks.shape import check_shape, shape_of
from ponder.tasks.split import split_of
from ponder.tasks.trace import Style

GENERATORS: dict[str, Callable[[random.Random, Style], Problem]] = {
    "add": arithmetic.add,
    "sub": arithmetic.sub,
    "mul": arithmetic.mul,
    "word": word.word,
}
TASK_NAMES = tuple(GENERATORS)


@dataclass(frozen=True)
class Task:
    name: str
    shape: str | None = None  # only problems of this shape ("3x2"); None: every shape

    @property
    def spec(self) -> str:
        return self.name if self.shape is None else f"{self.name}:{self.shape}"

    def problems(self, n: int, seed: int = 0, split: str = "eval", style: Style = Style()) -> list[Problem]:
        """n distinct problems of the split ("train" or "eval"), their traces written in the
        style (clean and the usual way unless it says otherwise); the same seed gives the same list."""
        if split not in ("train", "eval"):
            raise InvalidOption("split", f"must be train or eval, not {split!r}")
        rng = random.Random(f"{self.name}:{split}:{seed}")
        generate, seen, out = GENERATORS[self.name], set(), []
        for _ in range(n * 1000):
            problem = generate(rng, style)
            if self.shape is not None and shape_of(problem) != self.shape:
                continue
            if split_of(self.name, problem.key) == split and problem.key not in seen:
                seen.add(problem.key)
                out.append(problem)
                if len(out) == n:
                    return out
        raise InvalidOption("n", f"task {self.spec!r} cannot draw {n} distinct {split} problems")


def get_task(spec: str) -> Task:
    """A task by name, or by name and shape: "mul", "mul:3x2"."""
    name, _, shape = spec.partition(":")
    if name not in GENERATORS:
        raise InvalidOption("task", f"unknown task {name!r}; ponder's tasks are {', '.join(TASK_NAMES)}")
    return Task(name, check_shape(name, shape) if shape else None)
