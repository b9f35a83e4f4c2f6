"""Function tools and structured output through the official openai SDK, on both endpoints,
streaming and not, against a real `ponder serve` on the embedded model.

The embedded model has no tool format of its own, so it gets ponder's instructed one; calls
are sampled under the tool's grammar once the reasoning ends, so they always parse and
validate, whatever a 135M model would have written. Prompt counts are checked against an
independent render (support/reference.py): a tool loop keeps the step's reasoning, the next
user turn drops it.
"""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import jsonschema
from support.reference import expected_tool_prompt_tokens
from support.serving import Server

WEATHER = {"type": "object", "properties": {"city": {"type": "string", "maxLength": 40},
                                           "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
           "required": ["city", "unit"], "additionalProperties": False}
ADD = {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
       "required": ["a", "b"], "additionalProperties": False}
CHAT_TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "description": "The weather in a city now.",
                                      "parameters": WEATHER}},
    {"type": "function", "function": {"name": "add", "description": "Add two integers.", "parameters": ADD}},
]
RESPONSES_TOOLS = [{"type": "function", **tool["function"]} for tool in CHAT_TOOLS]
SCHEMAS = {"get_weather": WEATHER, "add": ADD}
ASK = "What is the weather in Paris right now?"
QUICK = {"reasoning_effort": "minimal", "extra_body": {"reasoning_budget": 24}, "max_completion_tokens": 120}


def check_call(name: str, arguments: str) -> None:
    jsonschema.validate(json.loads(arguments), SCHEMAS[name])


def chat_call(client, seed: int, stream: bool):
    args = {"model": "smollm2", "messages": [{"role": "user", "content": ASK}], "tools": CHAT_TOOLS,
            "tool_choice": "required", "seed": seed, **QUICK}
    if not stream:
        reply = client.chat.completions.create(**args)
        choice = reply.choices[0]
        assert choice.finish_reason == "tool_calls"
        return [(c.function.name, c.function.arguments) for c in choice.message.tool_calls]
    calls, finish = {}, None
    for chunk in client.chat.completions.create(stream=True, **args):
        delta = chunk.choices[0].delta
        for call in delta.tool_calls or []:  # as the SDK's accumulator reads them: by index
            entry = calls.setdefault(call.index, ["", ""])
            entry[0] += call.function.name or ""
            entry[1] += call.function.arguments or ""
        finish = chunk.choices[0].finish_reason or finish
    assert finish == "tool_calls"
    return [tuple(calls[i]) for i in sorted(calls)]


def responses_call(client, seed: int, stream: bool):
    args = {"model": "smollm2", "input": ASK, "tools": RESPONSES_TOOLS, "tool_choice": "required",
            "reasoning": {"effort": "minimal"}, "extra_body": {"seed": seed, "reasoning_budget": 24},
            "max_output_tokens": 120}
    if stream:
        with client.responses.stream(**args) as events:
            done = [e.item for e in events if e.type == "response.output_item.done" and e.item.type == "function_call"]
            final = events.get_final_response()
        assert [(c.name, c.arguments) for c in done] == [(o.name, o.arguments) for o in final.output
                                                        if o.type == "function_call"]
    else:
        final = client.responses.create(**args)
    assert final.status == "completed"
    return [(o.name, o.arguments) for o in final.output if o.type == "function_call"]


def test_tool_calls_parse_and_validate_in_50_of_50_seeded_tries(client):
    """Both endpoints, streaming and not: every call is JSON valid under its tool's schema."""
    ways = [(chat_call, False), (chat_call, True), (responses_call, False), (responses_call, True)]
    tries = [(ways[seed % 4], seed) for seed in range(50)]
    with ThreadPoolExecutor(4) as pool:  # batched in the engine, as concurrent clients are
        results = list(pool.map(lambda t: t[0][0](client, t[1], t[0][1]), tries))
    valid = 0
    for calls in results:
        assert calls, "tool_choice required: at least one call"
        for name, arguments in calls:
            check_call(name, arguments)
        valid += 1
    assert valid == 50


def written(name: str, arguments: str) -> str:
    """A call as the instructed format writes it into the assistant's text."""
    return f'<tool_call>\n{{"name": "{name}", "arguments": {arguments}}}\n</tool_call>'


def result_text(output: str) -> str:
    return f"<tool_response>\n{output}\n</tool_response>"


def settled(http) -> None:
    """Until the server's idle-time warm-ups are done (the next turn's history re-prefilled)."""
    for _ in range(200):
        if http.get("/health").json()["warm_ups"] == 0:
            return
        time.sleep(0.05)


