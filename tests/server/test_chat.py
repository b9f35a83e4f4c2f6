"""Chat Completions through the official openai SDK."""

import time

import httpx
import pytest
from support.reference import expected_prompt_tokens

ASK = [{"role": "user", "content": "What is 17+25?"}]
COUNTING = "List all the numbers from 1 to 500 separated by commas."  # greedy SmolLM2 goes on for 800+ tokens


def test_reasoning_and_content_come_apart_with_usage(client):
    reply = client.chat.completions.create(model="smollm2", messages=ASK, reasoning_effort="low", seed=1,
                                           max_completion_tokens=600)
    message = reply.choices[0].message
    assert message.content and message.reasoning_content
    assert message.reasoning == message.reasoning_content
    assert "<think>" not in message.content and "</think>" not in message.content
    usage = reply.usage
    assert usage.completion_tokens_details.reasoning_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    # stop, or length exactly at the cap (an answer that loops)
    assert reply.choices[0].finish_reason == "stop" or usage.completion_tokens == 600


def said(chunk) -> str | None:
    """The reasoning a chunk carries (an extra field, present only when set)."""
    return getattr(chunk.choices[0].delta, "reasoning_content", None)


def collect_stream(client, **kwargs):
    chunks = list(client.chat.completions.create(stream=True, stream_options={"include_usage": True}, **kwargs))
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    reasoning = "".join(said(c) or "" for c in chunks if c.choices)
    return chunks, content, reasoning


def test_streaming_matches_non_streaming_for_the_same_seed(client):
    args = {"model": "smollm2", "messages": ASK, "reasoning_effort": "low", "seed": 11}
    whole = client.chat.completions.create(**args)
    chunks, content, reasoning = collect_stream(client, **args)
    assert content == whole.choices[0].message.content
    assert reasoning.strip() == whole.choices[0].message.reasoning_content
    assert len(chunks) > 10  # token by token, not one blob
    kinds = ["r" if said(c) else "c" for c in chunks if c.choices and (said(c) or c.choices[0].delta.content)]
    assert "".join(kinds).startswith("r") and "rc" in "".join(kinds) and "cr" not in "".join(kinds)
    usage = chunks[-1].usage
    assert chunks[-1].choices == [] and usage.completion_tokens == whole.usage.completion_tokens
    assert usage.completion_tokens_details.reasoning_tokens == whole.usage.completion_tokens_details.reasoning_tokens


def test_n_choices_are_sampled_and_usage_adds_up(client):
    reply = client.chat.completions.create(model="smollm2", messages=ASK, reasoning_effort="minimal", n=3, seed=5)
    assert [c.index for c in reply.choices] == [0, 1, 2]
    assert all(c.message.content for c in reply.choices)
    assert reply.usage.completion_tokens >= 3
    streamed, content, _ = collect_stream(client, model="smollm2", messages=ASK, reasoning_effort="minimal", n=3, seed=5)
    finishes = [c.choices[0].index for c in streamed if c.choices and c.choices[0].finish_reason]
    assert sorted(finishes) == [0, 1, 2]


def test_max_completion_below_budget_is_length_with_empty_content(client):
    # greedy: a sampled end of turn among the first 8 would close the block early (7 tokens,
    # no room left for the closing marker), a different case than the cap running out
    reply = client.chat.completions.create(model="smollm2", messages=ASK, reasoning_effort="low",
                                           max_completion_tokens=8, temperature=0)
    assert reply.choices[0].finish_reason == "length"
    assert reply.choices[0].message.content == ""
    assert reply.usage.completion_tokens_details.reasoning_tokens == 8


def test_max_tokens_is_an_alias(client):
    # seeded: about one sample in 25 ends its turn inside the block at token 7, where the closing
    # marker (3 tokens) no longer fits, and stops at 7 (finish length)
    reply = client.chat.completions.create(model="smollm2", messages=ASK, reasoning_effort="low", max_tokens=8, seed=1)
    assert reply.usage.completion_tokens == 8


