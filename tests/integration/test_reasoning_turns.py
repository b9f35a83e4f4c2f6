"""One turn on the real model: two phases, budgets, limits, usage and streaming."""

import time

from ponder.config import EngineConfig, TurnOptions
from ponder.reasoning.budget import EFFORT_TOKENS
from ponder.runtime import Runtime
from ponder.types import ContentDelta, Effort, FinishReason, Message, ReasoningDelta, Role, TurnResult

ASK = [Message(Role.USER, "What is 17+25?")]


def test_effort_low_reasons_then_answers_within_budget(runtime):
    result = runtime.respond(ASK, TurnOptions(effort="low", seed=1)).collect()
    usage = result.usage
    assert 0 < usage.reasoning_tokens <= EFFORT_TOKENS[Effort.LOW]
    assert result.message.reasoning and result.message.content
    assert usage.answer_tokens > 0
    assert usage.completion_tokens == usage.reasoning_tokens + usage.answer_tokens
    assert "<think>" not in result.message.content and "</think>" not in result.message.content


def test_effort_none_has_no_reasoning(runtime):
    result = runtime.respond(ASK, TurnOptions(effort="none", seed=1)).collect()
    assert result.usage.reasoning_tokens == 0
    assert result.message.reasoning is None
    assert result.message.content
    assert result.usage.completion_tokens == result.usage.answer_tokens


def test_exhausted_budget_is_forced_closed_and_the_turn_still_answers(runtime):
    # Greedy SmolLM2 reasons ~20 tokens on this question; 12 cannot hold it.
    result = runtime.respond(ASK, TurnOptions(reasoning_budget=12, temperature=0)).collect()
    assert result.budget_forced
    assert result.usage.reasoning_tokens <= 12
    assert result.message.content
    assert result.finish_reason is FinishReason.STOP


def test_max_completion_below_the_budget_gives_length_and_no_content(runtime):
    result = runtime.respond(ASK, TurnOptions(effort="low", max_completion_tokens=10, temperature=0)).collect()
    assert result.finish_reason is FinishReason.LENGTH
    assert result.message.content == ""
    assert result.usage.completion_tokens == result.usage.reasoning_tokens == 10


def test_tokens_stream_one_by_one_and_add_up_to_the_message(runtime):
    events = list(runtime.respond(ASK, TurnOptions(effort="low", seed=7)))
    reasoning = [e.text for e in events if isinstance(e, ReasoningDelta)]
    content = [e.text for e in events if isinstance(e, ContentDelta)]
    result = events[-1]
    assert isinstance(result, TurnResult)
    assert len(reasoning) > 3 and len(content) > 1
    assert "".join(reasoning).strip() == result.message.reasoning
    assert "".join(content).strip() == result.message.content
    first_content = next(i for i, e in enumerate(events) if isinstance(e, ContentDelta))
    assert all(not isinstance(e, ReasoningDelta) for e in events[first_content:])


def test_greedy_is_deterministic_and_seeds_repeat():
    # Each request starts from an empty cache here, so cell layout cannot differ between runs.
    with Runtime.load(EngineConfig(n_ctx=1024, n_threads=2, prefix_cache=False)) as cold:
        greedy = [cold.respond(ASK, TurnOptions(effort="minimal", temperature=0)).collect() for _ in range(2)]
        assert greedy[0].message == greedy[1].message
        seeded = [cold.respond(ASK, TurnOptions(effort="minimal", temperature=1.0, seed=42)).collect()
                  for _ in range(2)]
        assert seeded[0].message == seeded[1].message


def test_abandoned_stream_frees_the_engine(runtime):
    turn = runtime.respond(ASK, TurnOptions(effort="high", seed=3))
    for count, _ in enumerate(turn):
        if count == 3:
            break
    for _ in range(200):  # the engine drops the abandoned sequence within a step or two
        if runtime.engine.stats()["live_sequences"] == 0:
            break
        time.sleep(0.01)
    assert runtime.engine.stats()["live_sequences"] == 0
    after = runtime.respond(ASK, TurnOptions(effort="minimal", seed=3)).collect()
    assert after.message.content


def test_concurrent_turns_all_finish(runtime):
    questions = ["What is 2+2?", "Name a colour.", "What is 10-3?"]
    turns = [runtime.respond([Message(Role.USER, q)], TurnOptions(effort="minimal", seed=i)) for i, q in enumerate(questions)]
    results = [turn.collect() for turn in turns]
    assert all(r.message.content for r in results)


def test_non_ascii_text_survives_token_splits(runtime):
    result = runtime.respond([Message(Role.USER, "Répète: café 🙂 naïve")], TurnOptions(effort="minimal", seed=2)).collect()
    assert "\ufffd" not in result.message.content + (result.message.reasoning or "")
