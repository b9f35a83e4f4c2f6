"""The table, results.json and the scaling plot, from hand-made results."""

import json

from rich.console import Console

from ponder.eval.plot import scaling_points, write_plot
from ponder.eval.report import results_document, results_table, write_json
from ponder.eval.results import ProblemOutcome, SampleOutcome, SettingResult
from ponder.eval.settings import Setting
from ponder.types import Effort

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def problem(index, correct, reasoning, answer=5):
    sample = SampleOutcome(index, "It is 4.", "4" if correct else "5", correct, 30, reasoning, answer, "stop")
    return ProblemOutcome(index, f"q{index}", "4", sample.answer, correct, (sample,), 0.5)


def result(task, effort, outcomes, planned=None, wall_s=2.0):
    return SettingResult(Setting(task, effort, 1), planned or len(outcomes), list(outcomes), wall_s)


RESULTS = [
    result("add", Effort.NONE, [problem(0, False, 0), problem(1, True, 0)]),
    result("add", Effort.LOW, [problem(1, True, 100), problem(0, True, 60)]),
    result("gym:chain_sum", Effort.NONE, [problem(0, True, 0)], planned=3),  # interrupted
    result("gym:chain_sum", Effort.LOW, [], planned=3),  # started, nothing finished
]


def test_summary_numbers():
    low = RESULTS[1].summary()
    assert low["accuracy"] == 1.0 and low["reasoning_tokens_per_sample"] == 80
    assert low["tokens_per_problem"] == 85 and low["latency_s_per_problem"] == 0.5
    assert low["tokens_per_s"] == 85.0  # 170 completion tokens in 2 s
    empty = RESULTS[3].summary()
    assert empty["n_done"] == 0 and empty["partial"] and empty["accuracy"] == 0.0


def test_json_document(tmp_path):
    path = write_json(tmp_path / "out" / "results.json", results_document(RESULTS, {"model": "fake"}, True))
    data = json.loads(path.read_text())
    assert data["schema"] == 1 and data["interrupted"] and data["config"] == {"model": "fake"}
    assert [s["partial"] for s in data["settings"]] == [False, False, True, True]
    low = data["settings"][1]
    assert [p["index"] for p in low["problems"]] == [0, 1]  # by index, not by finishing order
    assert low["problems"][0]["samples"][0]["reasoning_tokens"] == 60
    assert set(low) >= {"task", "effort", "samples", "n_planned", "n_done", "accuracy", "sample_accuracy",
                        "reasoning_tokens_per_sample", "answer_tokens_per_sample", "reasoning_tokens_per_problem",
                        "answer_tokens_per_problem", "tokens_per_problem", "latency_s_per_problem", "tokens_per_s"}


def test_table_marks_partial_settings():
    console = Console(record=True, width=200)
    console.print(results_table(RESULTS))
    text = console.export_text()
    assert "gym:chain_sum" in text and "1/3*" in text and "2/2" in text and "100.0%" in text
    assert "errors" not in text  # the column appears only when a sample failed


def test_plot_is_a_png_with_one_curve_per_task(tmp_path):
    curves = scaling_points(RESULTS)
    assert curves == {"add": [(0.0, 0.5, "none×1"), (80.0, 1.0, "low×1")], "gym:chain_sum": [(0.0, 1.0, "none×1*")]}
    path = write_plot(tmp_path / "scaling.png", RESULTS)
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_plot_with_nothing_finished_is_still_written(tmp_path):
    path = write_plot(tmp_path / "deep" / "scaling.png", [RESULTS[3]])
    assert path.read_bytes()[:8] == PNG_MAGIC
