"""POST /v1/chat/completions: one request -> n turns -> a completion or a chunk stream.

The reasoning goes out under both names clients read (reasoning_content and reasoning);
usage carries prompt_tokens_details.cached_tokens and completion_tokens_details.reasoning_tokens.
"""

from __future__ import annotations

import asyncio
import time

from fastapi import Request
from fastapi.responses import JSONResponse, StreamingResponse

from ponder.config import TurnOptions
from ponder.errors import InvalidOption, PonderError
from ponder.server import sse
from ponder.server.collect import collect
from ponder.server.errors import ApiError, from_ponder, internal, invalid, refuse_lone_surrogates, shaped
from ponder.server.logs import LOG
from ponder.server.messages import chat_messages
from ponder.server.protocol import ChatRequest, unsupported
from ponder.server.state import ServerState, new_id
from ponder.server.tools import answer_schema, toolset
from ponder.strategies import Strategy
from ponder.strategies.base import check_cells, seeded
from ponder.turn import Turn
from ponder.types import ContentDelta, Effort, ReasoningDelta, ToolCall, ToolCallDelta, TurnResult

UNSUPPORTED = ("functions", "function_call", "logprobs", "top_logprobs", "logit_bias", "frequency_penalty",
               "presence_penalty")


def turn_options(request: ChatRequest) -> TurnOptions:
    stop = [request.stop] if isinstance(request.stop, str) else list(request.stop or [])
    if len(stop) > 4:
        raise invalid("stop", f"at most 4 stop sequences, got {len(stop)}")
    fields = {
        "effort": Effort.parse(request.reasoning_effort or Effort.MEDIUM),
        "reasoning_budget": request.reasoning_budget,
        "max_completion_tokens": request.max_completion_tokens or request.max_tokens,
        "seed": request.seed,
        "stop": tuple(stop),
        "truncation": request.truncation,
        "keep_reasoning": request.keep_reasoning,
        "tools": toolset(request.tools, request.tool_choice, request.parallel_tool_calls),
        "response_schema": answer_schema(request.response_format, "response_format"),
    }
    if request.temperature is not None:
        fields["temperature"] = request.temperature
    if request.top_p is not None:
        fields["top_p"] = request.top_p
    return TurnOptions(**fields)


def check(state: ServerState, request: ChatRequest) -> Strategy | None:
    refuse_lone_surrogates(request)
    strategy = state.strategy_for(request.model, request.strategy)
    bad = unsupported(request, UNSUPPORTED)
    if bad:
        raise ApiError(400, f"{bad} is not supported by ponder", param=bad, code="unsupported_parameter")
    if request.n > state.config.max_n:
        raise invalid("n", f"at most {state.config.max_n} choices per request, got {request.n}")
    if request.max_tokens and request.max_completion_tokens and request.max_tokens != request.max_completion_tokens:
        raise invalid("max_tokens", "conflicts with max_completion_tokens; send only max_completion_tokens")
    return strategy


def start_turns(state: ServerState, request: ChatRequest, loop: asyncio.AbstractEventLoop) -> list[Turn]:
    strategy = check(state, request)
    try:
        options = turn_options(request)
        if strategy is not None and (options.tools is not None or options.response_schema is not None):
            raise InvalidOption("strategy", "a test-time strategy combines text answers: it cannot be used with "
                                "tools or response_format")
        prompt = state.runtime.prompt(chat_messages(request.messages), options)  # once for all n choices
        width = strategy.width if strategy is not None else 1
        if strategy is not None:
            strategy.check(prompt.messages, options, state.config.max_samples)
            if request.n * width > state.config.max_samples:  # every choice runs the whole strategy
                raise InvalidOption("n", f"{request.n} choices × {strategy.spec} is {request.n * width} "
                                    f"sequences, over this server's maximum of {state.config.max_samples}")
        if request.n > 1:  # all n choices run at once, in one pool
            what = f"{request.n} choices" + (f" × {strategy.spec}" if strategy is not None else "")
            check_cells(state.runtime.engine.info.kv_cells, prompt, request.n * width, what, "n")
        # choice i's samples start at seed + i × width, so no two choices draw the same sample
        stride = strategy.width if strategy is not None else 1
        return [state.runtime.respond(prompt, seeded(options, i * stride), loop, strategy) for i in range(request.n)]
    except InvalidOption as error:
        raise from_ponder(error) from None


