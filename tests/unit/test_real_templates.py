"""The template table: every chat template in llama.cpp's collection (tests/support/templates.py),
rendered through ponder with reasoning and a tool loop.

For each: the reasoning and tool-call formats ponder detects; that a past turn's reasoning is
gone and the running tool loop's is kept (where the template has a place for it: those whose
own rules drop it are listed with the reason); that the call and its result are in the prompt;
and, for tool formats ponder reads, that parsing what the template itself writes for a call
gives back the call. `pytest -s` prints the table.
"""

import json

import pytest
from support.templates import real_templates

from ponder.context import history
from ponder.errors import TemplateError
from ponder.models.template import ChatTemplate
from ponder.reasoning.formats import detect_format
from ponder.reasoning.prompt import render_prompt
from ponder.tools.formats import detect_tool_format
from ponder.tools.spec import Tool
from ponder.types import Message, Role, ToolCall

TOOL = Tool("get_weather", "The weather in a city.", {"type": "object", "properties": {"city": {"type": "string"}},
                                                      "required": ["city"]})
ARGS = {"city": "Paris"}

# templates that refuse any conversation ponder sends, and why (none of them reasons)
REFUSE = {
    "google-gemma-2-2b-it": "refuses a system message, and ponder's instruction to think is one",
    "fireworks-ai-llama-3-firefunction-v2": "needs a `functions` variable of its own",
    "meetkai-functionary-medium-v3.2": "concatenates the arguments dict as a string",
}
# templates that drop the tool loop's reasoning themselves, and why
DROP_LOOP_REASONING = {
    "HuggingFaceTB-SmolLM3-3B": "renders no reasoning of any past assistant message",
    "NVIDIA-Nemotron-Nano-v2": "cuts every assistant message at </think>",
    "Qwen-QwQ-32B": "cuts every assistant message at </think>",
    "deepseek-ai-DeepSeek-R1-Distill-Llama-8B": "cuts every assistant message at </think>",
    "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B": "cuts every assistant message at </think>",
    "llama-cpp-deepseek-r1": "cuts every assistant message at </think>",
    "llama-cpp-rwkv-world": "cuts every assistant message at </think>",
    "deepseek-ai-DeepSeek-V3.1": "renders no reasoning of past assistant messages",
    "ibm-granite-granite-3.3-2B-Instruct": "renders no reasoning of past assistant messages",
    "LFM2.5-8B-A1B": "keeps `thinking` only after the last user message, counting tool results as users",
    "google-gemma-4-31B-it": "keeps reasoning only on its own tool-call turns shape (thought channel before the "
                             "call), which its pre-scan of user turns does not reach here",
    "google-gemma-4-31B-it-interleaved": "as google-gemma-4-31B-it",
    "mistralai-Ministral-3-14B-Reasoning-2512": "reads thinking only as content chunks of type thinking",
    # no native reasoning format: ponder's <think> text goes into the content, which these drop beside calls
    "MiniMax-M1": "writes no content beside tool calls",
    "Mistral-Small-3.2-24B-Instruct-2506": "writes no content beside tool calls",
    "mistralai-Mistral-Nemo-Instruct-2407": "writes no content beside tool calls",
    "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use": "writes no content beside tool calls",
    "NousResearch-Hermes-3-Llama-3.1-8B-tool_use": "writes no content beside tool calls",
    "meta-llama-Llama-3.1-8B-Instruct": "writes no content beside tool calls",
    "meta-llama-Llama-3.2-3B-Instruct": "writes no content beside tool calls",
    "meta-llama-Llama-3.3-70B-Instruct": "writes no content beside tool calls",
    "muse-glimmer": "writes no content beside tool calls",
    "upstage-Solar-Open-100B": "writes no content beside tool calls",
}
# templates whose own writing of a past call ponder cannot read back, and why
NO_ROUND_TRIP = {
    "deepseek-ai-DeepSeek-R1-Distill-Llama-8B": "writes a past call only when its content is null and its arguments "
                                                "a string, which most templates refuse",
}
TEMPLATES = real_templates()


