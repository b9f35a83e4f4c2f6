"""GRPO's bookkeeping: group-relative advantages, keeping the best-checking weights, and the
screened pool of problems the model gets wrong."""

import pytest

torch = pytest.importorskip("torch")
from ponder.train import rl  # noqa: E402
from ponder.train.rl import Best, group_advantages  # noqa: E402


def test_advantages_are_relative_to_each_group_and_zero_where_a_group_agrees():
    adv = group_advantages([1.0, 0.0, 0.0, 0.0, 0.1, 0.1, 0.1, 0.1], group=4)
    assert adv[4:] == [0.0] * 4  # nothing to learn from a group that all scored alike
    assert adv[0] > 0 > adv[1] and adv[1] == adv[2] == adv[3]
    assert sum(adv[:4]) == pytest.approx(0.0, abs=1e-9)


def test_best_keeps_a_copy_of_the_first_weights_until_a_check_beats_them():
    model = torch.nn.Linear(2, 1)
    first = model.weight.detach().clone()
    best = Best({"add": 0.5}, 0, model)
    with torch.no_grad():
        model.weight += 1.0  # training moves the live weights…
    best.offer({"add": 0.5}, 5, model)  # …a tie is not better
    assert best.step == 0 and torch.equal(best.state["weight"], first)
    best.offer({"add": 0.75}, 10, model)
    assert best.step == 10 and best.score == 0.75 and torch.equal(best.state["weight"], first + 1.0)
    with torch.no_grad():
        model.weight += 1.0
    assert torch.equal(best.state["weight"], first + 1.0)  # a copy, not the live tensor
    assert best.first == {"add": 0.5}


def test_screening_keeps_the_problems_the_model_gets_wrong_in_a_cycle(monkeypatch):
    # solved() is the sampling; here every other problem of add is right and all of sub are
    verdicts = {"add": [True, False] * 3, "sub": [True] * 6}
    monkeypatch.setattr(rl, "solved", lambda model, vocab, problems, *a, **k: verdicts[problems[0].task])
    logged = []
    pool = rl.screened(None, None, ["add", "sub"], 6, 8, seed=5, log=logged.append)
    add = rl.get_task("add").problems(6, seed=6, split="train")
    assert [next(pool["add"]) for _ in range(4)] == [add[1], add[3], add[5], add[1]]
    # a task with nothing wrong trains on all it screened rather than on nothing
    sub = rl.get_task("sub").problems(6, seed=6, split="train")
    assert [next(pool["sub"]) for _ in range(6)] == sub
    assert [(r["task"], r["wrong"]) for r in logged] == [("add", 3), ("sub", 0)]
