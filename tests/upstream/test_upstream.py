"""ponder serve --upstream on a real vLLM server: every feature through token-id requests."""

import subprocess

import httpx
import openai
import pytest

from support.reference import upstream_prompt_tokens
from support.serving import PONDER, Server
from conftest import MODEL_DIR

QUESTIONS = ["What is 2+3?", "And 4+4?", "Now add the two results."]


def test_three_turns_send_the_history_without_reasoning(ponder, vllm):
    client, visible = ponder.client(), []
    for question in QUESTIONS:
        visible.append({"role": "user", "content": question})
        reply = client.chat.completions.create(model="smollm2", messages=visible, reasoning_effort="low",
                                               max_completion_tokens=96, seed=7)
        message = reply.choices[0].message
        assert reply.usage.prompt_tokens == upstream_prompt_tokens(vllm.url, MODEL_DIR, visible)
        assert reply.usage.completion_tokens_details.reasoning_tokens > 0
        assert message.reasoning_content  # the reasoning is returned, and not sent back
        visible.append({"role": "assistant", "content": message.content})


def test_a_spent_budget_still_answers(ponder):
    reply = ponder.client().chat.completions.create(
        model="smollm2", messages=[{"role": "user", "content": "What is 17 * 23? Explain every step."}],
        max_completion_tokens=48, seed=3, temperature=0.8, extra_body={"reasoning_budget": 8})
    details = reply.usage.completion_tokens_details
    assert details.reasoning_tokens <= 8 + 20  # the budget, and the hand-off forced after it
    assert reply.choices[0].message.content.strip()
    assert reply.usage.completion_tokens - details.reasoning_tokens > 0


def test_n_and_vote(ponder):
    client = ponder.client()
    ask = {"model": "smollm2", "messages": [{"role": "user", "content": "What is 6+1?"}],
           "reasoning_effort": "low", "max_completion_tokens": 64, "seed": 11}
    several = client.chat.completions.create(n=4, **ask)
    assert [c.index for c in several.choices] == [0, 1, 2, 3]
    assert all(c.message.content is not None for c in several.choices)
    voted = client.chat.completions.create(extra_body={"strategy": "vote@4"}, **ask)
    assert len(voted.choices) == 1 and voted.choices[0].message.content
    assert voted.usage.completion_tokens > several.choices[0].message.content.count(" ")  # four sequences' worth


def test_streamed_turn_equals_the_plain_one(ponder):
    client = ponder.client()
    ask = {"model": "smollm2", "messages": [{"role": "user", "content": "Name a color."}],
           "reasoning_effort": "low", "max_completion_tokens": 48, "seed": 5, "temperature": 0.7}
    plain = client.chat.completions.create(**ask).choices[0].message
    reasoning, content = "", ""
    for chunk in client.chat.completions.create(stream=True, **ask):
        if chunk.choices:
            delta = chunk.choices[0].delta
            reasoning += getattr(delta, "reasoning_content", None) or ""
            content += delta.content or ""
    assert (reasoning, content) == (plain.reasoning_content, plain.content)


def test_responses_continue_from_a_stored_response(ponder, vllm):
    client = ponder.client()
    first = client.responses.create(model="smollm2", input=QUESTIONS[0], reasoning={"effort": "low"},
                                    max_output_tokens=64, extra_body={"seed": 1})
    second = client.responses.create(model="smollm2", input=QUESTIONS[1], previous_response_id=first.id,
                                     reasoning={"effort": "low"}, max_output_tokens=64, extra_body={"seed": 2})
    visible = [{"role": "user", "content": QUESTIONS[0]}, {"role": "assistant", "content": first.output_text},
               {"role": "user", "content": QUESTIONS[1]}]
    assert second.usage.input_tokens == upstream_prompt_tokens(vllm.url, MODEL_DIR, visible)
    assert second.usage.output_tokens_details.reasoning_tokens > 0


