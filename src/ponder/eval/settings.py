"""The grid an eval runs: every (task, effort, samples) setting, from comma-separated flags.

Also the seed of every sample, derived from the run's seed, the problem and the sample so a
run is reproducible, and the samples of one problem differ from one another.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ponder.errors import InvalidOption
from ponder.types import Effort


@dataclass(frozen=True)
class Setting:
    task: str
    effort: Effort
    samples: int  # samples per problem, combined by majority vote

    @property
    def label(self) -> str:
        return f"{self.effort.value}×{self.samples}"


def parse_efforts(text: str) -> list[Effort]:
    names = _items(text, "effort")
    known = {e.value: e for e in Effort}
    for name in names:
        if name.lower() not in known:
            raise InvalidOption("effort", f"unknown effort {name!r}; use one or more of {', '.join(known)}")
    return _unique([known[name.lower()] for name in names], "effort")


def parse_samples(text: str) -> list[int]:
    counts = []
    for item in _items(text, "samples"):
        if not item.isdigit() or int(item) < 1:
            raise InvalidOption("samples", f"each must be a positive integer, got {item!r}")
        counts.append(int(item))
    return _unique(counts, "samples")


def grid(tasks: list[str], efforts: list[Effort], samples: list[int]) -> list[Setting]:
    """Every combination, task by task, so one task's curve fills in before the next starts."""
    return [Setting(task, effort, count) for task in tasks for effort in efforts for count in samples]


def sample_seed(seed: int, problem: int, sample: int) -> int:
    """A stable 31-bit seed per (run seed, problem, sample): the same on every machine and run."""
    digest = hashlib.blake2b(f"{seed}/{problem}/{sample}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") & 0x7FFFFFFF


def _items(text: str, param: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise InvalidOption(param, f"empty value in {text!r}; give a comma-separated list")
    return items


def _unique(values: list, param: str) -> list:
    for i, value in enumerate(values):
        if value in values[:i]:
            shown = value.value if isinstance(value, Effort) else value
            raise InvalidOption(param, f"{shown} is given twice")
    return values
