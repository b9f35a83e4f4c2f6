"""The answer phase with tools and JSON answers, on the scripted engine (it ignores grammars:
the grammar's effect on a real model is tests/server/test_tools.py's). What is checked here is
the loop's logic: where a call opens, what is content and what is the call, finish reasons,
token accounting."""

import json

from ponder.config import TurnOptions
from ponder.tools.spec import Choice, Tool, Toolset
from ponder.types import ContentDelta, FinishReason, Message, Role, ToolCallDelta

WEATHER = Tool("get_weather", "Weather now", {"type": "object", "properties": {"city": {"type": "string"}},
                                              "required": ["city"]})
ASK = [Message(Role.USER, "Weather in Paris?")]
CALL = '{"name": "get_weather", "arguments": {"city": "Paris"}}'


def run(runtime, choice=Choice.AUTO, **options):
    tools = Toolset((WEATHER,), choice, "get_weather" if choice is Choice.FUNCTION else None)
    events = list(runtime.respond(ASK, TurnOptions(reasoning_budget=50, tools=tools, **options)))
    return events, events[-1]


def test_an_opened_call_is_a_call_and_the_text_before_it_content(scripted):
    events, result = run(scripted(f"let me look</think>\n\nChecking.<tool_call>\n{CALL}\n</tool_call>"))
    [call] = result.message.tool_calls
    assert (call.name, json.loads(call.arguments)) == ("get_weather", {"city": "Paris"})
    assert result.finish_reason is FinishReason.TOOL_CALLS
    assert result.message.content == "Checking." and result.message.reasoning == "let me look"
    content = "".join(e.text for e in events if isinstance(e, ContentDelta))
    assert "tool_call" not in content and "Paris" not in content  # the call never leaks as text
    assert [e.call for e in events if isinstance(e, ToolCallDelta)] == [call]
    assert result.usage.completion_tokens == result.usage.reasoning_tokens + result.usage.answer_tokens > 0


def test_a_required_call_is_opened_by_ponder(scripted):
    _, result = run(scripted(f"hmm</think>\n\n{CALL}"), Choice.REQUIRED)
    assert [c.name for c in result.message.tool_calls] == ["get_weather"]
    assert result.message.content == "" and result.finish_reason is FinishReason.TOOL_CALLS


def test_no_call_is_a_plain_answer_and_none_offers_nothing(scripted):
    _, result = run(scripted("easy</think>\n\nIt is sunny."))
    assert result.message.tool_calls == () and result.finish_reason is FinishReason.STOP
    runtime = scripted(f"hmm</think>\n\n<tool_call>\n{CALL}\n</tool_call>")
    _, result = run(runtime, Choice.NONE)
    assert result.message.tool_calls == ()  # no tools offered: the text is just text
    assert "get_weather" not in runtime.render(ASK, True)


def test_a_call_the_cap_cuts_is_length_without_a_call(scripted):
    _, result = run(scripted(f"x</think>\n\n<tool_call>\n{CALL}\n</tool_call>"), max_completion_tokens=12)
    assert result.message.tool_calls == () and result.finish_reason is FinishReason.LENGTH


def test_tools_and_a_json_answer_peek_at_one_token(scripted):
    schema = json.dumps({"type": "object"})
    _, result = run(scripted('ok</think>\n\n{"a": 1}'), response_schema=schema)
    assert result.message.tool_calls == () and json.loads(result.message.content) == {"a": 1}
    _, result = run(scripted(f"ok</think>\n\n<tool_call>\n{CALL}\n</tool_call>"), response_schema=schema)
    assert [c.name for c in result.message.tool_calls] == ["get_weather"]


def test_harmony_answers_on_its_final_channel_unseen():
    """gpt-oss: reasoning on the analysis channel, the answer after the final channel's header,
    which the model writes itself and nobody is shown."""
    from ponder.engine.fake import FakeEngine
    from ponder.reasoning.formats import HARMONY
    from ponder.runtime import Runtime

    script = "two and two<|end|><|start|>assistant<|channel|>final<|message|>It is 4."
    runtime = Runtime(FakeEngine(script, close="<|end|>"), fmt=HARMONY.as_native())
    prompt = runtime.render(ASK, True)
    assert prompt.endswith("<|channel|>analysis<|message|>")  # opened by ponder, nothing after it
    events = list(runtime.respond(ASK, TurnOptions(reasoning_budget=50)))
    result = events[-1]
    assert result.message.reasoning == "two and two" and result.message.content == "It is 4."
    assert "".join(e.text for e in events if isinstance(e, ContentDelta)) == "It is 4."
    assert runtime.render(ASK, False).endswith("<|channel|>analysis<|message|><|end|>")  # effort none: empty


def test_without_reasoning_a_required_call_is_still_held():
    from ponder.engine.fake import FakeEngine
    from ponder.runtime import Runtime

    runtime = Runtime(FakeEngine(CALL))
    tools = Toolset((WEATHER,), Choice.REQUIRED)
    result = runtime.respond(ASK, TurnOptions(effort="none", tools=tools)).collect()
    assert [c.name for c in result.message.tool_calls] == ["get_weather"] and result.message.reasoning is None


def test_a_bare_json_call_is_told_by_the_answers_first_token():
    """Llama 3 writes a call as the answer itself, `{"name": …, "parameters": …}`."""
    from ponder.engine.fake import FakeEngine
    from ponder.runtime import Runtime
    from ponder.tools.formats import KNOWN

    llama3 = next(fmt for fmt in KNOWN if fmt.name == "llama3")
    call = '{"name": "get_weather", "parameters": {"city": "Paris"}}'
    runtime = Runtime(FakeEngine(f"x</think>\n\n{call}"), tool_fmt=llama3)
    result = runtime.respond(ASK, TurnOptions(reasoning_budget=50, tools=Toolset((WEATHER,)))).collect()
    assert [(c.name, json.loads(c.arguments)) for c in result.message.tool_calls] == [("get_weather", {"city": "Paris"})]
    plain = Runtime(FakeEngine("x</think>\n\nIt is sunny."), tool_fmt=llama3)
    result = plain.respond(ASK, TurnOptions(reasoning_budget=50, tools=Toolset((WEATHER,)))).collect()
    assert result.message.tool_calls == () and result.message.content == "It is sunny."


def test_a_tools_defs_resolve_inside_the_call_grammar():
    from ponder.engine.grammar import grammar_of
    from ponder.tools.schema import call_schema, canonical

    pydantic_style = {"type": "object", "properties": {"where": {"$ref": "#/$defs/Place"}}, "required": ["where"],
                      "$defs": {"Place": {"type": "object", "properties": {"city": {"type": "string"}}}}}
    tools = (Tool("locate", "", pydantic_style), WEATHER)
    schema = call_schema(tools)
    assert "locate__Place" in schema["$defs"]
    assert "locate--Place" in grammar_of(canonical(schema)) or "Place" in grammar_of(canonical(schema))
    # the grammar writes the name before the arguments: properties keep their order
    assert list(schema["anyOf"][0]["properties"]) == ["name", "arguments"]
