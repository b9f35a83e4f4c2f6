"""Truncation drops whole oldest turns, never instructions or the newest turn."""

import pytest

from ponder.context.window import drop_turns, fit
from ponder.errors import ContextOverflow
from ponder.types import Message, Role, Truncation


def conversation(turns: int) -> list[Message]:
    messages = [Message(Role.SYSTEM, "sys")]
    for i in range(turns):
        messages += [Message(Role.USER, f"q{i}"), Message(Role.ASSISTANT, f"a{i}")]
    return messages + [Message(Role.USER, "last")]


def size(messages) -> int:
    return 10 * len(messages)  # every message costs 10 tokens


def test_fits_untouched():
    messages = conversation(2)
    assert fit(messages, size, 100, 10, Truncation.AUTO) == (messages, 0)


def test_auto_drops_fewest_oldest_turns():
    messages = conversation(5)  # 12 messages, 120 tokens
    kept, dropped = fit(messages, size, 100, 20, Truncation.AUTO)
    assert dropped == 2
    assert kept[0].content == "sys"
    assert [m.content for m in kept[1:3]] == ["q2", "a2"]
    assert kept[-1].content == "last"
    assert size(kept) + 20 <= 100


def test_disabled_fails_with_the_numbers():
    with pytest.raises(ContextOverflow) as error:
        fit(conversation(5), size, 100, 20, Truncation.DISABLED)
    message = str(error.value)
    assert "120 tokens" in message and "20 tokens" in message and "100 tokens" in message
    assert (error.value.prompt_tokens, error.value.reserve, error.value.n_ctx) == (120, 20, 100)


@pytest.mark.parametrize("mode", list(Truncation))
def test_newest_message_alone_too_big_fails_in_both_modes(mode):
    with pytest.raises(ContextOverflow):
        fit(conversation(3), size, 25, 10, mode)  # system + newest alone: 20 + 10 > 25


def test_developer_messages_in_the_middle_are_never_dropped():
    messages = conversation(3)
    messages.insert(3, Message(Role.DEVELOPER, "note"))
    kept = drop_turns(messages, 2)
    assert [m.content for m in kept] == ["sys", "note", "q2", "a2", "last"]
