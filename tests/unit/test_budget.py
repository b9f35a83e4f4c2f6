"""Effort maps to documented budgets; bad limits are rejected by name."""

import pytest

from ponder.errors import InvalidOption
from ponder.reasoning.budget import DEFAULT_ANSWER_TOKENS, EFFORT_TOKENS, settle_budget
from ponder.types import Effort


def test_mapping_is_monotonic_and_none_is_zero():
    values = [EFFORT_TOKENS[e] for e in Effort]
    assert values[0] == 0 and values == sorted(values) and len(set(values)) == len(values)


def test_explicit_budget_overrides_effort():
    assert settle_budget(Effort.HIGH, 10, None, 8192).reasoning == 10


def test_default_completion_reserves_room_for_the_answer():
    budget = settle_budget(Effort.LOW, None, None, 8192)
    assert budget.completion == EFFORT_TOKENS[Effort.LOW] + DEFAULT_ANSWER_TOKENS


@pytest.mark.parametrize("reasoning, completion, param", [(-1, None, "reasoning_budget"), (None, 0, "max_completion_tokens"), (None, -5, "max_completion_tokens")])
def test_bad_limits_name_the_parameter(reasoning, completion, param):
    with pytest.raises(InvalidOption) as error:
        settle_budget(Effort.LOW, reasoning, completion, 8192)
    assert error.value.param == param


def test_unknown_effort_lists_the_choices():
    with pytest.raises(InvalidOption, match="unknown effort 'extreme'.*none, minimal, low, medium, high, xhigh"):
        Effort.parse("extreme")


def test_implicit_reserve_fits_half_the_window_and_shrinks_the_budget():
    budget = settle_budget(Effort.XHIGH, None, None, 8192)
    assert budget.completion == 4096
    assert budget.reasoning == 4096 - DEFAULT_ANSWER_TOKENS


def test_explicit_completion_cap_is_kept_even_if_the_window_cannot_hold_it():
    assert settle_budget(Effort.LOW, None, 9000, 4096).completion == 9000


def test_a_small_window_gives_the_reasoning_three_quarters_of_the_reserve():
    budget = settle_budget(Effort.HIGH, None, None, 1024)  # the third ponder-reasoner's window
    assert (budget.completion, budget.reasoning) == (512, 384)
    assert settle_budget(Effort.LOW, None, None, 1024).reasoning == EFFORT_TOKENS[Effort.LOW]
