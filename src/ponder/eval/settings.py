"""The grid an eval runs: every (task, effort, strategy) setting, from comma-separated flags.

vote and best_of_n run once per --samples value over 1; a samples value of 1 is the single
strategy, run once per (task, effort) whichever strategies were named, so it is the start of
every curve and old command lines (--samples 1,8: single and vote@8) mean what they meant.
think_longer and refine run once each; at an effort with no reasoning they cannot run, and
are skipped (the grid says which, so the CLI can tell the user).

Also the seed of every problem, derived from the run's seed and the problem so a run is
reproducible. This module knows nothing about how a strategy is built or run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ponder.errors import InvalidOption
from ponder.eval.strategies import ALIASES, COUNTED, KINDS, needs_reasoning
from ponder.reasoning.budget import EFFORT_TOKENS
from ponder.strategies.base import MAX_N
from ponder.types import Effort


@dataclass(frozen=True)
class Setting:
    task: str
    effort: Effort
    samples: int  # the count of vote and best_of_n; 1 for every other strategy
    strategy: str = "single"  # one of eval's names (eval/strategies.py), e.g. "best_of_n/checker"

    def __post_init__(self) -> None:
        assert self.strategy in KINDS, self.strategy
        assert (self.samples > 1) == (self.strategy in COUNTED), (self.strategy, self.samples)

    @property
    def spec(self) -> str:
        """The strategy as one short name: "single", "vote@8", "best_of_n@8/checker"."""
        if self.samples == 1:
            return self.strategy
        family, _, verifier = self.strategy.partition("/")
        return f"{family}@{self.samples}" + (f"/{verifier}" if verifier else "")

    @property
    def label(self) -> str:
        return f"{self.effort.value} {self.spec}"


@dataclass(frozen=True)
class Grid:
    settings: list[Setting]
    skipped: list[tuple[str, Effort]] = field(default_factory=list)  # (strategy, effort) it cannot run at


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


def parse_strategies(text: str) -> list[str]:
    names = _items(text, "strategy")
    for name in names:
        if _canonical(name) not in KINDS:
            raise InvalidOption("strategy", f"unknown strategy {name!r}; use one or more of {', '.join(KINDS)} "
                                f"(best_of_n alone is best_of_n/checker)")
    return _unique([_canonical(name) for name in names], "strategy")


def _canonical(name: str) -> str:
    return ALIASES.get(name.lower(), name.lower())


def grid(tasks: list[str], efforts: list[Effort], samples: list[int], strategies: list[str]) -> Grid:
    """Every setting, task by task, so one task's curves fill in before the next starts."""
    _check_counts(samples, strategies)
    settings: list[Setting] = []
    skipped = [(name, effort) for effort in efforts for name in strategies
               if needs_reasoning(name) and EFFORT_TOKENS[effort] == 0]
    blocked = set(skipped)
    for task in tasks:
        for effort in efforts:
            settings += [Setting(task, effort, count, name) for name, count in _runs(samples, strategies)
                         if (name, effort) not in blocked]
    if not settings:
        raise InvalidOption("strategy", "nothing to run: " + skipped_line(skipped))
    return Grid(settings, skipped)


def _runs(samples: list[int], strategies: list[str]) -> list[tuple[str, int]]:
    """(strategy, count) of one (task, effort): single first, then each strategy in turn."""
    single = 1 in samples or "single" in strategies
    runs = [("single", 1)] if single else []
    for name in strategies:
        if name in COUNTED:
            runs += [(name, count) for count in samples if count > 1]
        elif name != "single":
            runs.append((name, 1))
    return runs


def _check_counts(samples: list[int], strategies: list[str]) -> None:
    if any(name in COUNTED for name in strategies) and max(samples) > MAX_N:
        raise InvalidOption("samples", f"{max(samples)} is over the most a strategy may sample, {MAX_N}")


def skipped_line(skipped: list[tuple[str, Effort]]) -> str:
    """One line for the user: "skipped think_longer, refine at effort none: ..."."""
    names = list(dict.fromkeys(name for name, _ in skipped))
    efforts = list(dict.fromkeys(effort.value for _, effort in skipped))
    they = "they need" if len(names) > 1 else "it needs"
    return (f"skipped {', '.join(names)} at effort {', '.join(efforts)}: {they} a reasoning phase, "
            f"and effort {', '.join(efforts)} has none")


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
