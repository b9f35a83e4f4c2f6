"""Reading results.json back, and combining several runs into one report.

A long grid is often run in pieces (one task at a time, two processes side by side, a run
resumed after Ctrl-C, the SFT and the RL model): `ponder eval-report` reads their
results.json files and shows them as one table and one plot. Every number is recomputed from
the problems in the file, not copied from its summary, so a combined report says exactly what
a single run over the same problems would have said.

Settings are keyed by (model, task, effort, strategy); the same key in two files is an error,
not a silent pick. Settings of one (model, task) that scored different problem sets (another
seed) are allowed but reported, since their accuracies then do not compare; another
temperature or budget on the same problems is only noted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ponder.errors import PonderError
from ponder.eval.report import SCHEMA
from ponder.eval.results import ProblemOutcome, SampleOutcome, SettingResult
from ponder.eval.settings import Setting
from ponder.types import Effort

# The run options that decide which problems (seed) and samples a setting scored.
COMPARABLE = ("seed", "temperature", "max_completion_tokens")


@dataclass(frozen=True)
class Row:
    model: str
    options: dict  # the COMPARABLE run options it was scored with
    result: SettingResult


@dataclass(frozen=True)
class Run:
    """One results.json: where it came from, its config, and its settings rebuilt."""

    path: Path
    config: dict
    interrupted: bool
    rows: list[Row]


@dataclass(frozen=True)
class Combined:
    rows: list[Row]  # as one grid: model, task, effort, strategy (see ordered)
    notes: list[str]  # what the user should know: settings whose problem sets differ

    @property
    def models(self) -> list[str]:
        return list(dict.fromkeys(row.model for row in self.rows))


def read_run(path: Path) -> Run:
    """One results.json (or a folder holding one), every setting rebuilt from its problems."""
    file = path / "results.json" if path.is_dir() else path
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise PonderError(f"cannot read {file}: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PonderError(f"{file}: not valid JSON ({error})") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise PonderError(f"{file}: not a ponder eval results file (schema {SCHEMA} expected)")
    if any(isinstance(entry, dict) and "problems" not in entry for entry in document.get("settings") or []):
        raise PonderError(f"{file}: holds summaries without their problems; every number is recomputed from "
                          f"the problems, so give the results.json that ponder eval wrote")
    try:
        config = dict(document["config"])
        rows = [read_row(entry, config) for entry in document["settings"]]
    except (KeyError, TypeError, ValueError, AssertionError) as error:
        raise PonderError(f"{file}: not a ponder eval results file ({type(error).__name__}: {error})") from None
    return Run(file, config, bool(document.get("interrupted")), rows)


def read_row(entry: dict, config: dict) -> Row:
    # A combined file names the model and options per setting; a run's file, once in its config.
    model = str(entry.get("model", config.get("model", "?")))
    options = entry.get("options") or {key: config.get(key) for key in COMPARABLE}
    return Row(model, dict(options), setting_result(entry))


def setting_result(entry: dict) -> SettingResult:
    setting = Setting(entry["task"], Effort(entry["effort"]), int(entry["samples"]), entry["strategy"])
    problems = [problem_outcome(p) for p in entry["problems"]]
    return SettingResult(setting, int(entry["n_planned"]), problems, float(entry["wall_s"]))


def problem_outcome(entry: dict) -> ProblemOutcome:
    samples = tuple(SampleOutcome(**sample) for sample in entry["samples"])
    return ProblemOutcome(
        int(entry["index"]), entry["question"], entry["expected"], entry["answer"], bool(entry["correct"]),
        samples, float(entry["latency_s"]), int(entry["prompt_tokens"]), int(entry["cached_tokens"]),
        entry.get("strategy"), entry.get("shape"),
    )


def combine(runs: list[Run]) -> Combined:
    rows: list[Row] = []
    seen: dict[tuple, Path] = {}
    problem_sets: dict[tuple[str, str], tuple[dict, Path]] = {}
    notes: list[str] = []
    for run in runs:
        for item in run.rows:
            setting = item.result.setting
            key = (item.model, setting.task, setting.effort, setting.spec)
            if key in seen:
                raise PonderError(f"{item.model} {setting.task} {setting.label} is in both "
                                  f"{seen[key]} and {run.path}; give each setting once")
            seen[key] = run.path
            rows.append(item)
            notes += _compare(problem_sets, (item.model, setting.task), item.options, run.path)
    return Combined(ordered(rows), list(dict.fromkeys(notes)))


def ordered(rows: list[Row]) -> list[Row]:
    """Model by model, task by task (each as first met), then effort, then strategy, single first:
    pieces run in any order read as one grid."""
    models = list(dict.fromkeys(r.model for r in rows))
    tasks = list(dict.fromkeys(r.result.setting.task for r in rows))
    efforts = list(Effort)

    def key(r: Row) -> tuple:
        s = r.result.setting
        return models.index(r.model), tasks.index(s.task), efforts.index(s.effort), s.strategy != "single", \
            s.strategy, s.samples

    return sorted(rows, key=key)


def combined_document(combined: Combined, runs: list[Run]) -> dict:
    """results.json of the report: each setting names its model; the config, every source run's."""
    settings = [{"model": row.model, "options": row.options, **row.result.to_dict()} for row in combined.rows]
    config = {"combined_from": [{"path": str(run.path), **run.config} for run in runs], "models": combined.models}
    return {"schema": SCHEMA, "config": config, "interrupted": any(run.interrupted for run in runs),
            "settings": settings}


def _compare(problem_sets: dict, key: tuple[str, str], options: dict, path: Path) -> list[str]:
    """A note when one (model, task) was scored with other options than before. Another seed
    drew other problems, so accuracies do not compare; the same problems at another temperature
    or budget do (a greedy single against a sampled vote is the comparison self-consistency
    makes), and the note only says so."""
    first = problem_sets.setdefault(key, (options, path))
    if first[0] == options:
        return []
    differ = ", ".join(f"{name} {first[0].get(name)} vs {options.get(name)}" for name in COMPARABLE
                       if first[0].get(name) != options.get(name))
    if first[0].get("seed") != options.get("seed"):
        return [f"{key[0]} {key[1]}: {first[1]} and {path} differ in {differ}; their accuracies do not compare"]
    return [f"{key[0]} {key[1]}: {first[1]} and {path} scored the same problems with {differ}"]
