"""Two models, or a strategy and one plain sample, on the same problems: the difference in
accuracy, and its paired standard error.

When two models (or settings) score the same problems, the difference of their accuracies is
the mean of the per-problem differences (each +1, 0 or -1), and its standard error comes from
those differences, not from the two accuracies' own: both solve the easy problems and miss the
hard ones, so the paired error is several times smaller than the unpaired one. Only the
problems that one solves and the other misses move the difference; the table shows both counts.
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
    first: str  # what is compared against: "model strategy"
    second: str
    n: int  # problems both scored
    only_first: int  # solved by the first alone
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
    """Each later model against the first model that scored the same setting; then each
    strategy against one plain sample (single) of the same model, task and effort (does the
    extra compute beat greedy decoding?). Always on the problems (same index and question) both
    scored."""
    out = []
    first: dict[tuple, int] = {}
    single: dict[tuple, int] = {}
    for i, result in enumerate(results):
        s = result.setting
        key = (s.task, s.effort, s.spec)
        if key in first and models[first[key]] != models[i]:
            out += compare(results, models, first[key], i)
        first.setdefault(key, i)
        if s.spec == "single":
            single.setdefault((models[i], s.task, s.effort), i)
    for i, result in enumerate(results):
        s = result.setting
        base = single.get((models[i], s.task, s.effort))
        if s.spec != "single" and base is not None:
            out += compare(results, models, base, i)
    return out


def compare(results: list[SettingResult], models: list[str], a: int, b: int) -> list[Paired]:
    theirs = {(p.index, p.question): p.correct for p in results[a].problems}
    both = [(theirs[(p.index, p.question)], p.correct) for p in results[b].problems
            if (p.index, p.question) in theirs]
    if not both:
        return []
    s = results[b].setting
    return [Paired(s.task, s.effort.value, f"{models[a]} {results[a].setting.spec}", f"{models[b]} {s.spec}",
                   len(both), sum(x and not y for x, y in both), sum(y and not x for x, y in both))]


def paired_table(results: list[SettingResult], models: list[str]) -> Table | None:
    rows = paired(results, models)
    if not rows:
        return None
    table = Table(title="paired: the second against the first, on the problems both scored",
                  box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False)
    for name in ("task", "effort", "first", "second"):
        table.add_column(name, no_wrap=True)
    for name in ("n", "only\nfirst", "only\nsecond", "second -\nfirst", "paired\nSE"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in rows:
        table.add_row(row.task, row.effort, row.first, row.second, str(row.n), str(row.only_first),
                      str(row.only_second), f"{100 * row.difference:+.1f}", f"{100 * row.standard_error:.1f}")
    return table