def test_effort_none_answers_without_reasoning(client):
    reply = client.chat.completions.create(model="smollm2", messages=ASK, reasoning_effort="none",
                                           max_completion_tokens=64)
    assert reply.usage.completion_tokens_details.reasoning_tokens == 0
    assert reply.choices[0].message.reasoning_content is None and reply.choices[0].message.content


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_reasoning_sent_back_is_ignored_unless_kept(client, field):
    first = client.chat.completions.create(model="smollm2", messages=ASK, reasoning_effort="minimal", seed=2)
    answer = first.choices[0].message
    follow = {"role": "user", "content": "And minus 2?"}
    bare = ASK + [{"role": "assistant", "content": answer.content}, follow]
    with_reasoning = ASK + [{"role": "assistant", "content": answer.content, field: "long " * 40}, follow]
    sizes = [client.chat.completions.create(model="smollm2", messages=m, reasoning_effort="none",
                                            max_completion_tokens=4).usage.prompt_tokens for m in (bare, with_reasoning)]
    assert sizes[0] == sizes[1]
    kept = client.chat.completions.create(model="smollm2", messages=with_reasoning, reasoning_effort="none",
                                          max_completion_tokens=4, extra_body={"keep_reasoning": True})
    assert kept.usage.prompt_tokens > sizes[0] + 30


def test_developer_and_system_messages_and_text_parts(client):
    messages = [
        {"role": "system", "content": "You are terse."},
        {"role": "developer", "content": "Answer with a number."},
        {"role": "user", "content": [{"type": "text", "text": "What is "}, {"type": "text", "text": "3+3?"}]},
    ]
    reply = client.chat.completions.create(model="smollm2", messages=messages, reasoning_effort="minimal",
                                           max_completion_tokens=160)  # 64 thinking, the rest answer
    assert reply.choices[0].message.content
    # system and developer fold into one system prompt (before ponder's instruction), parts join
    system = "You are terse.\n\nAnswer with a number."
    assert reply.usage.prompt_tokens == expected_prompt_tokens([{"role": "user", "content": "What is 3+3?"}], system)


def test_models_lists_the_loaded_model_and_window(client, http):
    models = client.models.list()
    assert [m.id for m in models.data] == ["smollm2"]
    assert http.get("/v1/models").json()["data"][0]["context_window"] == 2048


def test_health_tells_idle_warm_ups_from_client_work(http):
    # a long history makes the warm-up after the turn (its re-prefill) last a while
    history = [{"role": "user", "content": "Tell me about rivers. " * 120}, {"role": "assistant", "content": "Rivers."}]
    body = {"model": "smollm2", "messages": history + [{"role": "user", "content": "And lakes?"}],
            "reasoning_effort": "low", "max_completion_tokens": 40}
    assert http.post("/v1/chat/completions", json=body).status_code == 200
    health = http.get("/health").json()  # the turn is over: only background work may remain
    assert health["live_sequences"] == 0 and health["waiting_requests"] == 0 and health["active_requests"] == 0
    assert isinstance(health["warm_ups"], int)  # reported apart


@pytest.mark.parametrize("path, body", [
    ("/v1/chat/completions", {"messages": [{"role": "user", "content": COUNTING}], "n": 2,
                              "max_completion_tokens": 1500}),
    ("/v1/responses", {"input": COUNTING, "max_output_tokens": 1500}),
])
def test_a_non_streaming_client_that_leaves_cancels_its_generation(server, http, path, body):
    request = {"model": "smollm2", "reasoning_effort": "none", "temperature": 0, **body}
    if path.endswith("responses"):
        request = {k: v for k, v in request.items() if k != "reasoning_effort"} | {"reasoning": {"effort": "none"}}
    with pytest.raises(httpx.ReadTimeout):  # the client gives up after 2 s and closes its connection
        http.post(path, json=request, timeout=2)
    for _ in range(100):  # the generation had about a minute left; it must stop within seconds
        health = http.get("/health").json()
        if health["live_sequences"] == 0 and health["active_requests"] == 0:
            break
        time.sleep(0.1)
    assert health["live_sequences"] == 0 and health["active_requests"] == 0, health


def test_the_assistant_message_passed_back_whole_is_accepted(client, http):
    first = client.chat.completions.create(model="smollm2", messages=ASK, reasoning_effort="minimal",
                                           max_completion_tokens=40)
    returned = first.choices[0].message.model_dump()  # annotations, audio, function_call, tool_calls: None
    returned["provider_specific_fields"] = {"litellm": True}  # a client's own field, unknown to OpenAI
    history = ASK + [returned, {"role": "user", "content": "And 1+1?"}]
    reply = http.post("/v1/chat/completions", json={"model": "smollm2", "messages": history,
                                                    "reasoning_effort": "minimal", "max_completion_tokens": 40})
    assert reply.status_code == 200, reply.text
    # the history counts as its visible text only: the extra fields change nothing
    plain = [ASK[0], {"role": "assistant", "content": returned["content"]}, history[-1]]
    assert reply.json()["usage"]["prompt_tokens"] == expected_prompt_tokens(plain)
