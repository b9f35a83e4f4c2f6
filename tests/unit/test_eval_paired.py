"""Two models on the same problems: the difference and its paired standard error."""

import math

import pytest
from rich.console import Console

from ponder.eval.paired import paired, paired_table
from ponder.eval.results import ProblemOutcome, SampleOutcome, SettingResult
from ponder.eval.settings import Setting
from ponder.types import Effort


def scored(rights: list[bool], task="mul:3x2", first_index=0, samples=1, strategy="single") -> SettingResult:
    problems = []
    for i, right in enumerate(rights, start=first_index):
        sample = SampleOutcome(i, "x", "4" if right else "5", right, 30, 300, 10, "stop")
        problems.append(ProblemOutcome(i, f"q{i}", "4", sample.answer, right, (sample,), 1.0, 30, 0))
    return SettingResult(Setting(task, Effort.HIGH, samples, strategy), len(problems), problems, 1.0)


def test_the_difference_counts_only_problems_one_model_alone_solves():
    sft = scored([True] * 60 + [False] * 40)  # 60%
    rl = scored([True] * 50 + [False] * 10 + [True] * 20 + [False] * 20)  # 70%: 10 lost, 20 gained
    (row,) = paired([sft, rl], ["sft", "rl"])
    assert (row.n, row.only_first, row.only_second) == (100, 10, 20)
    assert (row.first, row.second) == ("sft single", "rl single")
    assert row.difference == pytest.approx(0.10)
    # d is +1 twenty times, -1 ten times, 0 seventy: its sample variance over n, square-rooted
    d = [1] * 20 + [-1] * 10 + [0] * 70
    mean = sum(d) / 100
    assert row.standard_error == pytest.approx(math.sqrt(sum((x - mean) ** 2 for x in d) / 99 / 100))


def test_only_problems_both_scored_are_compared_and_one_model_is_never_paired_with_itself():
    a = scored([True, False, True, False])
    b = scored([True, True], first_index=1)  # problems 1 and 2 only
    (row,) = paired([a, b], ["a", "b"])
    assert (row.n, row.only_first, row.only_second) == (2, 0, 1)
    assert paired([a, scored([False] * 4)], ["a", "a"]) == []
    assert paired([a, scored([True] * 4, task="add")], ["a", "b"]) == []  # other settings
    assert paired_table([a], ["a"]) is None


def test_the_table_shows_the_difference_in_points_with_its_error():
    console = Console(width=160, record=True)
    console.print(paired_table([scored([True, False] * 50), scored([True] * 100)], ["sft", "rl"]))
    text = console.export_text()
    assert "+50.0" in text and "sft" in text and "rl" in text


def test_each_strategy_is_paired_with_one_plain_sample_of_its_own_model():
    greedy = scored([True] * 6 + [False] * 4)
    vote = scored([True] * 5 + [False] + [True] * 3 + [False], samples=8, strategy="vote/surest")
    other = scored([True] * 10)  # another model's single: paired with the first model's single only
    rows = paired([greedy, vote, other], ["rl", "rl", "sft"])
    assert [(r.first, r.second, r.only_first, r.only_second) for r in rows] == [
        ("rl single", "sft single", 0, 4), ("rl single", "rl vote@8/surest", 1, 3)]
    assert paired([vote], ["rl"]) == []  # nothing to pair a strategy with
