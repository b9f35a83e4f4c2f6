"""The Response object of the Responses API, and its items, built from a finished turn.

Reasoning is returned as plain text only when the server exposes it; when the client asks
for include=["reasoning.encrypted_content"], it is returned sealed. The message item holds
the visible answer, function_call items the turn's tool calls. A turn that ran out of
max_output_tokens is `incomplete`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ponder.server.protocol import ResponsesRequest
from ponder.types import FinishReason, ToolCall, TurnResult

ENCRYPTED = "reasoning.encrypted_content"


@dataclass
class ResponseIds:
    response: str
    reasoning: str
    message: str


def shell(request: ResponsesRequest, ids: ResponseIds, model: str, created: int, effort: str) -> dict:
    """Everything about a response but its outcome: what streaming sends first."""
    return {
        "id": ids.response,
        "object": "response",
        "created_at": created,
        "completed_at": None,
        "status": "in_progress",
        "background": bool(request.background),
        "error": None,
        "incomplete_details": None,
        "instructions": request.instructions,
        "max_output_tokens": request.max_output_tokens,
        "model": model,
        "output": [],
        "parallel_tool_calls": request.parallel_tool_calls is not False,
        "previous_response_id": request.previous_response_id,
        "reasoning": {"effort": effort, "summary": summary_level(request)},
        "store": request.store,
        "temperature": request.temperature,
        "text": {"format": request.text.format.model_dump(by_alias=True, exclude_none=True)
                 if request.text and request.text.format else {"type": "text"}},
        "tool_choice": (request.tool_choice.model_dump() if hasattr(request.tool_choice, "model_dump")
                        else request.tool_choice or "auto"),
        "tools": [tool.model_dump(exclude_none=True) for tool in request.tools or []],
        "top_p": request.top_p,
        "truncation": request.truncation,
        "usage": None,
        "metadata": request.metadata or {},
        "user": request.user,
    }


def summary_level(request: ResponsesRequest) -> str | None:
    """reasoning.summary (or its deprecated name generate_summary): auto, concise or detailed."""
    if request.reasoning is None:
        return None
    return request.reasoning.summary or request.reasoning.generate_summary


def reasoning_item(ids: ResponseIds, text: str | None, sealed: str | None, status: str = "completed",
                   summary: str | None = None) -> dict:
    parts = [{"type": "summary_text", "text": summary}] if summary else []
    item = {"id": ids.reasoning, "type": "reasoning", "summary": parts, "status": status}
    if text is not None:
        item["content"] = [{"type": "reasoning_text", "text": text}]
    if sealed is not None:
        item["encrypted_content"] = sealed
    return item


def message_item(ids: ResponseIds, text: str | None, status: str = "completed") -> dict:
    content = [] if text is None else [output_text(text)]
    return {"id": ids.message, "type": "message", "status": status, "role": "assistant", "content": content}


def output_text(text: str) -> dict:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def function_call_item(call: ToolCall, status: str = "completed", arguments: str | None = None) -> dict:
    """A call as an output item: its id is the item's, call_id what the output answers."""
    return {"id": "fc_" + call.id.removeprefix("call_"), "type": "function_call", "status": status,
            "call_id": call.id, "name": call.name, "arguments": call.arguments if arguments is None else arguments}


def finished(body: dict, result: TurnResult, reasoning: dict | None, ids: ResponseIds) -> dict:
    incomplete = result.finish_reason is FinishReason.LENGTH
    calls = result.message.tool_calls
    output = [reasoning] if reasoning is not None else []
    if result.message.content or not (incomplete or calls):
        output.append(message_item(ids, result.message.content, "incomplete" if incomplete else "completed"))
    output += [function_call_item(call) for call in calls]
    return {
        **body,
        "status": "incomplete" if incomplete else "completed",
        "completed_at": int(time.time()),
        "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
        "output": output,
        "usage": usage(result),
        # ponder's extension: what a test-time strategy did (votes, scores, candidates)
        **({"strategy": result.strategy} if result.strategy is not None else {}),
    }


def usage(result: TurnResult) -> dict:
    u = result.usage
    return {
        "input_tokens": u.prompt_tokens,
        "input_tokens_details": {"cached_tokens": u.cached_tokens},
        "output_tokens": u.completion_tokens,
        "output_tokens_details": {"reasoning_tokens": u.reasoning_tokens},
        "total_tokens": u.total_tokens,
    }
