"""The llama.cpp engine under the runtime: chunked prefill, prefix reuse, eviction."""

import pytest

from ponder.config import EngineConfig, TurnOptions
from ponder.engine.kvcache import common_prefix
from ponder.runtime import Runtime
from ponder.types import Message, Role

GREEDY = TurnOptions(reasoning_budget=16, temperature=0, max_completion_tokens=40)


def story(topic: str) -> list[Message]:
    text = f"Here are some notes about {topic}. " + " ".join(f"Note {i}: {topic} matters." for i in range(40))
    return [Message(Role.USER, text + " Summarise the notes in one sentence.")]


@pytest.fixture(scope="module")
def chunked():
    """Prompts go through llama_decode 64 tokens at a time; 4 slots share 1,024 cells."""
    with Runtime.load(EngineConfig(n_ctx=1024, kv_cells=1024, n_batch=64, n_seq_max=4, n_threads=2)) as loaded:
        yield loaded


def test_chunked_prefill_gives_the_same_greedy_output(chunked):
    messages = story("rivers")
    assert len(chunked.prompt_tokens(messages, think=True)) > 4 * 64
    with Runtime.load(EngineConfig(n_ctx=1024, n_batch=512, n_threads=2, prefix_cache=False)) as whole_prompt:
        whole = whole_prompt.respond(messages, GREEDY).collect()
    pieces = chunked.respond(messages, GREEDY).collect()
    assert pieces.message == whole.message


def test_repeated_prompt_reuses_its_prefix(chunked):
    messages = story("mountains")
    first = chunked.respond(messages, GREEDY).collect()
    again = chunked.respond(messages, GREEDY).collect()
    # After a turn the cache holds the history the next turn will send (canonical re-prefill),
    # so a repeat of the same prompt shares it up to the assistant header.
    prompt = chunked.prompt_tokens(messages, think=True)
    canonical = chunked.history_tokens(messages + [Message(Role.ASSISTANT, first.message.content)], think=True)
    assert again.usage.cached_tokens >= common_prefix(prompt, canonical) > len(prompt) - 8
    assert again.message == first.message


def test_full_cache_evicts_the_oldest_prefix_and_keeps_serving(chunked):
    topics = ["forests", "deserts", "oceans", "cities", "glaciers"]
    sizes = [len(chunked.prompt_tokens(story(t), think=True)) for t in topics]
    assert sum(sizes) > chunked.engine.info.kv_cells  # they cannot all stay cached
    for topic in topics:
        assert chunked.respond(story(topic), GREEDY).collect().message.content
    newest = chunked.respond(story(topics[-1]), GREEDY).collect()
    assert newest.usage.cached_tokens > newest.usage.prompt_tokens - 8
    oldest = chunked.respond(story(topics[0]), GREEDY).collect()
    assert oldest.usage.cached_tokens < oldest.usage.prompt_tokens // 2  # it was evicted
