"""Malformed and hostile requests over raw HTTP: each gets the right status and error code,
in OpenAI's error shape, and the server keeps answering."""

import httpx
import pytest
from conftest import API_KEY, Server

CHAT = "/v1/chat/completions"
RESPONSES = "/v1/responses"
USER = [{"role": "user", "content": "hi"}]


def chat(**fields):
    return {"model": "smollm2", "messages": USER, **fields}


def resp(**fields):
    return {"model": "smollm2", "input": "hi", **fields}


DEEP: dict = {"type": "object"}
for _ in range(200):
    DEEP = {"type": "object", "properties": {"a": DEEP}}

# name: (method, path, json body or raw bytes, status, code, param)
BAD = {
    "malformed JSON": ("POST", CHAT, b'{"model": "smollm2", "messages": [', 400, "invalid_json", None),
    "body is a list": ("POST", CHAT, [1, 2], 400, "invalid_request", None),
    "missing model": ("POST", CHAT, {"messages": USER}, 400, "missing_required_parameter", "model"),
    "missing messages": ("POST", CHAT, {"model": "smollm2"}, 400, "missing_required_parameter", "messages"),
    "empty messages": ("POST", CHAT, chat(messages=[]), 400, "invalid_value", "messages"),
    "unknown model": ("POST", CHAT, chat(model="gpt-9"), 404, "model_not_found", "model"),
    "unknown role": ("POST", CHAT, chat(messages=[{"role": "wizard", "content": "hi"}]), 400, "invalid_value",
                     "messages[0].role"),
    "content of wrong type": ("POST", CHAT, chat(messages=[{"role": "user", "content": 42}]), 400, "invalid_value",
                              "messages[0].content"),
    "image content": ("POST", CHAT, chat(messages=[{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:,"}}]}]), 400, "unsupported_value", "messages[0].content[0].type"),
    "function call in history": ("POST", CHAT, chat(messages=USER + [{"role": "assistant", "content": None,
                                                                      "function_call": {"name": "f", "arguments": "{}"}},
                                                                     {"role": "user", "content": "y"}]),
                                 400, "unsupported_value", "messages[1].role"),
    "tool message without a matching call": ("POST", CHAT, chat(messages=USER + [
        {"role": "tool", "content": "x", "tool_call_id": "1"}]), 400, "invalid_value", "messages[1].tool_call_id"),
    "tool message without tool_call_id": ("POST", CHAT, chat(messages=USER + [{"role": "tool", "content": "x"}]),
                                          400, "invalid_value", "messages[1].tool_call_id"),
    "tool call without an id": ("POST", CHAT, chat(messages=USER + [
        {"role": "assistant", "content": None, "tool_calls": [{"type": "function", "function": {
            "name": "f", "arguments": "{}"}}]}, {"role": "tool", "content": "x", "tool_call_id": "1"}]),
        400, "invalid_value", "messages[1].tool_calls[0].id"),
    "tool call arguments not a string": ("POST", CHAT, chat(messages=USER + [
        {"role": "assistant", "content": None, "tool_calls": [{"id": "1", "type": "function", "function": {
            "name": "f", "arguments": {"a": 1}}}]}, {"role": "tool", "content": "x", "tool_call_id": "1"}]),
        400, "invalid_value", "messages[1].tool_calls[0].function.arguments"),
    "last message from assistant": ("POST", CHAT, chat(messages=USER + [{"role": "assistant", "content": "yo"}]),
                                    400, "invalid_value", "messages"),
    "empty user message": ("POST", CHAT, chat(messages=[{"role": "user", "content": "  "}]), 400, "invalid_value",
                           "messages"),
    "reasoning on a user message": ("POST", CHAT, chat(messages=[{"role": "user", "content": "hi",
                                                                  "reasoning_content": "x"}]),
                                    400, "invalid_value", "messages[0].reasoning_content"),
    "unknown effort": ("POST", CHAT, chat(reasoning_effort="extreme"), 400, "invalid_value", "reasoning_effort"),
    "zero max_completion_tokens": ("POST", CHAT, chat(max_completion_tokens=0), 400, "invalid_value",
                                   "max_completion_tokens"),
    "negative max_tokens": ("POST", CHAT, chat(max_tokens=-1), 400, "invalid_value", "max_tokens"),
    "string max_tokens": ("POST", CHAT, chat(max_tokens="many"), 400, "invalid_value", "max_tokens"),
    "temperature too high": ("POST", CHAT, chat(temperature=3), 400, "invalid_value", "temperature"),
    "top_p zero": ("POST", CHAT, chat(top_p=0), 400, "invalid_value", "top_p"),
    "n zero": ("POST", CHAT, chat(n=0), 400, "invalid_value", "n"),
    "n over the maximum": ("POST", CHAT, chat(n=99), 400, "invalid_value", "n"),
    "five stop strings": ("POST", CHAT, chat(stop=["a", "b", "c", "d", "e"]), 400, "invalid_value", "stop"),
    "empty stop string": ("POST", CHAT, chat(stop=[""]), 400, "invalid_value", "stop"),
    "unknown parameter": ("POST", CHAT, chat(frobnicate=True), 400, "unknown_parameter", "frobnicate"),
    "tool with an invalid schema": ("POST", CHAT, chat(tools=[{"type": "function", "function": {
        "name": "f", "parameters": {"type": "objekt"}}}]), 400, "invalid_value", "tools[0].function.parameters"),
    "tool schema not an object": ("POST", CHAT, chat(tools=[{"type": "function", "function": {
        "name": "f", "parameters": {"type": "object", "properties": {"a": {"minLength": "two"}}}}}]), 400,
        "invalid_value", "tools[0].function.parameters"),
    "tool name with spaces": ("POST", CHAT, chat(tools=[{"type": "function", "function": {"name": "get weather"}}]),
                              400, "invalid_value", "tools[0].function.name"),
    "tool defined twice": ("POST", CHAT, chat(tools=[{"type": "function", "function": {"name": "f"}}] * 2), 400,
                           "invalid_value", "tools[1].function.name"),
    "tool of another type": ("POST", CHAT, chat(tools=[{"type": "custom", "custom": {"name": "f"}}]), 400,
                             "invalid_value", "tools[0].type"),
    "tool_choice naming an unknown function": ("POST", CHAT, chat(
        tools=[{"type": "function", "function": {"name": "f"}}],
        tool_choice={"type": "function", "function": {"name": "g"}}), 400, "invalid_value", "tool_choice"),
    "tool_choice required without tools": ("POST", CHAT, chat(tool_choice="required"), 400, "invalid_value",
                                           "tool_choice"),
    "tool_choice of an unknown mode": ("POST", CHAT, chat(tools=[{"type": "function", "function": {"name": "f"}}],
                                                          tool_choice="sometimes"), 400, "invalid_value", "tool_choice"),
    "tools with a strategy": ("POST", CHAT, chat(tools=[{"type": "function", "function": {"name": "f"}}],
                                                 strategy="vote@2"), 400, "invalid_value", "strategy"),
    "json_schema format without a schema": ("POST", CHAT, chat(response_format={"type": "json_schema", "json_schema": {
        "name": "x"}}), 400, "invalid_value", "response_format.json_schema.schema"),
    "json_schema format with an invalid schema": ("POST", CHAT, chat(response_format={
        "type": "json_schema", "json_schema": {"name": "x", "schema": {"type": 7}}}), 400, "invalid_value",
        "response_format.json_schema.schema"),
    "tool schema too deep for llama.cpp's grammar parser": ("POST", CHAT, chat(tools=[{"type": "function", "function": {
        "name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "string", "maxLength": 5000}}}}}]),
        400, "invalid_value", "tools[0].function.parameters"),
    "json schema too deep for the grammar parser": ("POST", CHAT, chat(response_format={"type": "json_schema",
        "json_schema": {"name": "x", "schema": {"type": "array", "maxItems": 100000}}}), 400, "invalid_value",
        "response_format.json_schema.schema"),
    "responses: text.format too deep for the grammar parser": ("POST", RESPONSES, resp(text={"format": {
        "type": "json_schema", "name": "x", "schema": {"type": "string", "maxLength": 9000}}}), 400, "invalid_value",
        "text.format.schema"),
    "a billion-long maxLength": ("POST", CHAT, chat(response_format={"type": "json_schema", "json_schema": {
        "name": "x", "schema": {"type": "string", "maxLength": 1000000000}}}), 400, "invalid_value",
        "response_format.json_schema.schema"),
    "a schema nested 200 deep": ("POST", CHAT, chat(response_format={"type": "json_schema", "json_schema": {
        "name": "x", "schema": DEEP}}), 400, "invalid_value", "response_format.json_schema.schema"),
    "unknown response format": ("POST", CHAT, chat(response_format={"type": "yaml"}), 400, "invalid_value",
                                "response_format.type"),
    "conflicting token limits": ("POST", CHAT, chat(max_tokens=5, max_completion_tokens=6), 400, "invalid_value",
                                 "max_tokens"),
    "prompt too long": ("POST", CHAT, chat(messages=[{"role": "user", "content": "word " * 3000}]), 400,
                        "context_length_exceeded", "messages"),
    "reserve too large": ("POST", CHAT, chat(max_completion_tokens=5000), 400, "context_length_exceeded", "messages"),
    "negative reasoning budget": ("POST", CHAT, chat(reasoning_budget=-3), 400, "invalid_value", "reasoning_budget"),
    "responses: missing input": ("POST", RESPONSES, {"model": "smollm2"}, 400, "missing_required_parameter", "input"),
    "responses: empty input list": ("POST", RESPONSES, resp(input=[]), 400, "invalid_value", "input"),
    "responses: unknown effort": ("POST", RESPONSES, resp(reasoning={"effort": "max"}), 400, "invalid_value",
                                  "reasoning_effort"),
    "responses: zero max_output_tokens": ("POST", RESPONSES, resp(max_output_tokens=0), 400, "invalid_value",
                                          "max_output_tokens"),
    "responses: unknown previous response": ("POST", RESPONSES, resp(previous_response_id="resp_nope"), 404,
                                             "previous_response_not_found", "previous_response_id"),
    "responses: unknown include": ("POST", RESPONSES, resp(include=["file_search_call.results"]), 400,
                                   "invalid_value", "include[0]"),
    "responses: input ending with a function call": ("POST", RESPONSES, resp(input=[
        {"type": "function_call", "name": "f", "arguments": "{}", "call_id": "1"}]), 400, "invalid_value", "input"),
    "responses: function_call_output without its output": ("POST", RESPONSES, resp(input=[
        {"type": "function_call", "name": "f", "arguments": "{}", "call_id": "1"},
        {"type": "function_call_output", "call_id": "1"}]), 400, "missing_required_parameter", "input[1].output"),
    "responses: function_call_output answering no call": ("POST", RESPONSES, resp(input=[
        {"type": "function_call_output", "call_id": "nope", "output": "x"}]), 400, "invalid_value",
        "input[0].call_id"),
    "responses: function_call_output of a number": ("POST", RESPONSES, resp(input=[
        {"type": "function_call", "name": "f", "arguments": "{}", "call_id": "1"},
        {"type": "function_call_output", "call_id": "1", "output": 5}]), 400, "invalid_value", "input[1].output"),
    "responses: tool with an invalid schema": ("POST", RESPONSES, resp(tools=[
        {"type": "function", "name": "f", "parameters": {"type": "objekt"}}]), 400, "invalid_value",
        "tools[0].parameters"),
    "responses: tool_choice naming an unknown function": ("POST", RESPONSES, resp(
        tools=[{"type": "function", "name": "f"}], tool_choice={"type": "function", "name": "g"}), 400,
        "invalid_value", "tool_choice"),
    "responses: built-in tool": ("POST", RESPONSES, resp(tools=[{"type": "web_search"}]), 400, "invalid_value",
                                 "tools[0].type"),
    "responses: text.format with an invalid schema": ("POST", RESPONSES, resp(text={"format": {
        "type": "json_schema", "name": "x", "schema": {"type": "objekt"}}}), 400, "invalid_value", "text.format.schema"),
    "responses: garbage sealed reasoning": ("POST", RESPONSES, resp(input=[
        {"type": "reasoning", "summary": [], "encrypted_content": "not-base64!!"},
        {"role": "assistant", "content": "x"}, {"role": "user", "content": "y"}]), 400, "invalid_encrypted_content",
        "encrypted_content"),
    "responses: unknown reasoning summary": ("POST", RESPONSES, resp(reasoning={"summary": "verbose"}), 400,
                                             "invalid_value", "reasoning.summary"),
    "responses: bad truncation": ("POST", RESPONSES, resp(truncation="sometimes"), 400, "invalid_value", "truncation"),
    "responses: prompt too long": ("POST", RESPONSES, resp(input="word " * 3000), 400, "context_length_exceeded",
                                   "messages"),
    "strategy: unknown name": ("POST", CHAT, chat(strategy={"name": "majority"}), 400, "invalid_value",
                               "strategy.name"),
    "strategy: n zero": ("POST", CHAT, chat(strategy={"name": "vote", "n": 0}), 400, "invalid_value", "strategy.n"),
    "strategy: n over the maximum": ("POST", CHAT, chat(strategy={"name": "vote", "n": 17}), 400, "invalid_value",
                                     "strategy.n"),
    "strategy: n not a number": ("POST", CHAT, chat(strategy={"name": "vote", "n": "five"}), 400, "invalid_value",
                                 "strategy.n"),
    "strategy: unknown field": ("POST", CHAT, chat(strategy={"name": "vote", "k": 3}), 400, "invalid_value",
                                "strategy"),
    "strategy: not an object": ("POST", CHAT, chat(strategy=5), 400, "invalid_value", "strategy"),
    "strategy: think_longer without reasoning": ("POST", CHAT, chat(strategy={"name": "think_longer"},
                                                                    reasoning_effort="none"),
                                                 400, "invalid_value", "strategy"),
    "strategy: checker on a question it cannot read": ("POST", CHAT, chat(strategy={
        "name": "best_of_n", "n": 2, "verifier": "checker"}), 400, "invalid_value", "strategy.verifier"),
    "strategy: unknown verifier": ("POST", CHAT, chat(strategy={"name": "best_of_n", "verifier": "oracle"}), 400,
                                   "invalid_value", "strategy.verifier"),
    "strategy: both suffix and field": ("POST", CHAT, chat(model="smollm2:vote@3", strategy={"name": "vote"}), 400,
                                        "invalid_value", "strategy"),
    "strategy: choices times samples over the maximum": ("POST", CHAT, chat(n=3, strategy="vote@6"), 400,
                                                         "invalid_value", "n"),
    "strategy: unknown suffix": ("POST", CHAT, chat(model="smollm2:vot@3"), 400, "invalid_value", "strategy.name"),
    "strategy: suffix n zero": ("POST", CHAT, chat(model="smollm2:vote@0"), 400, "invalid_value", "strategy.n"),
    "responses: unknown strategy": ("POST", RESPONSES, resp(strategy={"name": "nope"}), 400, "invalid_value",
                                    "strategy.name"),
    "responses: strategy suffix over the maximum": ("POST", RESPONSES, resp(model="smollm2:best_of_n@99"), 400,
                                                    "invalid_value", "strategy.n"),
    "responses: refine without reasoning": ("POST", RESPONSES, resp(strategy="refine", reasoning={"effort": "none"}),
                                            400, "invalid_value", "strategy"),
    "lone surrogate in a message": ("POST", CHAT, b'{"model": "smollm2", "messages": [{"role": "user", '
                                    b'"content": "hi \\ud800"}]}', 400, "invalid_value", "messages[0].content"),
    "lone surrogate, streaming": ("POST", CHAT, b'{"model": "smollm2", "stream": true, "messages": [{"role": '
                                  b'"user", "content": "hi \\udfff"}]}', 400, "invalid_value", "messages[0].content"),
    "lone surrogate in a stop string": ("POST", CHAT, b'{"model": "smollm2", "stop": ["\\ud800"], "messages": '
                                        b'[{"role": "user", "content": "hi"}]}', 400, "invalid_value", "stop[0]"),
    "responses: lone surrogate": ("POST", RESPONSES, b'{"model": "smollm2", "input": "hi \\ud800"}', 400,
                                  "invalid_value", "input"),
    "responses: lone surrogate in an item": ("POST", RESPONSES, b'{"model": "smollm2", "stream": true, "input": '
                                             b'[{"role": "user", "content": [{"type": "input_text", "text": '
                                             b'"\\ud800"}]}]}', 400, "invalid_value", "input[0].content[0].text"),
    "responses: item content a number": ("POST", RESPONSES, resp(input=[{"role": "user", "content": 42}]), 400,
                                         "invalid_value", "input[0].content"),
    "responses: item content a list of strings": ("POST", RESPONSES, resp(input=[{"role": "user", "content": ["hi"]}]),
                                                  400, "invalid_value", "input[0].content[0]"),
    "responses: item content an object": ("POST", RESPONSES, resp(input=[{"role": "user",
                                                                          "content": {"text": "hi"}}]),
                                          400, "invalid_value", "input[0].content"),
    "responses: item without a role": ("POST", RESPONSES, resp(input=[{"content": "hi"}]), 400,
                                       "missing_required_parameter", "input[0].role"),
    "responses: item not an object": ("POST", RESPONSES, resp(input=["hi"]), 400, "invalid_value", "input[0]"),
    "seed over 32 bits": ("POST", CHAT, chat(seed=2**80), 400, "invalid_value", "seed"),
    "negative seed": ("POST", CHAT, chat(seed=-1), 400, "invalid_value", "seed"),
    "responses: seed over 32 bits": ("POST", RESPONSES, resp(seed=2**40), 400, "invalid_value", "seed"),
    "get unknown response": ("GET", "/v1/responses/resp_nope", None, 404, "response_not_found", None),
    "delete unknown response": ("DELETE", "/v1/responses/resp_nope", None, 404, "response_not_found", None),
    "input items of unknown response": ("GET", "/v1/responses/resp_nope/input_items", None, 404,
                                        "response_not_found", None),
    "unknown route": ("GET", "/v1/nothing", None, 404, "not_found", None),
    "wrong method": ("PUT", CHAT, chat(), 405, "method_not_allowed", None),
    "unknown model card": ("GET", "/v1/models/gpt-9", None, 404, "model_not_found", "model"),
}


def send(http: httpx.Client, method: str, path: str, body, **extra) -> httpx.Response:
    if isinstance(body, bytes):
        return http.request(method, path, content=body, headers={"content-type": "application/json"}, **extra)
    return http.request(method, path, json=body, **extra)


@pytest.mark.parametrize("method, path, body, status, code, param", BAD.values(), ids=BAD.keys())
def test_bad_request(http, method, path, body, status, code, param):
    reply = send(http, method, path, body)
    assert reply.status_code == status, reply.text
    error = reply.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["code"] == code
    assert error["param"] == param
    assert error["message"]


STRATEGY_WORDS = {
    "strategy: unknown name": "unknown strategy 'majority'; ponder's strategies are single, vote",
    "strategy: n zero": "must be at least 1, got 0",
    "strategy: n over the maximum": "vote with n=17 is over this server's maximum of 16",
    "strategy: unknown field": "vote takes no k; it takes n",
    "strategy: think_longer without reasoning": "think_longer needs a reasoning phase",
    "strategy: checker on a question it cannot read": "the checker verifies only questions phrased by ponder's tasks",
    "strategy: both suffix and field": "given twice",
    "strategy: choices times samples over the maximum": "3 choices × vote@6 is 18 sequences, over this server's "
                                                        "maximum of 16",
}


@pytest.mark.parametrize("name", STRATEGY_WORDS)
def test_bad_strategy_messages_name_the_problem(http, name):
    method, path, body, *_ = BAD[name]
    assert STRATEGY_WORDS[name] in send(http, method, path, body).json()["error"]["message"]


def test_unknown_previous_response_is_not_echoed_whole(http):
    reply = http.post(RESPONSES, json=resp(previous_response_id="resp_" + "x" * 10_000))
    assert reply.status_code == 404
    assert len(reply.json()["error"]["message"]) < 200


def test_missing_and_wrong_api_key(server):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": API_KEY}):
        reply = httpx.post(server.url + CHAT, json=chat(), headers=headers)
        assert reply.status_code == 401 and reply.json()["error"]["code"] == "invalid_api_key"


def test_body_over_the_size_limit(server, http):
    huge = chat(messages=[{"role": "user", "content": "x" * (9 * 1024 * 1024)}])
    reply = http.post(CHAT, json=huge)
    assert reply.status_code == 413 and reply.json()["error"]["code"] == "request_too_large"


def test_server_still_healthy_after_the_table(http):
    assert http.get("/health").json()["status"] == "ok"
    ok = http.post(CHAT, json=chat(reasoning_effort="minimal"))
    assert ok.status_code == 200 and ok.json()["choices"][0]["message"]["content"]


def test_full_queue_is_refused_with_429(tmp_path):
    small = Server(tmp_path / "queue.db", "--max-queue", "1").start()
    try:
        with small.http() as http:
            # Greedy SmolLM2 counts on and on here (800+ tokens): the one admitted slot stays taken.
            long_task = [{"role": "user", "content": "List all the numbers from 1 to 500 separated by commas."}]
            body = chat(messages=long_task, stream=True, reasoning_effort="none", temperature=0,
                        max_completion_tokens=1500)
            with http.stream("POST", CHAT, json=body) as running:
                lines = running.iter_lines()  # kept: a dropped iterator would close the connection
                next(lines)  # admitted and generating
                refused = http.post(CHAT, json=chat())
                assert refused.status_code == 429
                assert refused.json()["error"]["code"] == "queue_full"
            assert http.get("/health").json()["status"] == "ok"
    finally:
        small.stop()