def test_chat_tool_loop_keeps_the_steps_reasoning_until_the_answer(tmp_path):
    # a server of its own: the cache holds this conversation only, so what it reuses is certain
    with Server(tmp_path / "loop.db").start() as own, own.http() as http:
        tool_loop(own.client(), http)


def tool_loop(client, http) -> None:
    user = {"role": "user", "content": ASK}
    first = client.chat.completions.create(model="smollm2", messages=[user], tools=CHAT_TOOLS,
                                           tool_choice={"type": "function", "function": {"name": "get_weather"}},
                                           seed=3, **QUICK)
    message = first.choices[0].message
    [call] = message.tool_calls
    assert call.function.name == "get_weather" and first.choices[0].finish_reason == "tool_calls"
    check_call("get_weather", call.function.arguments)
    reasoning = message.reasoning_content
    assert reasoning and first.usage.completion_tokens_details.reasoning_tokens > 0
    settled(http)  # the step's history, reasoning and call included, is re-prefilled in idle time
    # the assistant message passed back whole (model_dump: every field the SDK has), then the result
    step = [user, message.model_dump(), {"role": "tool", "tool_call_id": call.id, "content": "18 C and sunny"}]
    second = client.chat.completions.create(model="smollm2", messages=step, tools=CHAT_TOOLS, seed=4, **QUICK)
    seen = [{"role": "user", "content": ASK},
            {"role": "assistant", "content": f"<think>\n{reasoning}\n</think>\n\n" + written("get_weather",
                                                                                            call.function.arguments)},
            {"role": "user", "content": result_text("18 C and sunny")}]
    assert second.usage.prompt_tokens == expected_tool_prompt_tokens(seen, CHAT_TOOLS)
    # the step's reasoning is not just counted: the cache held it from the first request
    assert second.usage.prompt_tokens_details.cached_tokens > first.usage.prompt_tokens
    answer = second.choices[0].message
    later = step + [answer.model_dump(), {"role": "user", "content": "Thanks. And tomorrow?"}]
    third = client.chat.completions.create(model="smollm2", messages=later, tools=CHAT_TOOLS, seed=5, **QUICK)
    said = answer.content or ""
    calls = "".join(written(c.function.name, c.function.arguments) for c in answer.tool_calls or [])
    seen_after = [seen[0], {"role": "assistant", "content": written("get_weather", call.function.arguments)}, seen[2],
                  {"role": "assistant", "content": said + ("\n" if said and calls else "") + calls},
                  {"role": "user", "content": "Thanks. And tomorrow?"}]
    assert third.usage.prompt_tokens == expected_tool_prompt_tokens(seen_after, CHAT_TOOLS)


def test_responses_tool_loop_by_previous_response_id_and_stateless(tmp_path):
    # a server that exposes reasoning, so that the test can count the step's reasoning exactly
    with Server(tmp_path / "exposed.db", "--expose-reasoning").start() as own:
        responses_loop(own.client())


def responses_loop(client) -> None:
    quick = {"reasoning": {"effort": "minimal"}, "max_output_tokens": 120, "tools": RESPONSES_TOOLS}
    first = client.responses.create(model="smollm2", input=ASK, tool_choice="required",
                                    include=["reasoning.encrypted_content"],
                                    extra_body={"seed": 6, "reasoning_budget": 24}, **quick)
    reasoning_item, call = first.output[0], first.output[-1]
    assert reasoning_item.type == "reasoning" and call.type == "function_call"
    check_call(call.name, call.arguments)
    reasoning = reasoning_item.content[0].text
    result = {"type": "function_call_output", "call_id": call.call_id, "output": "18 C and sunny"}
    chained = client.responses.create(model="smollm2", previous_response_id=first.id, input=[result],
                                      extra_body={"seed": 7, "reasoning_budget": 24}, **quick)
    seen = [{"role": "user", "content": ASK},
            {"role": "assistant", "content": f"<think>\n{reasoning}\n</think>\n\n" + written(call.name, call.arguments)},
            {"role": "user", "content": result_text("18 C and sunny")}]
    assert chained.usage.input_tokens == expected_tool_prompt_tokens(seen, CHAT_TOOLS)
    # stateless: the output items passed back as they came, the reasoning sealed: the same prompt
    items = [{"role": "user", "content": ASK}, *[o.model_dump(exclude_none=True) for o in first.output], result]
    stateless = client.responses.create(model="smollm2", input=items, store=False,
                                        extra_body={"seed": 7, "reasoning_budget": 24}, **quick)
    assert stateless.usage.input_tokens == chained.usage.input_tokens
    after = client.responses.create(model="smollm2", previous_response_id=chained.id, input="Thanks!",
                                    extra_body={"seed": 8, "reasoning_budget": 24}, **quick)
    answered = chained.output_text
    calls = "".join(written(o.name, o.arguments) for o in chained.output if o.type == "function_call")
    final = answered + ("\n" if answered and calls else "") + calls
    without = [seen[0], {"role": "assistant", "content": written(call.name, call.arguments)}, seen[2],
               {"role": "assistant", "content": final}, {"role": "user", "content": "Thanks!"}]
    assert after.usage.input_tokens == expected_tool_prompt_tokens(without, CHAT_TOOLS)


