"""Step-level credit: a penalised rollout's advantage lands on its first wrong number only."""

import os
import random

from ponder.tasks import get_task
from ponder.tasks.arithmetic import make
from ponder.tasks.trace import Style
from ponder.train import chat
from ponder.train.credit import STEP_PENALTY, assign, token_span
from ponder.train.vocab import CompactVocab, detokenize, tokenize

PROBLEM = get_task("mul:3x2").problems(1, seed=0, split="train")[0]


def rollout(trace: str, answer: str) -> tuple[list[int], CompactVocab]:
    text = trace + chat.close_text() + chat.answer_text(answer) + chat.EOS_TEXT
    tokens = tokenize(text)
    vocab = CompactVocab.covering([tokens])
    return vocab.compact(tokens), vocab


def said(completion: list[int], vocab: CompactVocab, span: tuple[int, int]) -> str:
    return detokenize(vocab.expand(completion[span[0] : span[1]]))


def test_a_wrong_trace_is_penalised_at_its_first_wrong_digit_only():
    gold = PROBLEM.trace_text
    line = gold.split("\n")[1]  # the first column step, `868*7: 8*7=56, 56+0=56 -> 6`
    value = line.split("=")[1].split(",")[0]
    wrong = value[:-1] + str((int(value[-1]) + 1) % 10)  # its last digit one off
    slipped = line.replace(f"={value},", f"={wrong},", 1)
    completion, vocab = rollout(gold.replace(line, slipped, 1), "1")
    advantage, span = assign(PROBLEM, completion, False, -0.4, vocab, "departure")
    assert span[1] - span[0] == 1 and said(completion, vocab, span) == wrong[-1]
    assert advantage == STEP_PENALTY  # at least a step's penalty…
    assert assign(PROBLEM, completion, False, 0.0, vocab, "departure")[0] == STEP_PENALTY  # …where all failed
    assert assign(PROBLEM, completion, False, -2.5, vocab, "departure")[0] == -2.5


def test_right_rollouts_and_outcome_credit_keep_every_token_and_the_group_advantage():
    completion, vocab = rollout(PROBLEM.trace_text, PROBLEM.answer)
    assert assign(PROBLEM, completion, True, 1.5, vocab, "departure") == (1.5, (0, len(completion)))
    wrong, vocab = rollout(PROBLEM.trace_text.replace("=", "=9", 1), "1")
    assert assign(PROBLEM, wrong, False, 0.0, vocab, "outcome") == (0.0, (0, len(wrong)))


def test_reasoning_closed_too_early_is_penalised_at_the_close():
    cut = PROBLEM.trace_text[: len(PROBLEM.trace_text) // 2]
    cut = cut[: cut.rindex("\n") + 1]
    completion, vocab = rollout(cut, "1")
    _, span = assign(PROBLEM, completion, False, -1.0, vocab, "departure")
    # the close is several tokens; the first one is where the model chose to stop
    assert span[1] - span[0] == 1 and chat.FORMAT.close.startswith(said(completion, vocab, span))


def test_a_rollout_the_audit_cannot_place_keeps_every_token_and_is_never_pushed_up():
    completion, vocab = rollout(PROBLEM.trace_text, "1")  # a right trace, a wrong answer
    assert assign(PROBLEM, completion, False, -0.5, vocab, "departure") == (-0.5, (0, len(completion)))
    assert assign(PROBLEM, completion, False, 0.3, vocab, "departure") == (0.0, (0, len(completion)))


def test_token_spans_cover_the_characters_asked_for():
    pieces = ["ab", "c", "de", "f"]
    assert token_span(pieces, 2, 3) == (1, 2)
    assert token_span(pieces, 1, 4) == (0, 3)
    assert token_span(pieces, 6, 7) == (3, 4)  # past the end: the last token


def test_a_wrong_leading_digit_is_penalised_with_the_rest_of_its_number():
    gold = PROBLEM.trace_text
    recall = gold.split("\n")[-8]  # the line that recalls the partial products by name
    value = recall.split("=")[1].split(",")[0]
    assert len(value) >= 3, recall
    wrong = str(int(value[0]) % 9 + 1) + value[1:]
    recalled = recall.replace(f"={value}", f"={wrong}", 1)
    completion, vocab = rollout(gold.replace(f"\n{recall}\n", f"\n{recalled}\n", 1), "1")  # not the `so` line
    _, span = assign(PROBLEM, completion, False, -1.0, vocab, "departure")
    assert said(completion, vocab, span) == wrong


def test_an_unfinished_rollout_that_never_departed_is_not_blamed_on_its_last_token():
    half = PROBLEM.trace_text[: len(PROBLEM.trace_text) // 2]
    tokens = tokenize(half)  # cut off mid-trace (max_new, or a token outside the vocabulary)
    vocab = CompactVocab.covering([tokens])
    completion = vocab.compact(tokens)
    assert assign(PROBLEM, completion, False, 0.0, vocab, "departure") == (0.0, (0, len(completion)))



def test_a_trace_worked_from_the_tens_digit_is_penalised_at_its_slip_not_at_its_layout():
    problem = make("mul", "*", 849, 27, random.Random(0), Style())
    usual, tens_first = problem.worked
    assert usual.startswith("849*27:\n849*7:") and tens_first.startswith("849*27:\n849*2:")
    # the far recall is the tens' partial now; the usual layout's slip was the units' (`5943` as `6943`)
    slipped = tens_first.replace("849*20=16980, 849*7=5943", "849*20=16980, 849*7=6943", 1)
    completion, vocab = rollout(slipped, "1")
    advantage, span = assign(problem, completion, False, -0.4, vocab, "departure")
    assert said(completion, vocab, span) == "6943" and advantage == STEP_PENALTY
    right_way, vocab = rollout(tens_first, "1")  # never departs: a wrong answer only, the whole rollout
    assert assign(problem, right_way, False, -0.4, vocab, "departure") == (-0.4, (0, len(right_way)))


def test_sparing_the_way_leaves_out_the_token_that_chose_it_and_nothing_after():
    for problem in get_task("mul:3x2").problems(6, seed=0, split="train"):
        usual, tens = problem.worked
        chose = len(os.path.commonprefix((usual, tens)))  # the first character where the ways part
        for trace in (usual, tens):
            completion, vocab = rollout(trace, problem.answer)
            advantage, (start, end) = assign(problem, completion, True, 1.5, vocab, "departure", spare_way=True)
            assert said(completion, vocab, (0, start)) == trace[: chose + 1]  # up to the choice, which is spared
            assert (advantage, end) == (1.5, len(completion))
    # a wrong rollout's first error is where it was; a one-way problem spares nothing
    line = usual.split("\n")[1]
    completion, vocab = rollout(usual.replace(line, line.replace("=", "=9", 1), 1), "1")
    assert assign(PROBLEM, completion, False, -0.4, vocab, "departure", spare_way=True) == \
        assign(PROBLEM, completion, False, -0.4, vocab, "departure")
    adding = get_task("add").problems(1, seed=0, split="train")[0]
    completion, vocab = rollout(adding.trace_text, adding.answer)
    assert assign(adding, completion, True, 1.0, vocab, "departure", spare_way=True) == (1.0, (0, len(completion)))