def test_a_cached_prefix_is_reported(ponder):
    """A long shared system prompt: vLLM's 128-token blocks hold it, and usage says so."""
    client = ponder.client()
    system = {"role": "system", "content": "You answer arithmetic questions. " * 60}
    for question in ("What is 1+1?", "What is 2+2?"):
        reply = client.chat.completions.create(model="smollm2", messages=[system, {"role": "user", "content": question}],
                                               reasoning_effort="low", max_completion_tokens=16, seed=1)
    assert reply.usage.prompt_tokens_details.cached_tokens >= 128


def test_an_upstream_cut_mid_stream_is_an_error_and_ponder_lives_on(ponder, relay):
    client = ponder.client()
    ask = {"model": "smollm2", "messages": [{"role": "user", "content": "Write a long story about a cat."}],
           "reasoning_effort": "low", "max_completion_tokens": 200, "seed": 9}
    relay.cut_after = 1500  # bytes: a few streamed chunks, then the connection dies
    try:
        with pytest.raises(openai.APIError) as caught:
            for _ in client.chat.completions.create(stream=True, **ask):
                pass
        assert "upstream" in str(caught.value)
        with pytest.raises(openai.APIStatusError) as plain:
            client.chat.completions.create(**ask)
        assert plain.value.status_code == 502 and "upstream" in plain.value.message
    finally:
        relay.cut_after = None
    assert httpx.get(ponder.url + "/health", timeout=5).status_code == 200
    again = client.chat.completions.create(**{**ask, "max_completion_tokens": 16})
    # the same server serves on: a full answer, or exactly the cap
    assert (again.choices[0].finish_reason == "stop") != (again.usage.completion_tokens == 16)


def test_an_upstream_that_goes_down_is_503(tmp_path, vllm):
    from conftest import Relay

    line = Relay(vllm.port)
    server = Server(tmp_path / "p.db", "--upstream", f"http://127.0.0.1:{line.port}", "--tokenizer", str(MODEL_DIR),
                    ctx=None).start()
    try:
        line.close()  # the upstream is gone: its port refuses connections
        with pytest.raises(openai.APIStatusError) as caught:
            server.client().chat.completions.create(model="smollm2", messages=[{"role": "user", "content": "Hi"}],
                                                   max_completion_tokens=8)
        assert caught.value.status_code == 503 and "unreachable" in caught.value.message
        assert httpx.get(server.url + "/health", timeout=5).status_code == 200
    finally:
        server.stop()


def test_startup_with_an_unreachable_upstream_is_one_line():
    result = subprocess.run([str(PONDER), "serve", "--upstream", "http://127.0.0.1:9", "--db", ":memory:"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "upstream" in lines[0] and "unreachable" in lines[0], result.stderr
    asked = subprocess.run([str(PONDER), "ask", "hi", "--upstream", "http://127.0.0.1:9"],
                           capture_output=True, text=True, timeout=60)
    assert asked.returncode != 0 and len(asked.stderr.strip().splitlines()) == 1, asked.stderr


def test_tool_calls_and_json_answers_go_by_vllms_structured_outputs(ponder):
    """The grammar of a call and of a JSON answer, sent as vLLM's structured_outputs."""
    import json

    import jsonschema

    params = {"type": "object", "properties": {"city": {"type": "string", "maxLength": 30}}, "required": ["city"],
              "additionalProperties": False}
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": params}}]
    client = ponder.client()
    for seed in range(2):
        reply = client.chat.completions.create(
            model="smollm2", messages=[{"role": "user", "content": "Weather in Paris?"}], tools=tools,
            tool_choice="required", reasoning_effort="minimal", max_completion_tokens=120, seed=seed)
        [call] = reply.choices[0].message.tool_calls
        assert reply.choices[0].finish_reason == "tool_calls"
        jsonschema.validate(json.loads(call.function.arguments), params)
    answer = client.chat.completions.create(
        model="smollm2", messages=[{"role": "user", "content": "Name a city."}], reasoning_effort="minimal",
        max_completion_tokens=120, seed=4,
        response_format={"type": "json_schema", "json_schema": {"name": "c", "schema": params}})
    jsonschema.validate(json.loads(answer.choices[0].message.content), params)
