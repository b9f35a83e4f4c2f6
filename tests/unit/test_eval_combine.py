"""Reading results.json back and combining runs: numbers recomputed, duplicates refused, mismatches noted."""

import json

import pytest
from rich.console import Console

from ponder.errors import PonderError
from ponder.eval.combine import combine, combined_document, read_run
from ponder.eval.plot import scaling_points
from ponder.eval.report import results_document, results_table, write_json
from ponder.eval.results import ProblemOutcome, SampleOutcome, SettingResult
from ponder.eval.settings import Setting
from ponder.types import Effort

NONE, LOW = Effort.NONE, Effort.LOW


def problem(index, votes, expected="4"):
    """A problem whose samples answered `votes` (a list of answers); the vote is the most common."""
    samples = tuple(SampleOutcome(index * 10 + i, f"It is {a}.", a, a == expected, 30, 40, 5, "stop", elapsed_s=0.2)
                    for i, a in enumerate(votes))
    answer = max(set(votes), key=votes.count)
    return ProblemOutcome(index, f"q{index}", expected, answer, answer == expected, samples, 0.75,
                          30 * len(votes), 30 * (len(votes) - 1), {"votes": {a: votes.count(a) for a in votes}})


def run_file(tmp_path, name, model, settings, seed=0, interrupted=False, temperature=0.6):
    config = {"model": model, "seed": seed, "temperature": temperature, "max_completion_tokens": None, "n": 2}
    return write_json(tmp_path / name / "results.json", results_document(settings, config, interrupted))


SINGLE = SettingResult(Setting("add", LOW, 1), 2, [problem(1, ["4"]), problem(0, ["5"])], 3.0)
VOTE = SettingResult(Setting("add", LOW, 4, "vote"), 2, [problem(0, ["4", "4", "5", "4"]), problem(1, ["5", "5", "4", "6"])], 6.0)
NONE_SINGLE = SettingResult(Setting("add", NONE, 1), 3, [problem(0, ["4"])], 1.0)  # interrupted: 1 of 3


def test_a_run_read_back_has_the_numbers_it_was_written_with(tmp_path):
    path = run_file(tmp_path, "a", "rl", [SINGLE, VOTE, NONE_SINGLE], interrupted=True)
    run = read_run(path.parent)  # a folder finds its results.json
    assert run.path == path and run.interrupted and run.config["model"] == "rl"
    assert [r.model for r in run.rows] == ["rl"] * 3
    for original, row in zip([SINGLE, VOTE, NONE_SINGLE], run.rows):
        assert row.result.setting == original.setting
        assert row.result.summary() == original.summary()
    vote = run.rows[1].result
    assert vote.problems[0].report == {"votes": {"4": 3, "5": 1}}
    assert vote.problems[1].samples[3] == VOTE.problems[1].samples[3]


def test_runs_of_two_models_combine_into_one_ordered_grid(tmp_path):
    sft = read_run(run_file(tmp_path, "sft", "sft", [VOTE, SINGLE]))
    rl_low = read_run(run_file(tmp_path, "rl-low", "rl", [VOTE]))
    rl_none = read_run(run_file(tmp_path, "rl-none", "rl", [SINGLE, NONE_SINGLE]))
    combined = combine([rl_low, sft, rl_none])
    order = [(r.model, r.result.setting.effort.value, r.result.setting.spec) for r in combined.rows]
    assert order == [("rl", "none", "single"), ("rl", "low", "single"), ("rl", "low", "vote@4"),
                     ("sft", "low", "single"), ("sft", "low", "vote@4")]
    assert combined.models == ["rl", "sft"] and combined.notes == []

    console = Console(record=True, width=200)
    console.print(results_table([r.result for r in combined.rows], "report", [r.model for r in combined.rows]))
    rows = [line.split() for line in console.export_text().splitlines() if line.split()[:1] in (["rl"], ["sft"])]
    assert [row[:6] for row in rows] == [["rl", "add", "none", "single", "1/3*", "100.0%"],
                                         ["rl", "add", "low", "single", "2/2", "50.0%"],
                                         ["rl", "add", "low", "vote@4", "2/2", "50.0%"],
                                         ["sft", "add", "low", "single", "2/2", "50.0%"],
                                         ["sft", "add", "low", "vote@4", "2/2", "50.0%"]]
    curves = scaling_points([r.result for r in combined.rows], [r.model for r in combined.rows])
    assert set(curves) == {"rl · add · vote", "sft · add · vote"}
    assert {label for *_, label in curves["rl · add · vote"]} == {"none single*", "low single", "low vote@4"}
    assert {label for *_, label in curves["sft · add · vote"]} == {"low single", "low vote@4"}


