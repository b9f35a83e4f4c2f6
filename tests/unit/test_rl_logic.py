"""GRPO's bookkeeping: group-relative advantages, and keeping the best-checking weights."""

import pytest

torch = pytest.importorskip("torch")
from ponder.train.rl import Best, group_advantages  # noqa: E402


def test_advantages_are_relative_to_each_group_and_zero_where_a_group_agrees():
    adv = group_advantages([1.0, 0.0, 0.0, 0.0, 0.1, 0.1, 0.1, 0.1], group=4)
    assert adv[4:] == [0.0] * 4  # nothing to learn from a group that all scored alike
    assert adv[0] > 0 > adv[1] and adv[1] == adv[2] == adv[3]
    assert sum(adv[:4]) == pytest.approx(0.0, abs=1e-9)


def test_best_keeps_a_copy_of_the_first_weights_until_a_check_beats_them():
    model = torch.nn.Linear(2, 1)
    first = model.weight.detach().clone()
    best = Best(0.5, 0, model)
    with torch.no_grad():
        model.weight += 1.0  # training moves the live weights…
    best.offer(0.5, 5, model)  # …a tie is not better
    assert best.step == 0 and torch.equal(best.state["weight"], first)
    best.offer(0.75, 10, model)
    assert best.step == 10 and best.score == 0.75 and torch.equal(best.state["weight"], first + 1.0)
    with torch.no_grad():
        model.weight += 1.0
    assert torch.equal(best.state["weight"], first + 1.0)  # a copy, not the live tensor
    assert best.first == 0.5
