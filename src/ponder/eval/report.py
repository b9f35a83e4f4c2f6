"""How an eval's results leave the process: a rich table on the terminal and results.json.

results.json (schema 1) holds the run's configuration, whether it was interrupted, and one
entry per setting started: the summary numbers of SettingResult.summary() plus every
problem with its samples, so any number in the table can be traced to the replies behind it.
The table names each setting's strategy with its count ("vote@8"), which says what the
summary's separate "samples" key says, so it has no samples column. When a setting combines
several samples, next to the accuracy of the combined answer stands the mean accuracy of the
single samples behind it: with vote@8 the two columns are the paired "vote against one sample"
comparison, on the same problems and replies.
"""

from __future__ import annotations

import json
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from ponder.eval.results import SettingResult
from ponder.tasks.audit import KINDS

SCHEMA = 1


def results_document(results: list[SettingResult], config: dict, interrupted: bool) -> dict:
    return {
        "schema": SCHEMA,
        "config": config,
        "interrupted": interrupted,
        "settings": [result.to_dict() for result in results],
    }


def write_json(path: Path, document: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def results_table(results: list[SettingResult], title: str = "ponder eval", models: list[str] | None = None) -> Table:
    """models: each result's model, for a report over several runs; a model column when they differ."""
    errors = any(result.summary()["errors"] for result in results)
    several = any(result.setting.samples > 1 for result in results)
    by_model = models is not None and len(set(models)) > 1
    # No vertical rules and two-line headers: eleven or twelve columns stay within about 110 characters.
    table = Table(title=title, box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False)
    for name in ("model", "task", "effort", "strategy")[0 if by_model else 1:]:
        table.add_column(name, no_wrap=True)
    for name in ("n", "accuracy", *(["accuracy\n/sample"] if several else []), "reasoning\n/sample",
                 "answer\n/sample", "tokens\n/problem", "spent\n/problem", "latency\ns", "tok/s",
                 *(["errors"] if errors else [])):
        table.add_column(name, justify="right", no_wrap=True)
    for i, result in enumerate(results):
        table.add_row(*([models[i]] if by_model else []), *_row(result, errors, several))
    return table


def shape_table(results: list[SettingResult], models: list[str] | None = None) -> Table | None:
    """Accuracy per operand shape, one row per setting and shape; None when no task has shapes."""
    rows = [(i, shape, numbers) for i, result in enumerate(results)
            for shape, numbers in result.summary()["by_shape"].items()]
    if not rows:
        return None
    by_model = models is not None and len(set(models)) > 1
    table = Table(title="accuracy by operand shape", box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False)
    for name in ("model", "task", "effort", "strategy", "shape")[0 if by_model else 1:]:
        table.add_column(name, no_wrap=True)
    for name in ("n", "right", "accuracy"):
        table.add_column(name, justify="right", no_wrap=True)
    for i, shape, numbers in rows:
        setting = results[i].setting
        table.add_row(*([models[i]] if by_model else []), setting.task, setting.effort.value, setting.spec, shape,
                      str(numbers["n"]), str(numbers["correct"]), f"{100 * numbers['accuracy']:.1f}%")
    return table


def correction_table(results: list[SettingResult], models: list[str] | None = None) -> Table | None:
    """Slips and corrections per 100 audited traces, each trace's first departure from the
    worked one by kind, and how many multiplied from the tens digit; None when no setting
    audited any trace (only ponder's own tasks can be)."""
    rows = [(i, result.summary()["self_correction"]) for i, result in enumerate(results)]
    rows = [(i, numbers) for i, numbers in rows if numbers]
    if not rows:
        return None
    by_model = models is not None and len(set(models)) > 1
    table = Table(title="slips and corrections per 100 traces; first departure from the worked trace, in traces",
                  box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False)
    for name in ("model", "task", "effort", "strategy")[0 if by_model else 1:]:
        table.add_column(name, no_wrap=True)
    for name in ("traces", "with a\nslip", "slips", "corrected", "right\ncorrections", "false\nalarms", *KINDS, "none",
                 "tens\nfirst"):
        table.add_column(name, justify="right", no_wrap=True)
    for i, numbers in rows:
        setting = results[i].setting
        rates = [f"{numbers[key]:.1f}" for key in ("traces_with_a_slip", "slips", "corrected", "right_corrections",
                                                   "false_alarms")]
        kinds = [str(numbers["departures"][kind]) for kind in (*KINDS, "none")]
        table.add_row(*([models[i]] if by_model else []), setting.task, setting.effort.value, setting.spec,
                      str(numbers["traces"]), *rates, *kinds, str(numbers.get("tens_first", 0)))
    return table


def print_table(console: Console, results: list[SettingResult], interrupted: bool) -> None:
    console.print(results_table(results))
    for extra in (shape_table(results), correction_table(results)):
        if extra is not None:
            console.print(extra)
    if interrupted:
        console.print("interrupted: settings marked * stopped early; n counts the problems finished")


def _row(result: SettingResult, errors: bool, several: bool) -> list[str]:
    s = result.summary()
    n = f"{s['n_done']}/{s['n_planned']}" + ("*" if s["partial"] else "")
    row = [
        s["task"], s["effort"], result.setting.spec, n, f"{100 * s['accuracy']:.1f}%",
        *([f"{100 * s['sample_accuracy']:.1f}%"] if several else []),
        f"{s['reasoning_tokens_per_sample']:.1f}", f"{s['answer_tokens_per_sample']:.1f}",
        f"{s['tokens_per_problem']:.1f}", f"{s['tokens_spent_per_problem']:.1f}",
        f"{s['latency_s_per_problem']:.2f}", f"{s['tokens_per_s']:.1f}",
    ]
    return row + ([str(s["errors"])] if errors else [])