def test_a_combined_file_reads_back_with_each_settings_model(tmp_path):
    runs = [read_run(run_file(tmp_path, "a", "rl", [SINGLE])), read_run(run_file(tmp_path, "b", "sft", [VOTE], seed=3))]
    document = combined_document(combine(runs), runs)
    assert [s["model"] for s in document["settings"]] == ["rl", "sft"]
    assert [c["path"] for c in document["config"]["combined_from"]] == [str(r.path) for r in runs]
    again = read_run(write_json(tmp_path / "c" / "results.json", document))
    assert [(r.model, r.options["seed"]) for r in again.rows] == [("rl", 0), ("sft", 3)]
    assert [r.result.summary() for r in again.rows] == [SINGLE.summary(), VOTE.summary()]


def test_the_same_setting_twice_is_refused(tmp_path):
    a, b = run_file(tmp_path, "a", "rl", [SINGLE]), run_file(tmp_path, "b", "rl", [SINGLE, VOTE])
    with pytest.raises(PonderError, match=r"rl add low single is in both .*a/results.json and .*b/results.json"):
        combine([read_run(a), read_run(b)])
    combine([read_run(a), read_run(run_file(tmp_path, "c", "sft", [SINGLE]))])  # another model's: fine


def test_settings_scored_on_other_problems_are_noted(tmp_path):
    a = read_run(run_file(tmp_path, "a", "rl", [SINGLE]))
    b = read_run(run_file(tmp_path, "b", "rl", [VOTE], seed=1))
    (note,) = combine([a, b]).notes
    assert note.startswith("rl add: ") and "differ in seed 0 vs 1; their accuracies do not compare" in note


def test_the_same_problems_at_another_temperature_are_only_noted(tmp_path):
    a = read_run(run_file(tmp_path, "a", "rl", [SINGLE], temperature=0.0))
    b = read_run(run_file(tmp_path, "b", "rl", [VOTE], temperature=0.6))
    (note,) = combine([a, b]).notes
    assert note.endswith("scored the same problems with temperature 0.0 vs 0.6") and "do not compare" not in note


BAD_FILES = {
    "not json": ("{nope", "not valid JSON"),
    "not an object": ("[1, 2]", "not a ponder eval results file (schema 1 expected)"),
    "other schema": ('{"schema": 2, "config": {}, "settings": []}', "schema 1 expected"),
    "no settings": ('{"schema": 1, "config": {}}', "not a ponder eval results file (KeyError: 'settings')"),
    "summaries only": ('{"schema": 1, "config": {}, "settings": [{"task": "add", "accuracy": 0.5}]}',
                       "holds summaries without their problems"),
    "unknown effort": ('{"schema": 1, "config": {}, "settings": [{"task": "add", "effort": "huge", "samples": 1, '
                       '"strategy": "single", "n_planned": 1, "problems": [], "wall_s": 0}]}', "ValueError"),
    "single with 8 samples": ('{"schema": 1, "config": {}, "settings": [{"task": "add", "effort": "low", "samples": 8, '
                              '"strategy": "single", "n_planned": 1, "problems": [], "wall_s": 0}]}', "AssertionError"),
}


@pytest.mark.parametrize("text, says", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_file_that_is_not_results_is_named_in_one_error(tmp_path, text, says):
    path = tmp_path / "r.json"
    path.write_text(text)
    with pytest.raises(PonderError) as error:
        read_run(path)
    assert str(error.value).startswith(str(path)) and says in str(error.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(PonderError, match=r"cannot read .*nothing/results.json"):
        read_run(tmp_path / "nothing" / "results.json")
    (tmp_path / "empty").mkdir()
    with pytest.raises(PonderError, match=r"cannot read .*empty/results.json"):
        read_run(tmp_path / "empty")
