"""A rich progress bar for long evals: one bar over every problem of every setting.

It draws on stderr, and only on a terminal, so the table on stdout stays clean when piped.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ponder.eval.results import ProblemOutcome
from ponder.eval.settings import Setting


class ProgressBar:
    """An Observer of the harness that advances a bar as problems finish."""

    def __init__(self, total: int, console: Console | None = None):
        console = console or Console(stderr=True)
        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[right]}"),
            TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal,
        )
        self._bar = self._progress.add_task("eval", total=total, right="")
        self._right = self._done = 0

    def __enter__(self) -> ProgressBar:
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.stop()

    def setting_started(self, setting: Setting, n_problems: int) -> None:
        self._right = self._done = 0
        description = f"{setting.task} {setting.label}"
        self._progress.update(self._bar, description=description, right="")

    def problem_done(self, setting: Setting, outcome: ProblemOutcome) -> None:
        self._done += 1
        self._right += outcome.correct
        self._progress.update(self._bar, advance=1, right=f"{self._right}/{self._done} right")
