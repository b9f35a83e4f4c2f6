"""Agent frameworks as a new user would point them at ponder: openai-agents (a Runner with two
function tools, over Responses and over Chat Completions), LangChain's ChatOpenAI (bind_tools,
with_structured_output, a two-turn chat, both APIs) and LiteLLM (completion, its returned
message passed back, tools). Each must finish its task; the calls must be valid."""

import asyncio
import json

import pytest
from pydantic import BaseModel, Field

WEATHER_ARGS = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


# ---- openai-agents ----

@pytest.mark.parametrize("api", ["responses", "chat_completions"])
def test_openai_agents_runner_calls_tools_and_answers(base_url, api_key, api):
    from agents import (Agent, ModelSettings, OpenAIChatCompletionsModel, OpenAIResponsesModel, Runner,
                        function_tool, set_tracing_disabled)
    from agents.items import ReasoningItem, ToolCallItem, ToolCallOutputItem
    from openai import AsyncOpenAI
    from openai.types.shared import Reasoning

    set_tracing_disabled(True)  # traces would go to OpenAI's servers
    called = []

    @function_tool
    def get_weather(city: str) -> str:
        """The weather in a city now."""
        called.append(("get_weather", city))
        return f"18 C and sunny in {city}"

    @function_tool
    def add(a: int, b: int) -> int:
        """Add two integers."""
        called.append(("add", a + b))
        return a + b

    client = AsyncOpenAI(base_url=base_url, api_key=api_key)
    model = (OpenAIResponsesModel("smollm2", client) if api == "responses"
             else OpenAIChatCompletionsModel("smollm2", client))
    # the first turn must call a tool; the SDK then resets tool_choice, so the agent can answer
    summary = {"summary": "auto"} if api == "responses" else {}  # chat has no summaries: the reasoning itself
    # a 135M model may ramble on in its answer: room for it, and a seed so that a run is repeatable
    settings = ModelSettings(tool_choice="required", reasoning=Reasoning(effort="minimal", **summary), max_tokens=600,
                             extra_body={"seed": 3})
    agent = Agent(name="assistant", instructions="Use the tools.", tools=[get_weather, add], model=model,
                  model_settings=settings)
    result = asyncio.run(Runner.run(agent, "What is the weather in Paris?", max_turns=6))
    kinds = [type(item) for item in result.new_items]
    assert ToolCallItem in kinds and ToolCallOutputItem in kinds and called
    assert isinstance(result.final_output, str)
    # the reasoning block: the summary on Responses, the reasoning_content on chat (the SDK reads it so)
    shown = [part.text for item in result.new_items if isinstance(item, ReasoningItem)
             for part in item.raw_item.summary or []]
    assert any(text.strip() for text in shown)


# ---- LangChain ----

class City(BaseModel):
    name: str = Field(description="the city's name", max_length=40)
    population: int = Field(ge=0)


@pytest.mark.parametrize("responses", [False, True])
def test_langchain_tools_structured_output_and_two_turns(base_url, api_key, responses):
    from langchain_core.messages import HumanMessage, ToolMessage
    from langchain_core.tools import tool
    from langchain_openai import ChatOpenAI

    @tool
    def get_weather(city: str) -> str:
        """The weather in a city now."""
        return f"18 C in {city}"

    seeded = {"extra_body": {"seed": 1}} if responses else {"seed": 1}  # Responses has no seed of its own
    llm = ChatOpenAI(model="smollm2", base_url=base_url, api_key=api_key, use_responses_api=responses,
                     reasoning_effort="minimal", max_tokens=120, **seeded)
    asked = HumanMessage("What is the weather in Paris?")
    call = llm.bind_tools([get_weather], tool_choice="get_weather").invoke([asked])
    [tool_call] = call.tool_calls
    assert tool_call["name"] == "get_weather" and isinstance(tool_call["args"].get("city"), str)
    answer = llm.bind_tools([get_weather]).invoke([asked, call, ToolMessage("18 C", tool_call_id=tool_call["id"])])
    assert answer.content is not None
    # room for a 135M model's long numbers and strings: the grammar holds the shape, not the length
    roomy = ChatOpenAI(model="smollm2", base_url=base_url, api_key=api_key, use_responses_api=responses,
                       reasoning_effort="minimal", max_tokens=400, **seeded)
    city = roomy.with_structured_output(City).invoke("Name a city and its population.")
    assert isinstance(city, City)
    first = llm.invoke([HumanMessage("Hello!")])
    second = llm.invoke([HumanMessage("Hello!"), first, HumanMessage("And again?")])
    assert first.text and second.text
    if responses:  # LangChain reads reasoning from the Responses API only (not chat's reasoning_content)
        thinker = ChatOpenAI(model="smollm2", base_url=base_url, api_key=api_key, use_responses_api=True,
                             reasoning={"effort": "minimal", "summary": "auto"}, max_tokens=160)
        said = thinker.invoke([HumanMessage("What is 2+2?")])
        streamed = None
        for chunk in thinker.stream([HumanMessage("What is 2+2?")]):  # reasoning_summary_text.delta events
            streamed = chunk if streamed is None else streamed + chunk
        for message in (said, streamed):
            blocks = [b for b in message.content_blocks if b["type"] == "reasoning"]
            assert blocks and blocks[0]["reasoning"].strip()


# ---- LiteLLM ----

def test_litellm_two_turns_passing_its_message_back_with_tools(base_url, api_key):
    import litellm

    tools = [{"type": "function", "function": {"name": "get_weather", "description": "The weather in a city now.",
                                               "parameters": WEATHER_ARGS}}]
    common = {"model": "openai/smollm2", "api_base": base_url, "api_key": api_key, "reasoning_effort": "minimal",
              "max_tokens": 120, "seed": 2}
    messages = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = litellm.completion(messages=messages, tools=tools, tool_choice="required", **common)
    message = first.choices[0].message
    assert message.reasoning_content  # LiteLLM's reasoning block
    [call] = message.tool_calls
    assert call.function.name == "get_weather" and isinstance(json.loads(call.function.arguments)["city"], str)
    # LiteLLM's own Message object goes back as it came (provider_specific_fields and all)
    messages += [message, {"role": "tool", "tool_call_id": call.id, "content": "18 C"}]
    second = litellm.completion(messages=messages, tools=tools, **common)
    assert second.choices[0].finish_reason in ("stop", "tool_calls", "length")
    messages += [second.choices[0].message, {"role": "user", "content": "Thanks!"}]
    third = litellm.completion(messages=messages, **common)
    assert third.choices[0].message.content
