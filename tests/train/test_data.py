"""Training sequences: exactly the runtime's prompt, and loss only on what the model says."""

import random
from collections import Counter
import re

from ponder.tasks import get_task
from ponder.tasks.trace import Style
from ponder.train import chat, data
from ponder.train.recipe import RECIPES, sft_examples
from ponder.train.vocab import CompactVocab, detokenize, tokenize

PROBLEM = get_task("mul").problems(1, seed=0, split="train")[0]


def last_question(example):
    return re.findall(r"<\|im_start\|>user\n(.*?)<\|im_end\|>", detokenize(example.tokens), re.S)[-1]


def learned_text(example):
    return detokenize([t for t, learn in zip(example.tokens, example.learn) if learn])


def test_prompt_is_what_ponder_renders_and_is_never_learned():
    rng = random.Random(0)
    e = data.example(PROBLEM, "trace", rng)
    prompt = tokenize(chat.prompt_text(PROBLEM.question, True))
    assert e.tokens[: len(prompt)] == prompt
    assert not any(e.learn[: len(prompt)])
    assert detokenize(prompt).endswith("<|im_start|>assistant\n<think>\n")
    assert learned_text(e) == PROBLEM.trace_text + "</think>\n\nThe answer is " + PROBLEM.answer + ".<|im_end|>"


def test_reasoning_off_answers_after_an_empty_block():
    e = data.example(PROBLEM, "direct", random.Random(0))
    assert detokenize(e.tokens).endswith(
        "<think>\n\n</think>\n\nThe answer is " + PROBLEM.answer + ".<|im_end|>")
    assert learned_text(e) == "The answer is " + PROBLEM.answer + ".<|im_end|>"


def test_budget_cut_injects_the_runtime_handoff_without_learning_it():
    e = data.example(PROBLEM, "cut", random.Random(0))
    text = detokenize(e.tokens)
    assert chat.HANDOFF + "</think>\n\nThe answer is" in text
    assert chat.HANDOFF not in learned_text(e)


def test_slips_are_in_the_sequence_but_not_in_the_loss():
    problem = next(p for p in get_task("mul").problems(200, seed=1, split="train", style=Style(slip_rate=0.3))
                   if any(not learn for _, learn in p.trace))
    e = data.example(problem, "trace", random.Random(0))
    slip = next(text for text, learn in problem.trace if not learn)
    assert problem.trace_text in detokenize(e.tokens)
    assert sum(not learn for learn in e.learn[len(tokenize(chat.prompt_text(problem.question, True))):]) >= len(slip)


def test_later_turns_carry_earlier_answers_without_reasoning():
    earlier = (("What is 2 + 3?", "5"),)
    e = data.example(PROBLEM, "trace", random.Random(0), earlier)
    text = detokenize(e.tokens)
    assert "<|im_start|>user\nWhat is 2 + 3?<|im_end|>\n<|im_start|>assistant\nThe answer is 5.<|im_end|>\n" in text
    assert text.count("<think>") == 1


def test_compact_vocabulary_round_trips_and_prices_the_rest_exactly():
    tokens = tokenize(chat.prompt_text(PROBLEM.question, True) + PROBLEM.trace_text)
    vocab = CompactVocab.covering([tokens])
    assert vocab.expand(vocab.compact(tokens)) == tokens
    import math
    assert math.isclose(math.exp(vocab.other_logit), vocab.full - len(vocab))


def test_the_sft_control_trains_on_what_stepwise_rl_trained_on_and_runs_no_rl():
    # The control spends RL's compute on SFT: on the same problem shape, from the same window.
    control, stepwise = RECIPES["sft-control"], RECIPES["stepwise"]
    assert control.rl_steps == 0 and len(control.sft_more) == 1
    assert control.shape == stepwise.shape and control.rl_tasks == stepwise.rl_tasks == ("mul:3x2",)
    for example in sft_examples(control, 40, seed=control.seed + 1):
        question = last_question(example)
        assert re.fullmatch(r"\D*[1-9]\d\d \* [1-9]\d\D*", question), question


def test_focus_repeats_the_controls_round_then_brings_every_task_back():
    # Its round 2 is the control's, example for example (so a run can resume from the control's
    # sft.pt); its round 3 draws from all five tasks, the ones the control forgot included.
    focus, control = RECIPES["focus"], RECIPES["sft-control"]
    count, lr, tasks = focus.sft_more[0]
    assert (count, lr, None) == control.sft_more[0] and focus.seed == control.seed and focus.shape == control.shape
    again = sft_examples(focus, 40, seed=focus.seed + 1, tasks=tasks)
    assert [e.tokens for e in again] == [e.tokens for e in sft_examples(control, 40, seed=control.seed + 1)]
    mixed = sft_examples(focus, 50, seed=focus.seed + 2)
    questions = [last_question(e) for e in mixed]
    assert sum(" + " in q for q in questions) >= 10 and sum(" - " in q for q in questions) >= 10
    assert sum(not re.search(r"\d [-+*] \d", q) for q in questions) >= 10  # word problems


def test_the_train_command_offers_every_recipe():
    # The CLI lists the names by hand (importing RECIPES would load torch for `ponder --help`).
    from ponder.cli.train import train
    recipe = next(option for option in train.params if option.name == "recipe_name")
    assert list(recipe.type.choices) == list(RECIPES)


def test_balance_is_focus_with_rl_on_every_task_with_room_checked_on_every_task():
    # Its SFT is focus's (so --from-sft takes focus's sft.pt); only the RL stage differs.
    balance, focus = RECIPES["balance"], RECIPES["focus"]
    rl_fields = {"name", "rl_tasks", "rl_check_tasks", "rl_steps", "rl_time_limit_s"}
    assert {k: v for k, v in vars(balance).items() if k not in rl_fields} == \
        {k: v for k, v in vars(focus).items() if k not in rl_fields}
    assert set(balance.rl_check_tasks) == set(balance.tasks) and "sub" in balance.rl_tasks


def test_twoway_works_about_half_of_its_multiplications_by_two_digits_from_the_tens_digit():
    # Only its SFT round's traces differ from focus's (and the seed): focus's RL follows.
    twoway, focus = RECIPES["twoway"], RECIPES["focus"]
    sft_fields = {"name", "seed", "tens_first", "sft_more"}
    assert {k: v for k, v in vars(twoway).items() if k not in sft_fields} == \
        {k: v for k, v in vars(focus).items() if k not in sft_fields}

    def ways(recipe):
        first = Counter()
        for e in sft_examples(recipe, n=500, seed=recipe.seed + 1):
            found = re.search(r"<think>\n(\d\d\d?)\*(\d\d):\n\1\*(\d):", detokenize(e.tokens))
            if found and found.group(2)[0] != found.group(2)[1]:
                first["tens" if found.group(3) == found.group(2)[0] else "units"] += 1
        return first
    assert ways(focus)["tens"] == 0 and ways(focus)["units"] > 50
    mixed = ways(twoway)
    assert 0.35 < mixed["tens"] / (mixed["tens"] + mixed["units"]) < 0.65


def test_bothways_is_twoway_but_for_sparing_the_way_in_rl():
    # Its SFT is twoway's (so --from-sft takes twoway's sft.pt, and RL draws the same problems).
    bothways, twoway = RECIPES["bothways"], RECIPES["twoway"]
    assert vars(bothways) == vars(twoway) | {"name": "bothways", "rl_spare_way": True}
    assert not twoway.rl_spare_way
