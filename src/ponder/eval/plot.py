"""The test-time scaling curve: accuracy against reasoning tokens spent per problem, per task.

Reasoning tokens per problem sum over a problem's samples, so more effort and more samples
both move a point right: one axis for every way of spending compute at test time. The x axis
is symmetric-log so that effort none (0 reasoning tokens) still has a place on it.
matplotlib is imported here only, with the Agg backend: no display is needed or touched.
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from pathlib import Path

from ponder.errors import PonderError
from ponder.eval.results import SettingResult


def require_matplotlib() -> None:
    """Fail before an eval runs, not after it, when the optional plotting package is missing."""
    if importlib.util.find_spec("matplotlib") is None:
        raise PonderError("ponder eval draws its plot with matplotlib: pip install 'ponder[eval]'")


def scaling_points(results: list[SettingResult]) -> dict[str, list[tuple[float, float, str]]]:
    """task -> (reasoning tokens per problem, accuracy, label) of its finished settings, by x."""
    curves: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for result in results:
        if result.n_done == 0:
            continue  # nothing measured: no point
        s = result.summary()
        label = result.setting.label + ("*" if result.partial else "")
        curves[s["task"]].append((s["reasoning_tokens_per_problem"], s["accuracy"], label))
    return {task: sorted(points) for task, points in curves.items()}


def write_plot(path: Path, results: list[SettingResult], title: str = "test-time scaling") -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5))
    try:
        _draw(axes, scaling_points(results), title)
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format="png", dpi=120, bbox_inches="tight")
    finally:
        plt.close(figure)
    return path


def _draw(axes, curves: dict[str, list[tuple[float, float, str]]], title: str) -> None:
    for task, points in curves.items():
        xs, ys, _ = zip(*points)
        axes.plot(xs, ys, marker="o", label=task)
        for x, y, label in points:
            axes.annotate(label, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
    if not curves:
        axes.text(0.5, 0.5, "no finished settings", ha="center", va="center", transform=axes.transAxes)
    axes.set_xscale("symlog", linthresh=10)
    axes.set_ylim(-0.02, 1.02)
    axes.set_xlabel("mean reasoning tokens per problem (all samples)")
    axes.set_ylabel("accuracy")
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    if curves:
        axes.legend(fontsize=8)
