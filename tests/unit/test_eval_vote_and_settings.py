"""Eval's vote (ponder.strategies.tally), the comma-list flags, the strategy grid and seeds."""

import pytest

from ponder.errors import InvalidOption
from ponder.eval.settings import (Setting, grid, parse_efforts, parse_samples, parse_strategies, sample_seed,
                                  skipped_line)
from ponder.strategies.tally import tally
from ponder.types import Effort

NONE, LOW = Effort.NONE, Effort.LOW

# The cases eval's own majority vote was held to; vote (the strategy) keeps them when it has
# no log-probabilities to break a tie with.
VOTES = {
    "single": (["7"], "7"),
    "majority": (["7", "8", "7"], "7"),
    "tie goes to the first seen": (["8", "7", "7", "8"], "8"),
    "tie among later answers": (["1", "2", "3", "3", "2"], "2"),
    "none never wins": ([None, None, None, "5"], "5"),
    "none does not break a tie": ([None, "6", None, "5"], "6"),
    "all none": ([None, None], None),
    "empty": ([], None),
}


@pytest.mark.parametrize("answers, winner", VOTES.values(), ids=VOTES.keys())
def test_majority_vote(answers, winner):
    assert tally(answers)[0] == winner


def test_a_tie_goes_to_the_surer_answer_when_logprobs_are_known():
    assert tally(["8", "7"], [-2.0, -0.5])[0] == "7"
    assert tally(["8", "7", "8"], [-2.0, -0.1, -2.0])[0] == "8"  # a majority is a majority


def test_efforts_parse_in_order_any_case():
    assert parse_efforts("none, LOW,high") == [Effort.NONE, Effort.LOW, Effort.HIGH]


@pytest.mark.parametrize("text, says", [
    ("extreme", "unknown effort 'extreme'"), ("low,,high", "empty value"), ("", "empty value"),
    ("low,low", "low is given twice"),
])
def test_bad_efforts(text, says):
    with pytest.raises(InvalidOption, match=says) as error:
        parse_efforts(text)
    assert error.value.param == "effort"


def test_samples_parse():
    assert parse_samples("1, 8") == [1, 8]


@pytest.mark.parametrize("text", ["0", "-1", "x", "1.5", "1,,2", "", "2,2"])
def test_bad_samples(text):
    with pytest.raises(InvalidOption) as error:
        parse_samples(text)
    assert error.value.param == "samples"


def test_strategies_parse_with_best_of_n_meaning_the_checker():
    assert parse_strategies("vote, best_of_n,Think_Longer") == ["vote", "best_of_n/checker", "think_longer"]
    assert parse_strategies("single,best_of_n/self,refine") == ["single", "best_of_n/self", "refine"]
    assert parse_strategies("vote,Vote/Surest") == ["vote", "vote/surest"]


@pytest.mark.parametrize("text, says", [
    ("vote,majority", "unknown strategy 'majority'; use one or more of single, vote, vote/surest, vote/consistent, "
                      "best_of_n/checker, best_of_n/self, think_longer, refine"),
    ("best_of_n/oracle", "unknown strategy 'best_of_n/oracle'"),
    ("vote@8", "unknown strategy 'vote@8'"),  # the count is --samples
    ("vote,,refine", "empty value"),
    ("best_of_n,best_of_n/checker", "best_of_n/checker is given twice"),
])
def test_bad_strategies(text, says):
    with pytest.raises(InvalidOption, match=says) as error:
        parse_strategies(text)
    assert error.value.param == "strategy"


def test_the_old_defaults_are_single_settings():
    plan = grid(["a", "b"], [NONE, LOW], [1], ["vote"])
    assert plan.settings == [Setting("a", NONE, 1), Setting("a", LOW, 1), Setting("b", NONE, 1), Setting("b", LOW, 1)]
    assert plan.skipped == [] and plan.settings[0].strategy == "single"


def test_samples_one_and_eight_are_single_and_vote_as_before():
    plan = grid(["a"], [NONE, LOW], [1, 8], ["vote"])
    assert plan.settings == [Setting("a", NONE, 1), Setting("a", NONE, 8, "vote"),
                             Setting("a", LOW, 1), Setting("a", LOW, 8, "vote")]


def test_grid_runs_task_by_task_with_single_shared_and_uncounted_strategies_once():
    plan = grid(["a", "b"], [NONE, LOW], [1, 4, 8], ["vote", "best_of_n/checker", "think_longer", "refine"])
    low_a = [s.spec for s in plan.settings if (s.task, s.effort) == ("a", LOW)]
    assert low_a == ["single", "vote@4", "vote@8", "best_of_n@4/checker", "best_of_n@8/checker", "think_longer",
                     "refine"]
    none_a = [s.spec for s in plan.settings if (s.task, s.effort) == ("a", NONE)]
    assert none_a == ["single", "vote@4", "vote@8", "best_of_n@4/checker", "best_of_n@8/checker"]
    assert [s.task for s in plan.settings] == ["a"] * 12 + ["b"] * 12
    assert plan.skipped == [("think_longer", NONE), ("refine", NONE)]
    assert skipped_line(plan.skipped) == ("skipped think_longer, refine at effort none: they need a reasoning "
                                          "phase, and effort none has none")


def test_single_is_run_only_when_asked_for():
    assert [s.spec for s in grid(["a"], [LOW], [4], ["vote"]).settings] == ["vote@4"]
    assert [s.spec for s in grid(["a"], [LOW], [4], ["single", "vote"]).settings] == ["single", "vote@4"]
    assert [s.spec for s in grid(["a"], [LOW], [1], ["think_longer"]).settings] == ["single", "think_longer"]


def test_vote_consistent_is_skipped_at_effort_none_where_there_is_no_reasoning_to_read():
    plan = grid(["a"], [NONE, LOW], [4], ["vote", "vote/consistent"])
    assert [(s.effort, s.spec) for s in plan.settings] == [(NONE, "vote@4"), (LOW, "vote@4"),
                                                           (LOW, "vote@4/consistent")]
    assert plan.skipped == [("vote/consistent", NONE)]


def test_a_grid_with_nothing_left_to_run_is_refused():
    with pytest.raises(InvalidOption, match="nothing to run: skipped think_longer at effort none: it needs"):
        grid(["a"], [NONE], [4], ["think_longer"])


def test_too_many_samples_for_a_strategy_are_refused_before_anything_runs():
    with pytest.raises(InvalidOption, match="65 is over") as error:
        grid(["a"], [LOW], [1, 65], ["vote"])
    assert error.value.param == "samples"
    assert len(grid(["a"], [LOW], [1, 65], ["think_longer"]).settings) == 2  # no strategy counts them


def test_setting_labels_name_effort_and_strategy():
    assert Setting("a", LOW, 8, "vote").label == "low vote@8"
    assert Setting("a", NONE, 1).label == "none single"
    assert Setting("a", LOW, 4, "best_of_n/self").spec == "best_of_n@4/self"
    assert Setting("a", LOW, 1, "think_longer").spec == "think_longer"


def test_sample_seeds_are_stable_and_distinct():
    assert sample_seed(0, 0, 0) == 303972234  # pinned: the same on every machine and Python
    seeds = {sample_seed(0, problem, sample) for problem in range(20) for sample in range(8)}
    assert len(seeds) == 160
    assert sample_seed(1, 0, 0) != sample_seed(0, 0, 0)
    assert all(0 <= seed < 2**31 for seed in seeds)
