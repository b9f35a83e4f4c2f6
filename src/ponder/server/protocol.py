"""Request bodies of the OpenAI endpoints ponder serves, as pydantic models.

Unknown fields are refused by name (as OpenAI does), so a typo never silently does nothing.
Fields an OpenAI app may send but ponder cannot honour are accepted only at their neutral
value; anything else is a 400 that names them (see unsupported()). Responses input items are
typed by their `type` (a message when it has none), so a wrong shape is a 400 naming the field;
inside an item, fields ponder does not read (ids, status, annotations) are ignored, as a client
passing back the items it was given expects.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

STRICT = ConfigDict(extra="forbid")
LENIENT = ConfigDict(extra="ignore")
# llama.cpp seeds its samplers with 32 bits: a larger seed could only be cut, so it is refused
SEED = Field(default=None, ge=0, le=2**32 - 1)


class StreamOptions(BaseModel):
    model_config = STRICT
    include_usage: bool = False
    include_obfuscation: bool | None = None


class FunctionDef(BaseModel):
    model_config = STRICT
    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class ChatTool(BaseModel):
    """A Chat Completions tool: {"type": "function", "function": {...}}."""
    model_config = STRICT
    type: Literal["function"]
    function: FunctionDef


class ResponsesTool(BaseModel):
    """A Responses tool: the function's fields beside its type (built-in tools are refused).
    Not a FunctionDef subclass: its type comes first, so a built-in tool's error names its type."""
    model_config = STRICT
    type: Literal["function"]
    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class NamedFunction(BaseModel):
    model_config = STRICT
    name: str


class ChatNamedChoice(BaseModel):
    model_config = STRICT
    type: Literal["function"]
    function: NamedFunction


class ResponsesNamedChoice(BaseModel):
    model_config = STRICT
    type: Literal["function"]
    name: str


class JsonSchemaFormat(BaseModel):
    model_config = STRICT
    name: str = "response"
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class ResponseFormat(BaseModel):
    """Chat's response_format: text, json_object, or json_schema with its schema."""
    model_config = STRICT
    type: Literal["text", "json_object", "json_schema"]
    json_schema: JsonSchemaFormat | None = None


class TextFormat(JsonSchemaFormat):
    """Responses' text.format: the json_schema fields sit beside its type."""
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    type: Literal["text", "json_object", "json_schema"]


class ChatMessageIn(BaseModel):
    """A message of the history. Every field of OpenAI's message schemas is known; fields
    nobody defined (LiteLLM's provider_specific_fields, a framework's own) are ignored, not
    refused: clients pass back the assistant message they were given, whole."""
    model_config = LENIENT
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[dict[str, Any]] | None = None
    name: str | None = None
    reasoning_content: str | None = None
    reasoning: str | None = None
    refusal: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None
    function_call: dict[str, Any] | None = None  # deprecated: the pre-tools form of tool_calls
    audio: dict[str, Any] | None = None  # a reference to audio the model spoke: not read back
    annotations: list[dict[str, Any]] | None = None  # url citations of the answer: not read back


class ChatRequest(BaseModel):
    model_config = STRICT
    model: str
    messages: list[ChatMessageIn] = Field(min_length=1)
    reasoning_effort: str | None = None
    max_completion_tokens: int | None = Field(default=None, ge=1)
    max_tokens: int | None = Field(default=None, ge=1)  # deprecated alias of max_completion_tokens
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    seed: int | None = SEED
    stop: str | list[str] | None = None
    n: int = Field(default=1, ge=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    # accepted and ignored: they change nothing about the answer
    user: str | None = None
    metadata: dict[str, str] | None = None
    store: bool | None = None
    service_tier: str | None = None
    tools: list[ChatTool] | None = None
    tool_choice: Literal["auto", "none", "required"] | ChatNamedChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormat | None = None
    # not supported: accepted only at their neutral value
    functions: list[dict[str, Any]] | None = None
    function_call: Any = None
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
    format: TextFormat | None = None


class ContentPart(BaseModel):
    """A part of a message's content; messages.py takes the text parts and names the others."""
    model_config = LENIENT
    type: str
    text: str | None = None


class MessageItem(BaseModel):
    model_config = LENIENT
    type: Literal["message"] = "message"
    role: Literal["user", "system", "developer", "assistant"]
    content: str | list[ContentPart]
    id: str | None = None


class ReasoningItem(BaseModel):
    model_config = LENIENT
    type: Literal["reasoning"]
    encrypted_content: str | None = None
    content: list[ContentPart] | None = None
    summary: list[ContentPart] = []
    id: str | None = None


class FunctionCallItem(BaseModel):
    """A call the model made, passed back: its call_id is what the output answers."""
    model_config = LENIENT
    type: Literal["function_call"]
    call_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    arguments: str
    id: str | None = None


class FunctionCallOutputItem(BaseModel):
    """A tool's result; its output is text (or text parts)."""
    model_config = LENIENT
    type: Literal["function_call_output"]
    call_id: str = Field(min_length=1)
    output: str | list[ContentPart]
    id: str | None = None


class OtherItem(BaseModel):
    """An item of a kind ponder does not take yet (function calls...): refused by name later."""
    model_config = LENIENT
    type: str


ITEM_KINDS = ("message", "reasoning", "function_call", "function_call_output")


def item_kind(item: Any) -> str:
    kind = item.get("type", "message") if isinstance(item, dict) else getattr(item, "type", "message")
    return kind if kind in ITEM_KINDS else "other"


InputItem = Annotated[Annotated[MessageItem, Tag("message")] | Annotated[ReasoningItem, Tag("reasoning")]
                      | Annotated[FunctionCallItem, Tag("function_call")]
                      | Annotated[FunctionCallOutputItem, Tag("function_call_output")]
                      | Annotated[OtherItem, Tag("other")], Discriminator(item_kind)]
# the labels pydantic puts into an error's location for a union's branch: not part of the path
UNION_LABELS = {*ITEM_KINDS, "other", "str", "int", "float", "bool", "none"}


class ResponsesRequest(BaseModel):
    model_config = STRICT
    model: str
    input: str | list[InputItem]
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
    tools: list[ResponsesTool] | None = None
    tool_choice: Literal["auto", "none", "required"] | ResponsesNamedChoice | None = None
    parallel_tool_calls: bool | None = None
    background: bool | None = None
    # ponder's extensions
    seed: int | None = SEED
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


def lone_surrogate(value: Any, path: str = "") -> str | None:
    """The path of the first string holding a lone surrogate ("\\ud800", which JSON allows and
    UTF-8 cannot encode), or None: such text can be neither tokenized nor stored."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "body"
    elif isinstance(value, BaseModel):
        for name in value.model_fields_set:
            found = lone_surrogate(getattr(value, name), f"{path}.{name}" if path else name)
            if found:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            found = lone_surrogate(key, path) or lone_surrogate(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = lone_surrogate(item, f"{path}[{index}]")
            if found:
                return found
    return None


class ConversationUpdate(BaseModel):
    """ponder's: POST /v1/ponder/conversations/{id} renames a conversation."""
    model_config = STRICT
    title: Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
