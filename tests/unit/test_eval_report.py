"""The table, results.json and the scaling plot, from hand-made results."""

import json

from rich.console import Console

from ponder.eval.plot import scaling_points, write_plot
from ponder.eval.report import correction_table, results_document, results_table, shape_table, write_json
from ponder.eval.results import ProblemOutcome, SampleOutcome, SettingResult
from ponder.eval.settings import Setting
from ponder.types import Effort

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NONE, LOW = Effort.NONE, Effort.LOW


def sample(index, correct, reasoning, answer=5):
    return SampleOutcome(index, "It is 4.", "4" if correct else "5", correct, 30, reasoning, answer, "stop")


def problem(index, correct, reasoning, answer=5, width=1, prompt=30, cached=0):
    """One problem whose `width` samples all say the same; prompt and cached over all of them."""
    samples = tuple(sample(index, correct, reasoning, answer) for _ in range(width))
    return ProblemOutcome(index, f"q{index}", "4", samples[0].answer, correct, samples, 0.5, prompt, cached)


def result(task, effort, outcomes, planned=None, wall_s=2.0, samples=1, strategy="single"):
    return SettingResult(Setting(task, effort, samples, strategy), planned or len(outcomes), list(outcomes), wall_s)


RESULTS = [
    result("add", NONE, [problem(0, False, 0), problem(1, True, 0)]),
    result("add", LOW, [problem(1, True, 100), problem(0, True, 60)]),
    result("gym:chain_sum", NONE, [problem(0, True, 0)], planned=3),  # interrupted
    result("gym:chain_sum", LOW, [], planned=3),  # started, nothing finished
]
# vote@4 on add at low: four samples a problem, their shared prompt cached for three of them
VOTE = result("add", LOW, [problem(0, True, 50, width=4, prompt=120, cached=90)] * 2, samples=4, strategy="vote")
THINK = result("add", LOW, [problem(0, False, 200, prompt=30, cached=10)] * 2, strategy="think_longer")
STRATEGIES = [*RESULTS[:2], VOTE, THINK, RESULTS[2]]


def test_summary_numbers():
    low = RESULTS[1].summary()
    assert low["accuracy"] == 1.0 and low["reasoning_tokens_per_sample"] == 80
    assert low["tokens_per_problem"] == 85 and low["latency_s_per_problem"] == 0.5
    assert low["tokens_spent_per_problem"] == 30 + 85  # a single turn: its prompt and its completion
    assert low["tokens_per_s"] == 85.0  # 170 completion tokens in 2 s
    assert low["strategy"] == "single" and low["samples"] == 1
    empty = RESULTS[3].summary()
    assert empty["n_done"] == 0 and empty["partial"] and empty["accuracy"] == 0.0
    assert empty["tokens_spent_per_problem"] == 0.0


def test_tokens_spent_count_every_sequence_less_the_cached_prompt():
    vote = VOTE.summary()
    assert vote["strategy"] == "vote" and vote["samples"] == 4
    assert vote["tokens_per_problem"] == 4 * 55 and vote["reasoning_tokens_per_sample"] == 50
    assert vote["tokens_spent_per_problem"] == 120 - 90 + 4 * 55
    assert THINK.summary()["tokens_spent_per_problem"] == 30 - 10 + 205


def test_json_document(tmp_path):
    path = write_json(tmp_path / "out" / "results.json", results_document(STRATEGIES, {"model": "fake"}, True))
    data = json.loads(path.read_text())
    assert data["schema"] == 1 and data["interrupted"] and data["config"] == {"model": "fake"}
    assert [s["partial"] for s in data["settings"]] == [False, False, False, False, True]
    low = data["settings"][1]
    assert [p["index"] for p in low["problems"]] == [0, 1]  # by index, not by finishing order
    assert low["problems"][0]["samples"][0]["reasoning_tokens"] == 60
    assert set(low) >= {"task", "effort", "samples", "n_planned", "n_done", "accuracy", "sample_accuracy",
                        "reasoning_tokens_per_sample", "answer_tokens_per_sample", "reasoning_tokens_per_problem",
                        "answer_tokens_per_problem", "tokens_per_problem", "latency_s_per_problem", "tokens_per_s",
                        "strategy", "tokens_spent_per_problem"}
    vote = data["settings"][2]
    assert (vote["strategy"], vote["samples"], vote["tokens_spent_per_problem"]) == ("vote", 4, 250)
    first = vote["problems"][0]
    assert (first["prompt_tokens"], first["cached_tokens"], first["spent_tokens"]) == (120, 90, 250)
    assert len(first["samples"]) == 4 and first["samples"][0]["score"] is None


def test_table_marks_partial_settings():
    console = Console(record=True, width=200)
    console.print(results_table(RESULTS))
    text = console.export_text()
    assert "gym:chain_sum" in text and "1/3*" in text and "2/2" in text and "100.0%" in text
    assert "errors" not in text  # the column appears only when a sample failed
    assert text.count("accuracy") == 1  # one sample a setting: its accuracy is the per-sample one


