"""The test-time scaling curves: accuracy against the tokens a problem really cost.

One curve per (task, strategy family): x is the mean tokens spent per problem (every
sequence and probe, prompts not served from the cache included), y the accuracy. The single
setting (one sample) is the first point of every strategy curve of its task, so each curve
reads "from one sample to N", and strategies that spend compute differently (more samples,
a verifier's probes, longer thinking, critiques) compare on one axis. The x axis is
symmetric-log: wide ranges fit, and a 0 (a setting whose every problem failed) still has a
place. matplotlib is imported here only, with the Agg backend: no display is touched.
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from pathlib import Path

from ponder.errors import PonderError
from ponder.eval.results import SettingResult

Point = tuple[float, float, str]  # (tokens spent per problem, accuracy, label)


def require_matplotlib() -> None:
    """Fail before an eval runs, not after it, when the optional plotting package is missing."""
    if importlib.util.find_spec("matplotlib") is None:
        raise PonderError("ponder eval draws its plot with matplotlib: pip install 'ponder[eval]'")


def scaling_points(results: list[SettingResult], models: list[str] | None = None) -> dict[str, list[Point]]:
    """"task · strategy" -> its finished settings' points, by x, single's among every family's.
    models: each result's model; when they differ, curves are per "model · task · strategy"."""
    by_model = models is not None and len(set(models)) > 1
    points: dict[str, dict[str, list[Point]]] = defaultdict(lambda: defaultdict(list))
    for i, result in enumerate(results):
        if result.n_done == 0:
            continue  # nothing measured: no point
        s = result.summary()
        label = result.setting.label + ("*" if result.partial else "")
        task = f"{models[i]} · {s['task']}" if by_model else s["task"]
        points[task][s["strategy"]].append((s["tokens_spent_per_problem"], s["accuracy"], label))
    curves = {}
    for task, by_strategy in points.items():
        single = by_strategy.pop("single", [])
        for family, family_points in (by_strategy or {"single": []}).items():
            curves[f"{task} · {family}"] = sorted(single + family_points)
    return curves


def write_plot(path: Path, results: list[SettingResult], title: str = "test-time scaling",
               models: list[str] | None = None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5))
    try:
        _draw(axes, scaling_points(results, models), title)
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format="png", dpi=120, bbox_inches="tight")
    finally:
        plt.close(figure)
    return path


def _symlog_x(axes) -> None:
    """Symmetric-log x with ticks at 1, 2 and 5 of each decade: curves often span less than one."""
    from matplotlib.ticker import FuncFormatter, SymmetricalLogLocator

    axes.set_xscale("symlog", linthresh=10)
    axes.xaxis.set_major_locator(SymmetricalLogLocator(base=10, linthresh=10, subs=(1, 2, 5)))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))


def _draw(axes, curves: dict[str, list[Point]], title: str) -> None:
    labelled: set[Point] = set()  # single's points lie on several curves: label them once
    for name, points in curves.items():
        xs, ys, _ = zip(*points)
        axes.plot(xs, ys, marker="o", label=name)
        for point in points:
            if point not in labelled:
                labelled.add(point)
                axes.annotate(point[2], point[:2], textcoords="offset points", xytext=(4, 4), fontsize=7)
    if not curves:
        axes.text(0.5, 0.5, "no finished settings", ha="center", va="center", transform=axes.transAxes)
    _symlog_x(axes)
    axes.set_ylim(-0.02, 1.02)
    axes.set_xlabel("mean tokens spent per problem (every sequence and probe, uncached prompt included)")
    axes.set_ylabel("accuracy")
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    if curves:
        axes.legend(fontsize=8)
