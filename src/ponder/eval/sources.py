"""Where eval problems come from, behind one shape: a named list of items and how to check them.

A task spec names one of three sources:
  - ponder's own generators ("add", "sub", "mul", "word"), the same ones training draws from,
    or one operand shape of them ("mul:3x2");
  - a reasoning-gym dataset ("gym:basic_arithmetic"), generated offline and scored by the
    dataset's own score_answer;
  - a JSONL file of {"question": ..., "answer": ...} lines ("path/to/file.jsonl").
Each source decides how an answer is read out of a reply (extract) and when it is right
(check), so voting and reporting never need to know which source a task came from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ponder.errors import InvalidOption
from ponder import answers

GYM_PREFIX = "gym:"


@dataclass(frozen=True)
class Item:
    question: str
    expected: str  # the reference answer, as the source writes it
    entry: Any = field(default=None, compare=False)  # the source's own record (reasoning-gym scores with it)
    shape: str | None = None  # the operands' digit counts ("3x2"), where the source knows them


@dataclass(frozen=True)
class EvalTask:
    name: str
    items: list[Item]
    extract: Callable[[str, Item], str | None]  # the visible reply -> the answer it gives
    check: Callable[[str | None, Item], bool]  # an extracted (or voted) answer -> right or not
    system: str | None = None  # a system message sent before each question


def numeric_extract(content: str, item: Item) -> str | None:
    return answers.extract_answer(content, item.expected)


def numeric_check(answer: str | None, item: Item) -> bool:
    return answers.same_answer(answer, item.expected)


def split_specs(spec: str) -> list[str]:
    """"add,gym:chain_sum" -> ["add", "gym:chain_sum"], rejecting empty names and repeats."""
    names = [name.strip() for name in spec.split(",")]
    if not all(names):
        raise InvalidOption("task", f"empty task name in {spec!r}")
    if len(set(names)) != len(names):
        raise InvalidOption("task", f"a task is named twice in {spec!r}")
    return names


def load_task(name: str, n: int, seed: int) -> EvalTask:
    """The first n problems of the named task (fewer if a JSONL file holds fewer)."""
    if n < 1:
        raise InvalidOption("n", f"must be at least 1, got {n}")
    if name.startswith(GYM_PREFIX):
        from ponder.eval.gym import gym_task  # reasoning-gym is slow to import: only when asked for

        return gym_task(name[len(GYM_PREFIX):], n, seed)
    if looks_like_path(name):
        from ponder.eval.jsonl import jsonl_task

        return jsonl_task(Path(name), n)
    from ponder.eval.builtin import builtin_task

    return builtin_task(name, n, seed)


def looks_like_path(name: str) -> bool:
    return name.endswith(".jsonl") or "/" in name or Path(name).exists()