def test_table_names_each_strategy_and_what_it_spent():
    console = Console(record=True, width=200)
    console.print(results_table(STRATEGIES))
    lines = console.export_text().splitlines()
    header = next(i for i, line in enumerate(lines) if "spent" in line)
    assert lines[header + 1].split()[:3] == ["task", "effort", "strategy"]
    rows = [line.split() for line in lines if line.split()[:1] in (["add"], ["gym:chain_sum"])]
    assert [row[:3] for row in rows] == [["add", "none", "single"], ["add", "low", "single"], ["add", "low", "vote@4"],
                                         ["add", "low", "think_longer"], ["gym:chain_sum", "none", "single"]]
    # n, accuracy, accuracy and reasoning and answer per sample, tokens (4 samples' completions), spent per problem
    assert rows[2][3:10] == ["2/2", "100.0%", "100.0%", "50.0", "5.0", "220.0", "250.0"]
    assert rows[3][9] == "225.0"


def test_table_sets_the_vote_beside_its_single_samples():
    """3 of 4 samples right: the vote is right (100%), one sample is right 75% of the time."""
    right = [sample(0, True, 50)] * 3
    samples = (*right, sample(0, False, 50))
    outcome = ProblemOutcome(0, "q0", "4", "4", True, samples, 0.5, 120, 90)
    vote = result("add", LOW, [outcome], samples=4, strategy="vote")
    assert vote.summary()["sample_accuracy"] == 0.75
    console = Console(record=True, width=200)
    console.print(results_table([vote]))
    row = next(line.split() for line in console.export_text().splitlines() if line.split()[:1] == ["add"])
    assert row[2:6] == ["vote@4", "1/1", "100.0%", "75.0%"]


def test_plot_has_one_curve_per_task_and_strategy_each_starting_at_single(tmp_path):
    curves = scaling_points(STRATEGIES)
    assert curves == {
        "add · vote": [(35.0, 0.5, "none single"), (115.0, 1.0, "low single"), (250.0, 1.0, "low vote@4")],
        "add · think_longer": [(35.0, 0.5, "none single"), (115.0, 1.0, "low single"),
                               (225.0, 0.0, "low think_longer")],
        "gym:chain_sum · single": [(35.0, 1.0, "none single*")],  # single alone is a curve of its own
    }
    path = write_plot(tmp_path / "scaling.png", STRATEGIES)
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_plot_with_nothing_finished_is_still_written(tmp_path):
    path = write_plot(tmp_path / "deep" / "scaling.png", [RESULTS[3]])
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_accuracy_by_shape_and_the_self_correction_table():
    def audited(index, correct, slips, corrected, departure, way=None):
        found = {"equations": 15, "slips": slips, "corrected": corrected, "right_corrections": corrected,
                 "false_alarms": 0, "departure": departure}
        if way is not None:  # (results written before audits said which way a trace went have none)
            found["way"] = way
        s = SampleOutcome(index, "x", "4" if correct else "5", correct, 30, 200, 5, "stop", audit=found)
        return ProblemOutcome(index, f"q{index}", "4", s.answer, correct, (s,), 0.5, 30, 0,
                              shape="3x2" if index % 2 else "2x1")
    mul = result("mul", LOW, [audited(0, True, 0, 0, None), audited(1, False, 2, 1, "copy", way=1),
                              audited(2, True, 1, 1, None, way=0), audited(3, False, 1, 0, "value")])
    summary = mul.summary()
    assert summary["by_shape"] == {"2x1": {"n": 2, "correct": 2, "accuracy": 1.0},
                                   "3x2": {"n": 2, "correct": 0, "accuracy": 0.0}}
    assert list(summary["by_shape"]) == ["2x1", "3x2"]  # smaller shapes first
    found = summary["self_correction"]
    assert (found["traces"], found["traces_with_a_slip"], found["slips"]) == (4, 75.0, 100.0)
    assert (found["corrected"], found["right_corrections"]) == (50.0, 50.0)
    assert found["departures"] == {"value": 1, "carry": 0, "copy": 1, "format": 0, "cut": 0, "none": 2}
    assert found["tens_first"] == 1
    console = Console(record=True, width=200)
    console.print(shape_table([mul]), correction_table([mul]))
    lines = [line.split() for line in console.export_text().splitlines()]
    assert ["mul", "low", "single", "3x2", "2", "0", "0.0%"] in lines
    assert ["mul", "low", "single", "4", "75.0", "100.0", "50.0", "50.0", "0.0", "1", "0", "1", "0", "0", "2", "1"] in lines
    assert shape_table(RESULTS) is None and correction_table(RESULTS) is None  # no shapes, no audits: no table