def test_tool_choice_none_and_auto(client):
    plain = client.chat.completions.create(model="smollm2", messages=[{"role": "user", "content": ASK}],
                                           tools=CHAT_TOOLS, tool_choice="none", seed=2, **QUICK)
    assert plain.choices[0].message.tool_calls is None and plain.choices[0].finish_reason in ("stop", "length")
    # none offers no tools: the prompt is the plain one (no tool instruction)
    auto = client.chat.completions.create(model="smollm2", messages=[{"role": "user", "content": ASK}],
                                          tools=CHAT_TOOLS, seed=2, **QUICK)
    assert auto.usage.prompt_tokens > plain.usage.prompt_tokens
    for call in auto.choices[0].message.tool_calls or []:  # the model decides; a call it makes is valid
        check_call(call.function.name, call.function.arguments)


STRICT = {"type": "object", "properties": {"city": {"type": "string", "maxLength": 30},
                                          "population": {"type": "integer", "minimum": 0},
                                          "coastal": {"type": "boolean"}},
          "required": ["city", "population", "coastal"], "additionalProperties": False}


def json_answer(client, seed: int):
    if seed % 2:
        reply = client.chat.completions.create(
            model="smollm2", messages=[{"role": "user", "content": "Describe a city as JSON."}], seed=seed,
            response_format={"type": "json_schema", "json_schema": {"name": "city", "strict": True, "schema": STRICT}},
            **QUICK)
        return reply.choices[0].message.content, reply.choices[0].message.reasoning_content, reply.usage
    reply = client.responses.create(model="smollm2", input="Describe a city as JSON.", max_output_tokens=120,
                                    text={"format": {"type": "json_schema", "name": "city", "strict": True,
                                                     "schema": STRICT}},
                                    reasoning={"effort": "minimal"}, extra_body={"seed": seed, "reasoning_budget": 24})
    return reply.output_text, "reasoning", reply.usage


def test_strict_json_schema_answers_validate_in_50_of_50(client):
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda seed: json_answer(client, seed), range(50)))
    for content, reasoning, usage in answers:
        jsonschema.validate(json.loads(content), STRICT)
        assert reasoning  # the reasoning ran free before the grammar took over
    chat_usage = next(u for _, _, u in answers if hasattr(u, "completion_tokens_details"))
    assert 0 < chat_usage.completion_tokens_details.reasoning_tokens < chat_usage.completion_tokens


def test_json_object_and_reasoning_text_is_free(client):
    reply = client.chat.completions.create(model="smollm2", messages=[{"role": "user", "content": "Give me JSON."}],
                                           response_format={"type": "json_object"}, seed=9, **QUICK)
    message = reply.choices[0].message
    assert isinstance(json.loads(message.content), dict)
    assert message.reasoning_content and not message.reasoning_content.lstrip().startswith("{")


def test_a_pydantic_style_schema_with_defs_is_a_valid_tool(client):
    """$defs and $ref, as pydantic writes a model's schema (LangChain and openai-agents send these)."""
    place = {"type": "object", "properties": {"where": {"$ref": "#/$defs/Place"}}, "required": ["where"],
             "$defs": {"Place": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 30}},
                                 "required": ["city"]}}}
    tools = [{"type": "function", "function": {"name": "locate", "parameters": place}}, *CHAT_TOOLS]
    reply = client.chat.completions.create(model="smollm2", messages=[{"role": "user", "content": ASK}], tools=tools,
                                           tool_choice="required", seed=4, **QUICK)
    for call in reply.choices[0].message.tool_calls:
        schema = place if call.function.name == "locate" else SCHEMAS[call.function.name]
        jsonschema.validate(json.loads(call.function.arguments), schema)
