"""One turn renders its prompt once and tokenizes it once; so does a strategy of n sequences.

A turn's other render and tokenize are its warm-up: the next turn's history, rendered when the
turn has ended. A truncated conversation renders each candidate the window tries, once.
"""

import pytest

from ponder.config import TurnOptions
from ponder.engine.fake import FakeEngine
from ponder.models.template import ChatTemplate
from ponder.runtime import Runtime
from ponder.strategies import Vote
from ponder.types import Message, Role

CONVERSATION = [
    Message(Role.SYSTEM, "Be brief."),
    Message(Role.USER, "What is 2+2?"),
    Message(Role.ASSISTANT, "4", reasoning="two and two"),
    Message(Role.USER, "And 3+3?"),
]


class Counting(FakeEngine):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tokenized: list[str] = []

    def tokenize(self, text, *, special=True):
        self.tokenized.append(text)
        return super().tokenize(text, special=special)


@pytest.fixture
def counted(monkeypatch):
    """(runtime, renders): every chat-template render is recorded."""
    renders: list[list[dict]] = []
    original = ChatTemplate.render

    def render(self, messages, add_generation_prompt=True, **variables):
        renders.append(messages)
        return original(self, messages, add_generation_prompt, **variables)

    monkeypatch.setattr(ChatTemplate, "render", render)
    runtime = Runtime(Counting("six</think>6", kv_cells=16384))
    runtime.respond(CONVERSATION[:2], TurnOptions(effort="low")).collect()  # learns the template's ways once
    renders.clear()
    runtime.engine.tokenized.clear()
    return runtime, renders


@pytest.mark.parametrize("strategy", [None, Vote(4)], ids=["single", "vote@4"])
def test_a_turn_renders_and_tokenizes_its_prompt_once(counted, strategy):
    runtime, renders = counted
    turn = runtime.respond(CONVERSATION, TurnOptions(effort="low"), strategy=strategy)
    assert len(renders) == 1 and len(runtime.engine.tokenized) == 1  # before any token is generated
    assert "And 3+3?" in runtime.engine.tokenized[0]
    turn.collect()
    # ...and the warm-up of the next turn's history: the conversation with the answer, no generation prompt
    assert len(renders) == 2 and len(runtime.engine.tokenized) == 2
    assert renders[1][-1] == {"role": "assistant", "content": "6"}


def test_a_truncated_conversation_renders_each_candidate_once(counted):
    runtime, renders = counted
    long = [Message(Role.USER, "word " * 150), Message(Role.ASSISTANT, "ok"), Message(Role.USER, "And 3+3?")]
    small = Runtime(runtime.engine.__class__("six</think>6", n_ctx=256))
    small.respond(long[-1:], TurnOptions(effort="none", max_completion_tokens=16)).collect()
    renders.clear()
    small.engine.tokenized.clear()
    turn = small.respond(long, TurnOptions(effort="none", max_completion_tokens=16, truncation="auto"))
    assert turn.dropped_turns == 1
    assert len(renders) == 2 and len(small.engine.tokenized) == 2  # the whole, then the newest turn alone
