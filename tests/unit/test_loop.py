"""The two-phase loop on a scripted engine: phases, budgets, limits and token accounting."""

import dataclasses

import pytest

from ponder.config import TurnOptions
from ponder.types import ContentDelta, FinishReason, Message, ReasoningDelta, Role, TurnResult

ASK = [Message(Role.USER, "What is 2+2?")]
SCRIPT = "two plus two is four</think>\n\nThe answer is 4."


def run(runtime, **options):
    events = list(runtime.respond(ASK, TurnOptions(**options)))
    result = events[-1]
    assert isinstance(result, TurnResult)
    return events, result


def test_reasoning_then_answer(scripted):
    events, result = run(scripted(SCRIPT), reasoning_budget=100)
    assert result.message.reasoning == "two plus two is four"
    assert result.message.content == "The answer is 4."
    assert result.finish_reason is FinishReason.STOP
    assert not result.budget_forced


def test_streamed_deltas_equal_the_final_message(scripted):
    events, result = run(scripted(SCRIPT), reasoning_budget=100)
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    content = "".join(e.text for e in events if isinstance(e, ContentDelta))
    assert reasoning.strip() == result.message.reasoning
    assert content.strip() == result.message.content
    assert "think>" not in content and "</" not in content


def test_usage_counts_each_phase(scripted):
    runtime = scripted(SCRIPT)
    _, result = run(runtime, reasoning_budget=100)
    engine = runtime.engine
    reasoning_part = "two plus two is four</think>"
    answer_part = "\n\nThe answer is 4."
    assert result.usage.reasoning_tokens == len(engine.tokenize(reasoning_part))
    assert result.usage.answer_tokens == len(engine.tokenize(answer_part))
    assert result.usage.completion_tokens == result.usage.reasoning_tokens + result.usage.answer_tokens
    assert result.usage.prompt_tokens == len(engine.prompts[-1])


def test_effort_none_skips_reasoning(scripted):
    runtime = scripted("Four.")
    _, result = run(runtime, effort="none")
    assert result.usage.reasoning_tokens == 0
    assert result.message.reasoning is None
    assert result.message.content == "Four."
    prompt = runtime.engine.detokenize(runtime.engine.prompts[-1])
    assert "<think>" not in prompt


def test_budget_forces_the_close_and_still_answers(scripted):
    long_thought = " ".join(["hmm"] * 200) + "</think>The answer is 4."
    runtime = scripted(long_thought)
    events, result = run(runtime, reasoning_budget=40)
    assert result.budget_forced
    assert result.usage.reasoning_tokens <= 40
    assert result.message.content == "The answer is 4."
    assert "out of thinking time" in result.message.reasoning


def test_tiny_budget_forces_only_the_marker(scripted):
    _, result = run(scripted(" ".join(["hmm"] * 50) + "</think>4"), reasoning_budget=5)
    assert result.budget_forced
    assert result.usage.reasoning_tokens <= 5
    assert "out of thinking time" not in result.message.reasoning
    assert result.message.content == "4"


def test_max_completion_below_budget_ends_with_length_and_no_content(scripted):
    _, result = run(scripted(" ".join(["hmm"] * 100) + "</think>4"), reasoning_budget=256, max_completion_tokens=30)
    assert result.finish_reason is FinishReason.LENGTH
    assert result.message.content == ""
    assert result.usage.completion_tokens == 30
    assert result.usage.answer_tokens == 0


def test_max_completion_during_answer_keeps_partial_content(scripted):
    _, result = run(scripted("ok</think>" + " ".join(["word"] * 50)), reasoning_budget=20, max_completion_tokens=12)
    assert result.finish_reason is FinishReason.LENGTH
    assert result.message.content.startswith("word")
    assert result.usage.completion_tokens == 12


def test_end_of_turn_inside_reasoning_closes_the_block(scripted):
    _, result = run(scripted("I think it is four<|im_end|>Four."), reasoning_budget=100)
    assert result.message.reasoning == "I think it is four"
    assert result.message.content == "Four."


def test_stop_string_ends_the_answer(scripted):
    _, result = run(scripted("ok</think>one two STOP three"), reasoning_budget=50, stop=("STOP",))
    assert result.message.content == "one two"
    assert result.finish_reason is FinishReason.STOP


def test_stop_strings_do_not_apply_to_reasoning(scripted):
    _, result = run(scripted("STOP is a word</think>fine"), reasoning_budget=50, stop=("STOP",))
    assert result.message.reasoning == "STOP is a word"
    assert result.message.content == "fine"


def test_leaving_the_stream_early_cancels_the_sequence(scripted):
    runtime = scripted(SCRIPT)
    cancelled, submit = [], runtime.engine.submit

    def recording(*args, **kwargs):
        handle = submit(*args, **kwargs)
        handle.cancel = lambda: cancelled.append(True)
        return handle

    runtime.engine.submit = recording
    events = iter(runtime.respond(ASK, TurnOptions(reasoning_budget=100)))
    assert isinstance(next(events), ReasoningDelta)
    events.close()  # the consumer walks away mid-turn
    assert cancelled == [True]
    assert run(runtime, reasoning_budget=100)[1].message.content == "The answer is 4."  # and it serves on


@pytest.mark.timeout(20)  # before the fix the consumer waited forever for an end that never came
def test_a_failure_while_ending_the_turn_still_ends_it(scripted, monkeypatch):
    from ponder.errors import EngineFailure
    from ponder.reasoning.loop import TurnLoop

    def broken(self):
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "scripted")

    runtime = scripted("on and on " * 50)  # never closes its reasoning: the window ends it
    prompt = runtime.prompt(ASK, TurnOptions(reasoning_budget=100, max_completion_tokens=200))
    runtime.engine.info = dataclasses.replace(runtime.engine.info, n_ctx=len(prompt.tokens) + 20)
    monkeypatch.setattr(TurnLoop, "_flush", broken)  # what ends the turn (on_end) fails
    with pytest.raises(EngineFailure, match="ending the turn failed: UnicodeDecodeError"):
        runtime.respond(prompt, TurnOptions(reasoning_budget=100, max_completion_tokens=200)).collect()


@pytest.mark.parametrize("field, value", [("temperature", -1), ("temperature", 3), ("top_p", 0), ("stop", ("",)), ("effort", "max"), ("truncation", "sometimes")])
def test_bad_turn_options_are_rejected(field, value):
    from ponder.errors import InvalidOption

    with pytest.raises(InvalidOption):
        TurnOptions(**{field: value})


def test_a_model_that_ends_right_after_reasoning_still_answers(scripted):
    # The end-of-turn right after </think> is banned until the answer has visible text.
    _, result = run(scripted("done</think>\n<|im_end|>Four.<|im_end|>"), reasoning_budget=50)
    assert result.message.content == "Four."


def test_effort_none_may_not_end_before_answering(scripted):
    _, result = run(scripted("<|im_end|>Four."), effort="none")
    assert result.message.content == "Four."


def test_reasoning_markers_echoed_in_the_answer_are_removed(scripted):
    _, result = run(scripted("ok</think>Four.</think> Yes <think>four"), reasoning_budget=50)
    assert result.message.content == "Four. Yes four"
