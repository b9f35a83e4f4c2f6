"""Request bodies of the OpenAI endpoints ponder serves, as pydantic models.

Unknown fields are refused by name (as OpenAI does), so a typo never silently does nothing.
Fields an OpenAI app may send but ponder cannot honour are accepted only at their neutral
value; anything else is a 400 that names them (see unsupported()). Content and input items
stay loosely typed here and are checked in messages.py, where the errors can name the item.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

STRICT = ConfigDict(extra="forbid")


class StreamOptions(BaseModel):
    model_config = STRICT
    include_usage: bool = False
    include_obfuscation: bool | None = None


class ChatMessageIn(BaseModel):
    model_config = STRICT
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[dict[str, Any]] | None = None
    name: str | None = None
    reasoning_content: str | None = None
    reasoning: str | None = None
    refusal: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None


class ChatRequest(BaseModel):
    model_config = STRICT
    model: str
    messages: list[ChatMessageIn] = Field(min_length=1)
    reasoning_effort: str | None = None
    max_completion_tokens: int | None = Field(default=None, ge=1)
    max_tokens: int | None = Field(default=None, ge=1)  # deprecated alias of max_completion_tokens
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    seed: int | None = None
    stop: str | list[str] | None = None
    n: int = Field(default=1, ge=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    # accepted and ignored: they change nothing about the answer
    user: str | None = None
    metadata: dict[str, str] | None = None
    store: bool | None = None
    service_tier: str | None = None
    # not supported: accepted only at their neutral value
    tools: list[dict[str, Any]] | None = None
    tool_choice: Any = None
    functions: list[dict[str, Any]] | None = None
    function_call: Any = None
    parallel_tool_calls: bool | None = None
    response_format: dict[str, Any] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    logit_bias: dict[str, float] | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    # ponder's extensions
    reasoning_budget: int | None = Field(default=None, ge=0)
    keep_reasoning: bool = False
    truncation: Literal["auto", "disabled"] = "disabled"
    strategy: Any = None  # {"name": "vote", "n": 8} or "vote@8"; checked by ponder.strategies


class ReasoningParam(BaseModel):
    model_config = STRICT
    effort: str | None = None
    summary: str | None = None
    generate_summary: str | None = None


class TextParam(BaseModel):
    model_config = ConfigDict(extra="allow")
    format: dict[str, Any] | None = None


class ResponsesRequest(BaseModel):
    model_config = STRICT
    model: str
    input: str | list[dict[str, Any]]
    instructions: str | None = None
    reasoning: ReasoningParam | None = None
    max_output_tokens: int | None = Field(default=None, ge=1)
    previous_response_id: str | None = None
    store: bool = True
    truncation: Literal["auto", "disabled"] = "disabled"
    include: list[str] | None = None
    stream: bool = False
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    metadata: dict[str, str] | None = None
    user: str | None = None
    service_tier: str | None = None
    text: TextParam | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: Any = None
    parallel_tool_calls: bool | None = None
    background: bool | None = None
    # ponder's extensions
    seed: int | None = None
    reasoning_budget: int | None = Field(default=None, ge=0)
    keep_reasoning: bool = False
    strategy: Any = None


def unsupported(request: BaseModel, names: tuple[str, ...]) -> str | None:
    """The first field among names that is set to something ponder cannot do."""
    neutral = (None, False, [], {}, "none", "auto")
    for name in names:
        value = getattr(request, name)
        if value not in neutral:
            return name
    return None
