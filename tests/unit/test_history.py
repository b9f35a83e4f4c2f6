"""What carries over between turns: inputs and answers, never old reasoning; what the cache learns of it."""

from ponder.context.history import for_template
from ponder.engine.fake import FakeEngine
from ponder.engine.kvcache import common_prefix
from ponder.reasoning.formats import THINK_TAGS
from ponder.runtime import Runtime
from ponder.types import Message, Role

CONVERSATION = [
    Message(Role.DEVELOPER, "Be brief."),
    Message(Role.USER, "q1"),
    Message(Role.ASSISTANT, "a1", reasoning="r1"),
    Message(Role.USER, "q2"),
]


def test_old_reasoning_is_dropped():
    dicts = for_template(CONVERSATION, THINK_TAGS)
    assert dicts == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "q2"},
    ]


def test_keep_reasoning_splices_it_for_non_native_models():
    dicts = for_template(CONVERSATION, THINK_TAGS, keep_reasoning=True)
    assert dicts[2]["content"] == "<think>\nr1\n</think>\n\na1"


def test_keep_reasoning_passes_it_as_data_to_native_templates():
    dicts = for_template(CONVERSATION, THINK_TAGS.as_native(), keep_reasoning=True)
    assert dicts[2] == {"role": "assistant", "content": "a1", "reasoning_content": "r1", "thinking": "r1"}


def test_reasoning_of_the_running_turn_is_kept():
    # An assistant message after the last user message belongs to the turn in progress.
    running = CONVERSATION + [Message(Role.ASSISTANT, "partial", reasoning="r2")]
    dicts = for_template(running, THINK_TAGS)
    assert dicts[2]["content"] == "a1"
    assert "r2" in dicts[4]["content"]


def test_leading_system_and_developer_messages_merge():
    messages = [Message(Role.SYSTEM, "A."), Message(Role.DEVELOPER, "B."), Message(Role.USER, "q")]
    assert for_template(messages, THINK_TAGS)[0] == {"role": "system", "content": "A.\n\nB."}


def test_the_engine_learns_which_prompt_tokens_the_next_turn_will_share():
    """The slot table lets a later turn take this one's slot over once it shares them."""
    class Recording(FakeEngine):
        def submit(self, prompt, sampling, controller, history=None, key=None, reserve=None):
            self.seen = (prompt, history)
            return super().submit(prompt, sampling, controller, history)

    runtime = Runtime(Recording("r</think>a2"))
    result = runtime.respond(CONVERSATION).collect()
    prompt, history = runtime.engine.seen
    assert 0 < history < len(prompt)  # the generation prompt (assistant header, opened block) is not history
    following = runtime.prompt_tokens([*CONVERSATION, result.message, Message(Role.USER, "q3")], think=True)
    assert common_prefix(prompt, following) >= history
    assert prompt[:history] == runtime.history_tokens(CONVERSATION, think=True)
