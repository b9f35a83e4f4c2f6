"""Discarding reasoning must not cost the KV cache, and reuse must never change an answer."""

import time

import pytest

from ponder.config import EngineConfig, TurnOptions
from ponder.runtime import Runtime
from ponder.types import Message, Role

GREEDY = TurnOptions(effort="minimal", temperature=0)


def wait_idle(runtime: Runtime) -> None:
    """Give the engine the idle time a user's typing would (bounded, not a timing claim)."""
    for _ in range(200):
        stats = runtime.engine.stats()
        if stats["live_sequences"] == stats["waiting_requests"] == stats["warm_ups"] == 0:
            return
        time.sleep(0.02)
    raise AssertionError("the engine never went idle")


@pytest.fixture(scope="module")
def cold():
    with Runtime.load(EngineConfig(n_ctx=4096, n_threads=2, prefix_cache=False)) as loaded:
        yield loaded


@pytest.fixture
def fresh():
    """An engine holding one conversation. Bit-exactness also needs the conversation's cells in
    position order (attention sums cells in cache order); in a cache shared with other
    conversations they may land out of order, and outputs then agree only up to float rounding
    (docs/performance.md)."""
    with Runtime.load(EngineConfig(n_ctx=4096, n_threads=2)) as loaded:
        yield loaded


@pytest.mark.parametrize("questions", [["What is 12+7?", "Now multiply that by 3."],
                                       ["Name a fruit.", "What colour is it?", "Is it sweet?"]])
def test_canonical_reprefill_is_exact_and_leaves_only_the_new_message(fresh, cold, questions):
    runtime = fresh
    conversation = [Message(Role.USER, questions[0])]
    for question in questions[1:]:
        previous = runtime.respond(conversation, GREEDY).collect()
        assert previous.message.reasoning  # there was reasoning to discard
        conversation += [previous.message, Message(Role.USER, question)]
        wait_idle(runtime)
        warm = runtime.respond(conversation, GREEDY).collect()
        history = runtime.history_tokens(conversation[:-2] + [Message(Role.ASSISTANT, previous.message.content)],
                                         think=True)
        assert warm.usage.cached_tokens >= len(history)  # at most the new message is evaluated
        reference = cold.respond(conversation, GREEDY).collect()
        assert reference.usage.cached_tokens == 0
        assert warm.message == reference.message  # exact: same greedy output as a cold run


def test_n_samples_of_one_prompt_share_its_evaluation(runtime):
    prompt = [Message(Role.USER, "Tell me about rivers. " * 20)]
    options = TurnOptions(effort="minimal", seed=9, max_completion_tokens=24)
    turns = [runtime.respond(prompt, options) for _ in range(4)]
    results = [turn.collect() for turn in turns]
    cached = sorted(r.usage.cached_tokens for r in results)
    size = results[0].usage.prompt_tokens
    assert cached[1:] == [size - 1] * 3  # three of the four forked the first one's prompt


def test_prefix_is_reused_across_conversations(runtime):
    shared = Message(Role.SYSTEM, "You are a careful assistant who answers briefly. " * 10)
    first = runtime.respond([shared, Message(Role.USER, "Hi!")], GREEDY).collect()
    other = runtime.respond([shared, Message(Role.USER, "Hello there!")], GREEDY).collect()
    assert first.message.content and other.usage.cached_tokens > 100


def interleave_two_chats(runtime: Runtime) -> None:
    """Two chats share a system prompt and alternate turns: neither overwrites the other's cells."""
    shared = Message(Role.SYSTEM, "You are a careful assistant who answers briefly.")
    chats = {"a": [shared, Message(Role.USER, "Name a fruit.")], "b": [shared, Message(Role.USER, "Name a city.")]}
    for name in ["a", "b"]:
        first = runtime.respond(chats[name], GREEDY).collect()
        chats[name] += [first.message, Message(Role.USER, "Tell me more.")]
        wait_idle(runtime)
    for name in ["a", "b"]:
        history = runtime.history_tokens(chats[name][:-2] + [Message(Role.ASSISTANT, chats[name][-2].content)],
                                         think=True)
        # shift mode keeps the history's cells as they were but for the answer's first few
        slack = 3 if runtime.engine.kv_reuse == "shift" else 0
        assert runtime.respond(chats[name], GREEDY).collect().usage.cached_tokens >= len(history) - slack, name


def test_interleaved_conversations_keep_their_own_histories(fresh):
    interleave_two_chats(fresh)


def test_shift_mode_with_every_slot_full_keeps_both_conversations():
    """Two slots, two chats: re-evaluating the answer's first tokens needs a scratch sequence,
    which must not be the other chat's slot."""
    config = EngineConfig(n_ctx=4096, n_threads=2, n_seq_max=2, kv_reuse="shift", kv_shift_reeval=2)
    with Runtime.load(config) as shifted:
        interleave_two_chats(shifted)


def test_shift_mode_cuts_reasoning_out_without_evaluating_the_answer():
    with Runtime.load(EngineConfig(n_ctx=4096, n_threads=2, kv_reuse="shift", kv_shift_reeval=2)) as shifted:
        conversation = [Message(Role.USER, "Name a fruit.")]
        first = shifted.respond(conversation, GREEDY).collect()
        conversation += [first.message, Message(Role.USER, "What colour is it?")]
        wait_idle(shifted)
        second = shifted.respond(conversation, GREEDY).collect()
        history = shifted.history_tokens(conversation[:-2] + [Message(Role.ASSISTANT, first.message.content)],
                                         think=True)
        assert second.message.content
        # the answer's cells were moved, not evaluated: most of the history is reused as it was
        assert second.usage.cached_tokens >= len(history) - 3


def test_a_shared_system_prompt_counts_once_against_the_cache():
    """Three chats behind one long system prompt fit a 1024-cell cache only if the prompt's
    cells, copied between slots (seq_cp shares them), are counted once: counted once per slot
    the third chat would evict the first."""
    shared = Message(Role.SYSTEM, "You are a careful assistant who answers briefly. " * 40)
    options = TurnOptions(effort="minimal", temperature=0, max_completion_tokens=40)
    with Runtime.load(EngineConfig(n_ctx=1024, kv_cells=1024, n_threads=2)) as small:
        chats = [[shared, Message(Role.USER, f"Name a {thing}.")] for thing in ("fruit", "city", "river")]
        for chat in chats:
            first = small.respond(chat, options).collect()
            chat += [first.message, Message(Role.USER, "Tell me more.")]
            wait_idle(small)
        assert 3 * len(small.history_tokens(chats[0][:2], think=True)) > 1024  # counted per slot, it overflows
        for chat in chats:
            history = small.history_tokens(chat[:-2] + [Message(Role.ASSISTANT, chat[-2].content)], think=True)
            assert small.respond(chat, options).collect().usage.cached_tokens >= len(history), chat[1].content
