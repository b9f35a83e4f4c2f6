"""Task sources: JSONL files (and every way one can be wrong), reasoning-gym, ponder's own tasks."""

import json
from types import SimpleNamespace

import pytest

import ponder.tasks
from ponder.errors import InvalidOption
from ponder.eval.sources import Item, load_task, split_specs


def write(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_jsonl_items_in_file_order_blank_lines_skipped(tmp_path):
    name = write(tmp_path / "q.jsonl", [
        json.dumps({"question": "2+2?", "answer": "4"}), "",
        json.dumps({"question": "10-3?", "answer": 7}),
        json.dumps({"question": "capital of France?", "answer": "Paris"}),
    ])
    task = load_task(name, 10, seed=0)
    assert task.name == name
    pairs = [(i.question, i.expected) for i in task.items]
    assert pairs == [("2+2?", "4"), ("10-3?", "7"), ("capital of France?", "Paris")]
    assert task.system is None
    assert task.check(task.extract("The answer is 7.", task.items[1]), task.items[1])
    assert task.check(task.extract("Answer: paris", task.items[2]), task.items[2])
    assert len(load_task(name, 2, seed=0).items) == 2


BAD_LINES = {
    "not json": (['{"question": "a", "answer": "1"}', "{oops"], ":2: not valid JSON"),
    "not an object": (["[1, 2]"], ":1: expected an object"),
    "no question": (['{"answer": "1"}'], ':1: "question" must be a non-empty string'),
    "empty question": (['{"question": " ", "answer": "1"}'], ':1: "question" must be'),
    "no answer": (['{"question": "a"}'], ':1: "answer" must be a non-empty string or a number'),
    "boolean answer": (['{"question": "a", "answer": true}'], ':1: "answer" must be'),
    "empty file": ([""], ": no problems in the file"),
}


@pytest.mark.parametrize("lines, says", BAD_LINES.values(), ids=BAD_LINES.keys())
def test_bad_jsonl_names_file_and_line(tmp_path, lines, says):
    name = write(tmp_path / "bad.jsonl", lines)
    with pytest.raises(InvalidOption) as error:
        load_task(name, 5, seed=0)
    assert f"task: {name}{says}" in str(error.value)
    assert error.value.param == "task"


def test_missing_jsonl(tmp_path):
    with pytest.raises(InvalidOption, match="cannot read .*nope.jsonl: No such file"):
        load_task(str(tmp_path / "nope.jsonl"), 5, seed=0)


def test_task_lists():
    assert split_specs("add, gym:chain_sum ,x.jsonl") == ["add", "gym:chain_sum", "x.jsonl"]
    for bad in ("add,,sub", "", "add,add"):
        with pytest.raises(InvalidOption):
            split_specs(bad)


def test_gym_dataset_is_generated_offline_and_scored_by_itself():
    task = load_task("gym:basic_arithmetic", 3, seed=1)
    again = load_task("gym:basic_arithmetic", 3, seed=1)
    assert task.name == "gym:basic_arithmetic"
    assert [i.question for i in task.items] == [i.question for i in again.items]
    assert len(task.items) == 3 and "<answer>" in task.system
    item = task.items[0]
    tagged = f"Let me work it out. 1 + 1 = 2.\n<answer>{item.expected}</answer>"
    assert task.extract(tagged, item) == item.expected and task.check(item.expected, item)
    # no tags, numeric reference: the number the reply commits to is scored instead
    assert task.extract(f"The answer is {item.expected}.", item) == item.expected
    assert not task.check(f"{item.expected} or so", item)  # partial credit is not correct
    assert not task.check(None, item)


def test_unknown_gym_dataset():
    with pytest.raises(InvalidOption, match="reasoning-gym dataset 'nope'"):
        load_task("gym:nope", 2, seed=0)


def test_ponder_tasks_through_their_interface(monkeypatch):
    seen = {}

    class Stub:
        def problems(self, n, seed, split):
            seen.update(n=n, seed=seed, split=split)
            return [SimpleNamespace(task="add", question=f"Calculate {i * 10} + 1.", answer=str(i * 10 + 1),
                                    key=(i * 10, 1)) for i in range(n)]

    monkeypatch.setattr(ponder.tasks, "TASK_NAMES", ("add", "sub"))
    monkeypatch.setattr(ponder.tasks, "get_task", lambda name: Stub())
    task = load_task("add", 3, seed=5)
    assert seen == {"n": 3, "seed": 5, "split": "eval"}
    assert [i.expected for i in task.items] == ["1", "11", "21"]
    assert [i.shape for i in task.items] == ["1+1", "2+1", "2+1"]  # the operands' digits, as asked
    assert task.check(task.extract("so it is 21.", task.items[2]), task.items[2])
    with pytest.raises(InvalidOption, match="unknown task 'div'; use one of add, sub"):
        load_task("div", 3, seed=5)


def test_items_compare_without_their_source_record():
    assert Item("q", "1", {"x": 1}) == Item("q", "1", {"y": 2})
