"""ponder's problem generators: right answers, honest traces, and train/eval kept apart."""

import random
import re

import pytest

from ponder.errors import InvalidOption
from ponder.tasks import TASK_NAMES, get_task
from ponder.tasks import written
from ponder.tasks.shape import shape_of
from ponder.tasks.trace import Style, Trace


@pytest.mark.parametrize("name", TASK_NAMES)
def test_train_and_eval_problems_never_overlap(name):
    train = {p.key for p in get_task(name).problems(3000, seed=1, split="train")}
    held_out = {p.key for p in get_task(name).problems(300, seed=2, split="eval")}
    assert len(held_out) == 300
    assert not train & held_out


@pytest.mark.parametrize("name", TASK_NAMES)
def test_the_same_seed_draws_the_same_problems(name):
    first = get_task(name).problems(20, seed=7)
    assert first == get_task(name).problems(20, seed=7)
    assert first != get_task(name).problems(20, seed=8)


def arithmetic_value(question: str) -> int:
    a, op, b = re.search(r"(\d+) ([-+*]) (\d+)", question).groups()
    return {"+": int(a) + int(b), "-": int(a) - int(b), "*": int(a) * int(b)}[op]


@pytest.mark.parametrize("name", ["add", "sub", "mul"])
def test_answers_are_the_true_values_and_traces_end_with_them(name):
    for problem in get_task(name).problems(500, seed=3, split="train"):
        assert int(problem.answer) == arithmetic_value(problem.question)
        assert problem.trace_text.rstrip().endswith(f"={problem.answer}")


def test_operand_sizes_follow_the_spec():
    for p in get_task("add").problems(500, seed=4):
        a, b = map(int, re.findall(r"\d+", p.question))
        assert a < 10**5 and b < 10**5
    sizes = set()
    for p in get_task("mul").problems(500, seed=4):
        a, b = map(int, re.findall(r"\d+", p.question))
        assert a < 1000 and b < 100
        sizes.add((len(str(a)), len(str(b))))
    assert (3, 2) in sizes and len(sizes) > 3


def test_word_problem_traces_reach_the_answer_through_every_step():
    for p in get_task("word").problems(300, seed=5, split="train"):
        last = p.trace_text.rstrip().splitlines()[-1]
        assert last.endswith(f"={p.answer}"), (p.question, p.trace_text)
        assert int(p.answer) >= 0


def test_every_line_of_written_arithmetic_is_true():
    rng = random.Random(6)
    for _ in range(300):
        a, b = rng.randrange(10**5), rng.randrange(10**5)
        for solve, value in ((written.add, a + b), (written.sub, a - b), (written.mul, (a % 1000) * (b % 100))):
            t = Trace(rng)
            args = (a % 1000, b % 100) if solve is written.mul else (a, b)
            assert solve(t, *args) == value
            for lhs, rhs in re.findall(r"([\d+*-]+)=(-?\d+)(?![\d*+-])", t.freeze()[0][0]):
                assert eval(lhs) == int(rhs), (lhs, rhs)


def test_slips_are_wrong_masked_and_corrected_right_after():
    rng = random.Random(7)
    slipped = 0
    for _ in range(200):
        t = Trace(rng, slip_rate=0.2)
        written.mul(t, rng.randrange(100, 1000), rng.randrange(10, 100))
        pieces = t.freeze()
        for i, (text, learn) in enumerate(pieces):
            if learn:
                continue
            slipped += 1
            lhs = re.search(r"([\d+*-]+)=$", pieces[i - 1][0]).group(1)
            assert int(text) != eval(lhs)  # the slip is really wrong…
            fix = re.match(r" wait, ([\d+*-]+)=(\d+)", pieces[i + 1][0])
            assert fix.group(1) == lhs and int(fix.group(2)) == eval(lhs)  # …and the next words fix it
    assert slipped > 50


def test_unknown_task_and_impossible_draws_are_clear_errors():
    with pytest.raises(InvalidOption, match="unknown task 'div'"):
        get_task("div")
    with pytest.raises(InvalidOption, match="split"):
        get_task("add").problems(1, split="test")