def conversation(call_id: str) -> list[Message]:
    call = ToolCall(call_id, "get_weather", json.dumps(ARGS))
    return [Message(Role.SYSTEM, "Be brief."), Message(Role.USER, "Hello there"),
            Message(Role.ASSISTANT, "Hi! ANSWER1", "OLDTHOUGHT"), Message(Role.USER, "Weather in Paris?"),
            Message(Role.ASSISTANT, "", "LOOPTHOUGHT", (call,)),
            Message(Role.TOOL, "RESULT18C", tool_call_id=call_id)]


def render(name: str, messages: list[Message], generation: bool = True) -> str:
    source = TEMPLATES[name]
    fmt, tool_fmt = detect_format(source), detect_tool_format(source)
    template = ChatTemplate(source, "<s>", "</s>", origin=name)
    dicts = history.for_template(messages, fmt, False, tool_fmt)
    if generation:
        return render_prompt(template, fmt, dicts, True, (TOOL,), tool_fmt)
    return template.render(dicts, add_generation_prompt=False, tools=[TOOL.to_openai()], enable_thinking=True)


def test_the_collection_is_there():
    assert len(TEMPLATES) >= 60 and "Qwen-Qwen3-0.6B" in TEMPLATES


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_table(name):
    source = TEMPLATES[name]
    fmt, tool_fmt = detect_format(source), detect_tool_format(source)
    print(f"{name:46} reasoning {fmt.name + (' (native)' if fmt.native else ''):18} tools {tool_fmt.name}")
    call_id = tool_fmt.new_id()
    if name in REFUSE:
        with pytest.raises(TemplateError, match=name):
            render(name, conversation(call_id))
        return
    text = render(name, conversation(call_id))
    assert "OLDTHOUGHT" not in text  # a finished turn's reasoning never comes back
    assert "RESULT18C" in text and "Paris" in text
    assert ("LOOPTHOUGHT" in text) == (name not in DROP_LOOP_REASONING), DROP_LOOP_REASONING.get(name, "kept")
    # (Granite 3.3 describes calls but never writes past ones)
    if tool_fmt.native and "tool_calls" in source and name not in NO_ROUND_TRIP:
        assert_parses_its_own_call(name, tool_fmt, call_id)


def assert_parses_its_own_call(name: str, tool_fmt, call_id: str) -> None:
    """What the template writes for an assistant's call, read back by ponder's parser."""
    asked = [Message(Role.USER, "Weather in Paris?")]
    said = Message(Role.ASSISTANT, "", None, (ToolCall(call_id, "get_weather", json.dumps(ARGS)),))
    before, after = render(name, asked, generation=False), render(name, [*asked, said], generation=False)
    common = next((i for i, (a, b) in enumerate(zip(before, after)) if a != b), len(before))
    written = after[common:]
    _, calls = tool_fmt.parse(written)
    assert calls == [("get_weather", ARGS)], written


def test_known_families_are_detected():
    found = {name: (detect_format(s).name, detect_tool_format(s).name) for name, s in TEMPLATES.items()}
    assert found["Qwen-Qwen3-0.6B"] == ("think", "hermes")
    assert found["Qwen-QwQ-32B"] == ("think", "hermes")
    assert found["deepseek-ai-DeepSeek-R1-Distill-Qwen-32B"] == ("think", "deepseek-r1")
    assert found["deepseek-ai-DeepSeek-V3.1"] == ("think", "deepseek-v3")
    assert found["mistralai-Ministral-3-14B-Reasoning-2512"] == ("mistral", "mistral")
    assert found["meta-llama-Llama-3.1-8B-Instruct"][1] == "llama3"
    assert found["NousResearch-Hermes-3-Llama-3.1-8B-tool_use"][1] == "hermes"
    assert found["Qwen3-Coder"][1] == "qwen-xml" and found["GLM-4.6"][1] == "glm"
    assert found["moonshotai-Kimi-K2"][1] == "kimi" and found["ByteDance-Seed-OSS"][0] == "seed"
    assert found["openai-gpt-oss-120b"] == ("harmony", "harmony")
    assert found["CohereForAI-c4ai-command-r7b-12-2024-tool_use"][0] == "cohere"
    assert found["google-gemma-4-31B-it"][0] == "gemma" and found["MiniMax-M3"] == ("minimax", "minimax-xml")
