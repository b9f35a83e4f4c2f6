"""The answer checker: recomputes every task's answer from its question, and knows nothing else."""

import pytest

from ponder.tasks import TASK_NAMES, get_task
from ponder.tasks.solve import solve, task_of
from ponder.tasks.word import TEMPLATES


@pytest.mark.parametrize("split", ["eval", "train"])
@pytest.mark.parametrize("name", TASK_NAMES)
def test_solves_every_generated_problem(name, split):
    problems = get_task(name).problems(300, seed=3, split=split)
    for problem in problems:
        assert solve(problem.question) == problem.answer, problem.question
        assert task_of(problem.question) == name
    if name == "word":
        assert {problem.key[0] for problem in problems} == set(range(len(TEMPLATES)))


@pytest.mark.parametrize("question", [
    "What is the capital of France?",
    "What is 2 + 2 plus 3?",
    "Calculate 5 / 3.",
    "",
    "   ",
    "What is 2 + 2? Explain your answer.",
    "Tom has 5 apples. He buys 3 more. How many apples does Tom have now? Think step by step.",
    "Tom has 5 apples. She buys 3 more. How many apples does Tom have now?",  # not Tom's pronoun
    "Tom has 5 apples. He buys 3 more. How many books does Tom have now?",  # item changed midway
    "Tom has 50 apples and gives 3 of them to Tom. How many apples does Tom have left?",  # to himself
    "What is 007 + 1?",
])
def test_other_questions_give_none(question):
    assert solve(question) is None
    assert task_of(question) is None


def test_subtraction_below_zero_gives_the_negative_answer():
    assert solve("What is 45 - 123?") == "-78"
    assert solve("  12 - 12 = ?\n") == "0"
    assert task_of("Calculate 3 - 10.") == "sub"


def test_word_steps_run_in_order():
    question = ("Anna has 10 coins. She buys 3 boxes with 20 coins in each box, then gives 5 coins to Leo. "
                "How many coins does Anna have now?")
    assert solve(question) == "65"
    assert task_of(question) == "word"