COLUMN = re.compile(r"^(\d+)([+-])(\d+): (?:\d+-\d+-\d<0, )?(\d+)[+-](\d+)[+-](\d)=")
TIMES = re.compile(r"^(\d+)\*(\d): (\d)\*(\d)=(\d+), (\d+)\+(\d)=")


def test_every_column_works_on_the_digits_written_beside_it():
    """Each line rewrites the operands with their used digits dropped and takes the digits just
    before the operator and the colon; what a line leaves is what the next one starts from."""
    rng = random.Random(8)
    checked = 0
    for _ in range(200):
        t = Trace(rng)
        solve, a_below, b_below = rng.choice(((written.add, 10**5, 10**5), (written.sub, 10**5, 10**5),
                                              (written.mul, 1000, 100)))
        solve(t, rng.randrange(a_below), rng.randrange(b_below))
        left = None
        for line in t.freeze()[0][0].splitlines():
            if m := COLUMN.match(line):
                xs, op, ys, x, y, _ = m.groups()
                if x.startswith("1") and len(x) == 2:  # a borrow: ten was added to the top digit
                    x = str(int(x) - 10)
                assert (x, y) == (xs[-1], ys[-1]), line
                if left is not None and left[1] == op:
                    assert (xs, ys) == left[::2], line
                left = (xs[:-1] or "0", op, ys[:-1] or "0")
                checked += 1
            elif m := TIMES.match(line):
                xs, d, x, d2, product, again, _ = m.groups()
                assert (x, d2) == (xs[-1], d) and product == again, line
                checked += 1
            else:
                left = None
    assert checked > 1000


def test_a_task_narrowed_to_one_shape_draws_only_that_shape_in_the_tasks_own_order():
    mixed = get_task("mul").problems(200, seed=3)
    narrow = get_task("mul:3x2").problems(40, seed=3)
    assert all(100 <= p.key[0] <= 999 and 10 <= p.key[1] <= 99 for p in narrow)
    assert narrow == [p for p in mixed if shape_of(p) == "3x2"][:40]
    assert shape_of(get_task("sub:5-4").problems(1, seed=0)[0]) == "5-4"
    with pytest.raises(InvalidOption, match=r"shape '3\+2' of mul: write the operands' digit counts as AxB"):
        get_task("mul:3+2")
    with pytest.raises(InvalidOption, match="task 'word' has no operand shapes"):
        get_task("word:2x2")



def first_multiplier_digit(problem) -> str:
    return re.match(r"\d+\*(\d)", problem.trace_text.split("\n")[1]).group(1)  # `849*7: …`, `849*0=0` → 7, 0


def test_a_style_with_tens_first_works_about_that_share_of_multiplications_from_the_tens_digit():
    usual = get_task("mul:3x2").problems(400, seed=9, split="train")
    both = get_task("mul:3x2").problems(400, seed=9, split="train", style=Style(tens_first=0.5))
    assert all(first_multiplier_digit(p) == str(p.key[1])[-1] for p in usual)
    tens = [p for p in both if first_multiplier_digit(p) == str(p.key[1])[0] != str(p.key[1])[-1]]
    assert 150 < len(tens) < 250
    for p in tens:
        assert p.trace_text.rstrip().endswith(f"={p.answer}") and p.trace_text in p.worked
        for lhs, rhs in re.findall(r"([\d+*-]+)=(-?\d+)(?![\d*+-])", p.trace_text):
            assert eval(lhs) == int(rhs), (lhs, rhs)


def test_worked_holds_every_clean_way_of_a_problem():
    by_shape = {shape_of(p): p for p in get_task("mul").problems(300, seed=4)}
    assert len(by_shape["3x2"].worked) == 2 and by_shape["3x2"].trace_text == by_shape["3x2"].worked[0]
    assert len(by_shape["3x1"].worked) == 1
    assert get_task("add").problems(1)[0].rework is None
    boxes = [p for p in get_task("word").problems(300, seed=4) if len(p.worked) == 2]  # `b boxes of c`, both 2-digit
    assert boxes and all(p.trace_text in p.worked for p in boxes)
