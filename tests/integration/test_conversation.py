"""Across turns: reasoning is discarded, prompts are exactly the visible history, KV is reused,
and the window is enforced."""

import pytest
from support.reference import expected_prompt_tokens

from ponder.config import TurnOptions
from ponder.errors import ContextOverflow
from ponder.types import Message, Role

QUESTIONS = ["What is 12+7?", "Now multiply that by 3.", "Is the result even or odd?"]


def test_later_turns_send_the_history_without_reasoning(runtime):
    options = TurnOptions(effort="minimal", temperature=0)
    conversation, visible = [], []
    for number, question in enumerate(QUESTIONS, 1):
        conversation.append(Message(Role.USER, question))
        visible.append({"role": "user", "content": question})
        result = runtime.respond(conversation, options).collect()
        assert result.message.reasoning, "the check below means nothing without reasoning to drop"
        if number > 1:
            expected = expected_prompt_tokens(visible)
            assert result.usage.prompt_tokens == expected, f"turn {number}"
            assert result.usage.cached_tokens > 0
        conversation.append(result.message)
        visible.append({"role": "assistant", "content": result.message.content})


def test_keep_reasoning_sends_it_again(runtime):
    first = [Message(Role.USER, QUESTIONS[0])]
    answer = runtime.respond(first, TurnOptions(effort="minimal", temperature=0)).collect().message
    second = first + [answer, Message(Role.USER, QUESTIONS[1])]
    dropped = runtime.prompt_tokens(second, think=True)
    kept = runtime.prompt_tokens(second, think=True, keep_reasoning=True)
    assert len(kept) > len(dropped) + 3
    assert answer.reasoning in runtime.render(second, think=True, keep_reasoning=True)
    assert answer.reasoning not in runtime.render(second, think=True)


def long_conversation(turns: int) -> list[Message]:
    messages = [Message(Role.SYSTEM, "You are terse.")]
    for i in range(turns):
        messages += [
            Message(Role.USER, f"Tell me fact number {i} about the sea, in detail please."),
            Message(Role.ASSISTANT, f"Fact {i}: the sea is deep, salty and wide, and it covers most of the planet.", reasoning="r" * 50),
        ]
    return messages + [Message(Role.USER, "Which fact was first?")]


def test_auto_truncation_drops_the_oldest_turns(small_runtime):
    messages = long_conversation(8)
    options = TurnOptions(effort="none", max_completion_tokens=16, temperature=0)
    assert len(small_runtime.prompt_tokens(messages, think=False)) + 16 > small_runtime.n_ctx
    result = small_runtime.respond(messages, options).collect()
    assert result.dropped_turns > 0
    assert result.usage.prompt_tokens + 16 <= small_runtime.n_ctx
    kept = messages[:1] + messages[1 + 2 * result.dropped_turns :]
    assert result.usage.prompt_tokens == len(small_runtime.prompt_tokens(kept, think=False))


def test_disabled_truncation_fails_with_the_numbers(small_runtime):
    messages = long_conversation(8)
    options = TurnOptions(effort="none", max_completion_tokens=16, truncation="disabled")
    size = len(small_runtime.prompt_tokens(messages, think=False))
    with pytest.raises(ContextOverflow) as error:
        small_runtime.respond(messages, options)
    assert f"prompt of {size} tokens" in str(error.value)
    assert "reserve of 16 tokens" in str(error.value) and "320 tokens" in str(error.value)


def test_newest_message_too_big_fails_even_with_auto(small_runtime):
    messages = long_conversation(2)[:-1] + [Message(Role.USER, "word " * 400)]
    with pytest.raises(ContextOverflow, match="even with every older turn dropped"):
        small_runtime.respond(messages, TurnOptions(effort="none", max_completion_tokens=16))


def test_reserve_larger_than_the_window_fails_clearly(small_runtime):
    with pytest.raises(ContextOverflow, match="reserve of 400 tokens"):
        small_runtime.respond([Message(Role.USER, "hi")], TurnOptions(max_completion_tokens=400))


def test_implicit_budget_shrinks_to_the_window(small_runtime):
    result = small_runtime.respond([Message(Role.USER, "hi")], TurnOptions(effort="xhigh", seed=1)).collect()
    assert result.usage.completion_tokens <= small_runtime.n_ctx // 2
