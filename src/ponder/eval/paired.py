"""Two models on the same problems: the difference in accuracy, and its paired standard error.

When two models score the same problems, the difference of their accuracies is the mean of the
per-problem differences (each +1, 0 or -1), and its standard error comes from those differences,
not from the two accuracies' own: both models solve the easy problems and miss the hard ones,
so the paired error is several times smaller than the unpaired one. Only the problems that one
model solves and the other misses move the difference; the table shows both counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich import box
from rich.table import Table

from ponder.eval.results import SettingResult


@dataclass(frozen=True)
class Paired:
    task: str
    effort: str
    strategy: str
    first: str  # the model compared against
    second: str
    n: int  # problems both scored
    only_first: int  # solved by the first model alone
    only_second: int

    @property
    def difference(self) -> float:
        return (self.only_second - self.only_first) / self.n

    @property
    def standard_error(self) -> float:
        mean = self.difference
        spread = (self.only_first + self.only_second) / self.n - mean * mean  # mean of d², less the mean²
        return math.sqrt(max(spread, 0.0) * self.n / (self.n - 1) / self.n) if self.n > 1 else math.nan


def paired(results: list[SettingResult], models: list[str]) -> list[Paired]:
    """Each later model against the first model that scored the same setting, on the problems
    (same index and question) that both scored."""
    first: dict[tuple, int] = {}
    out = []
    for i, result in enumerate(results):
        s = result.setting
        key = (s.task, s.effort, s.spec)
        if key not in first:
            first[key] = i
            continue
        base = results[first[key]]
        if models[first[key]] == models[i]:
            continue
        theirs = {(p.index, p.question): p.correct for p in base.problems}
        both = [(theirs[(p.index, p.question)], p.correct) for p in result.problems
                if (p.index, p.question) in theirs]
        if both:
            out.append(Paired(s.task, s.effort.value, s.spec, models[first[key]], models[i], len(both),
                              sum(a and not b for a, b in both), sum(b and not a for a, b in both)))
    return out


def paired_table(results: list[SettingResult], models: list[str]) -> Table | None:
    rows = paired(results, models)
    if not rows:
        return None
    table = Table(title="paired: the second model against the first, on the problems both scored",
                  box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False)
    for name in ("task", "effort", "strategy", "first", "second"):
        table.add_column(name, no_wrap=True)
    for name in ("n", "only\nfirst", "only\nsecond", "second -\nfirst", "paired\nSE"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in rows:
        table.add_row(row.task, row.effort, row.strategy, row.first, row.second, str(row.n), str(row.only_first),
                      str(row.only_second), f"{100 * row.difference:+.1f}", f"{100 * row.standard_error:.1f}")
    return table
