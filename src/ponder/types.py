"""The data that crosses every layer: messages, usage, finish reasons, stream events.

Reasoning is data, not tags spliced into text: an assistant Message keeps its reasoning in
its own field, and only the template layer decides whether (and how) a model ever sees it.
This module knows nothing about engines, templates or HTTP.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ponder.errors import InvalidOption


class Role(str, enum.Enum):
    SYSTEM = "system"
    DEVELOPER = "developer"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"  # a tool's result, answering one of the assistant's calls


class Effort(str, enum.Enum):
    NONE = "none"
    MINIMAL = "minimal"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    XHIGH = "xhigh"

    @classmethod
    def parse(cls, value: str | Effort) -> Effort:
        try:
            return cls(value.lower() if isinstance(value, str) else value)
        except ValueError:
            names = ", ".join(e.value for e in cls)
            raise InvalidOption("reasoning_effort", f"unknown effort {value!r}; use one of {names}") from None


class Truncation(str, enum.Enum):
    AUTO = "auto"
    DISABLED = "disabled"

    @classmethod
    def parse(cls, value: str | Truncation) -> Truncation:
        try:
            return cls(value)
        except ValueError:
            raise InvalidOption("truncation", f"unknown mode {value!r}; use auto or disabled") from None


class FinishReason(str, enum.Enum):
    STOP = "stop"  # the model ended its answer, or a stop string matched
    LENGTH = "length"  # max_completion_tokens or the context window ran out
    TOOL_CALLS = "tool_calls"  # the answer is one or more tool calls, whose results come next


@dataclass(frozen=True)
class ToolCall:
    """A call the assistant made: arguments are the JSON text the model wrote (constrained to
    the tool's schema), kept as text so that what goes back into the prompt is what it said."""

    id: str
    name: str
    arguments: str

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "arguments": self.arguments}

    @classmethod
    def from_dict(cls, data: dict) -> ToolCall:
        return cls(data["id"], data["name"], data["arguments"])


@dataclass(frozen=True)
class Message:
    role: Role
    content: str
    reasoning: str | None = None  # only ever set on assistant messages
    tool_calls: tuple[ToolCall, ...] = ()  # an assistant message's calls
    tool_call_id: str | None = None  # a tool message: the call it answers

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))
        object.__setattr__(self, "tool_calls", tuple(self.tool_calls))
        if self.reasoning is not None and self.role is not Role.ASSISTANT:
            raise ValueError(f"only assistant messages carry reasoning, not {self.role.value}")
        if self.tool_calls and self.role is not Role.ASSISTANT:
            raise ValueError(f"only assistant messages call tools, not {self.role.value}")
        if (self.tool_call_id is not None) != (self.role is Role.TOOL):
            raise ValueError("a tool message, and only a tool message, answers a tool call")

    def to_dict(self) -> dict:
        out = {"role": self.role.value, "content": self.content}
        if self.reasoning is not None:
            out["reasoning"] = self.reasoning
        if self.tool_calls:
            out["tool_calls"] = [call.to_dict() for call in self.tool_calls]
        if self.tool_call_id is not None:
            out["tool_call_id"] = self.tool_call_id
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Message:
        calls = tuple(ToolCall.from_dict(call) for call in data.get("tool_calls") or ())
        return cls(Role(data["role"]), data.get("content") or "", data.get("reasoning"), calls,
                   data.get("tool_call_id"))


@dataclass
class Usage:
    """Token accounting of one turn; completion = reasoning + answer, always."""

    prompt_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens whose KV was reused, not evaluated again
    reasoning_tokens: int = 0  # tokens inside the reasoning block, forced ones included
    answer_tokens: int = 0  # visible tokens

    @property
    def completion_tokens(self) -> int:
        return self.reasoning_tokens + self.answer_tokens

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def to_dict(self) -> dict:
        return {
            "prompt_tokens": self.prompt_tokens,
            "cached_tokens": self.cached_tokens,
            "completion_tokens": self.completion_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "answer_tokens": self.answer_tokens,
            "total_tokens": self.total_tokens,
        }


# ---- stream events: one stream per turn; non-streaming callers just collect it ----


@dataclass(frozen=True)
class ReasoningDelta:
    text: str


@dataclass(frozen=True)
class ContentDelta:
    text: str


@dataclass(frozen=True)
class ToolCallDelta:
    """A whole tool call, once its arguments are complete (index: its place in the turn)."""

    index: int
    call: ToolCall


@dataclass(frozen=True)
class TurnResult:
    """The last event of every turn."""

    message: Message
    finish_reason: FinishReason
    usage: Usage
    dropped_turns: int = 0  # oldest turns truncated to fit the context window
    budget_forced: bool = False  # the reasoning budget ran out and ponder closed the block
    reasoning_budget: int = 0  # the budget this turn ran under, after fitting the window
    context_window: int = 0
    ttft_s: float = 0.0  # seconds from submission to the first sampled token
    elapsed_s: float = 0.0  # seconds from submission to the end of the turn
    mean_logprob: float | None = None  # of the sampled tokens, when the turn asked for logprobs
    continuations: int = 0  # early closes of the reasoning replaced by "Wait," (think_longer)
    strategy: dict | None = None  # what a test-time strategy did: its candidates, votes, scores
    # the sequence whose answer the conversation keeps (a strategy's chosen one), when usage sums several
    kept_usage: Usage | None = None
    # each candidate's own result, in the order of strategy["candidates"], for callers in process
    # (eval audits their reasoning); never serialized: reasoning reaches clients only through the
    # reasoning stream and its rules (hidden, summarised, sealed), not through the report
    candidates: tuple[TurnResult, ...] = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict:
        extra = {"strategy": self.strategy} if self.strategy is not None else {}
        return {
            "message": self.message.to_dict(),
            "finish_reason": self.finish_reason.value,
            "usage": self.usage.to_dict(),
            "dropped_turns": self.dropped_turns,
            "budget_forced": self.budget_forced,
            "reasoning_budget": self.reasoning_budget,
            "context_window": self.context_window,
            "ttft_s": round(self.ttft_s, 4),
            "elapsed_s": round(self.elapsed_s, 4),
            **extra,
        }


Event = ReasoningDelta | ContentDelta | ToolCallDelta | TurnResult