async def create(state: ServerState, request: ChatRequest, client: Request):
    loop = asyncio.get_running_loop()
    ticket, turns = await state.admitted(lambda: start_turns(state, request, loop))
    meta = {"id": new_id("chatcmpl-"), "created": int(time.time()), "model": state.runtime.model_id,
            "system_fingerprint": "ponder"}
    if request.stream:
        include_usage = bool(request.stream_options and request.stream_options.include_usage)
        return StreamingResponse(stream(turns, meta, include_usage, ticket, state.metrics.turn),
                                 media_type="text/event-stream")
    with ticket:  # a PonderError here reaches the app's handler, which shapes it
        results = await collect(turns, client)
    for result in results:
        state.metrics.turn(result)
    return JSONResponse(completion(meta, results))


def completion(meta: dict, results: list[TurnResult]) -> dict:
    choices = [
        {"index": i, "message": message_body(r), "finish_reason": r.finish_reason.value, "logprobs": None,
         **strategy_body(r)}
        for i, r in enumerate(results)
    ]
    return {**meta, "object": "chat.completion", "choices": choices, "usage": usage_body(results)}


def message_body(result: TurnResult) -> dict:
    message = result.message
    body = {"role": "assistant", "content": message.content or (None if message.tool_calls else ""),
            "reasoning_content": message.reasoning, "reasoning": message.reasoning, "refusal": None}
    if message.tool_calls:
        body["tool_calls"] = [call_body(call) for call in message.tool_calls]
    return body


def call_body(call: ToolCall, index: int | None = None) -> dict:
    body = {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
    return body if index is None else {"index": index, **body}


def strategy_body(result: TurnResult) -> dict:
    """What a test-time strategy did (votes, scores, candidates), beside the choice it chose."""
    return {"strategy": result.strategy} if result.strategy is not None else {}


def usage_body(results: list[TurnResult]) -> dict:
    """The prompt counts once (as OpenAI bills n choices); completions add up."""
    first = results[0].usage
    reasoning = sum(r.usage.reasoning_tokens for r in results)
    completion_tokens = sum(r.usage.completion_tokens for r in results)
    return {
        "prompt_tokens": first.prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": first.prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": first.cached_tokens},
        "completion_tokens_details": {"reasoning_tokens": reasoning},
    }


async def stream(turns: list[Turn], meta: dict, include_usage: bool, ticket, observe):
    base = {**meta, "object": "chat.completion.chunk"}

    def chunk(index: int, delta: dict, finish: str | None = None, extra: dict | None = None) -> str:
        choice = {"index": index, "delta": delta, "finish_reason": finish, "logprobs": None, **(extra or {})}
        body = {**base, "choices": [choice]}
        return sse.data({**body, "usage": None} if include_usage else body)

    results: dict[int, TurnResult] = {}
    try:
        for index in range(len(turns)):
            yield chunk(index, {"role": "assistant", "content": ""})
        async for index, item in sse.merged(turns):
            if isinstance(item, ReasoningDelta):
                yield chunk(index, {"reasoning_content": item.text, "reasoning": item.text})
            elif isinstance(item, ContentDelta):
                yield chunk(index, {"content": item.text})
            elif isinstance(item, ToolCallDelta):  # whole: its arguments are complete when it comes
                yield chunk(index, {"tool_calls": [call_body(item.call, item.index)]})
            elif isinstance(item, TurnResult):
                results[index] = item
                observe(item)
                yield chunk(index, {}, item.finish_reason.value, strategy_body(item))
        if include_usage:
            ordered = [results[i] for i in sorted(results)]
            yield sse.data({**base, "choices": [], "usage": usage_body(ordered)})
        yield sse.DONE
    except PonderError as error:
        yield sse.data({"error": error_body(shaped(error))})
    except Exception as error:  # a bug: the client hears of it in the stream, the log has the trace
        LOG.error("chat stream failed", exc_info=error)
        yield sse.data({"error": error_body(internal(error))})
    finally:
        ticket.release()


def error_body(error: ApiError) -> dict:
    return {"message": error.message, "type": error.kind, "param": error.param, "code": error.code}
