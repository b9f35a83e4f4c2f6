"""POST /v1/responses: rebuild the conversation, run one turn, return or stream a Response.

With previous_response_id the conversation is rebuilt from the store: every earlier input and
output, reasoning included; context/history then drops the reasoning of finished turns, so a
turn still running (a tool loop) keeps its own. Instructions are not carried over, as OpenAI
specifies: each request's instructions apply to that request only.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import JSONResponse, StreamingResponse

from ponder.config import TurnOptions
from ponder.errors import InvalidOption, PonderError
from ponder.server import response_body as rb
from ponder.server import sse
from ponder.server.background import FINAL, last_error
from ponder.server.collect import collect
from ponder.server.errors import ApiError, from_ponder, internal, invalid, not_found, refuse_lone_surrogates, shaped
from ponder.server.logs import LOG
from ponder.server.messages import input_messages
from ponder.server.protocol import FunctionCallItem, FunctionCallOutputItem, InputItem, ResponsesRequest, unsupported
from ponder.server.tools import answer_schema, toolset
from ponder.server.state import ServerState, new_id
from ponder.context.layout import with_result
from ponder.reasoning.summary import LEVELS, summarize
from ponder.store.sqlite import ChainTooLong, StoredResponse
from ponder.strategies import Strategy
from ponder.turn import Turn
from ponder.types import ContentDelta, Effort, Message, ReasoningDelta, Role, ToolCallDelta, TurnResult

UNSUPPORTED: tuple[str, ...] = ()


@dataclass
class Prepared:
    request: ResponsesRequest
    ids: rb.ResponseIds
    shell: dict
    turn: Turn
    new_messages: list[Message]
    input_items: list[dict]
    layout: dict  # the prompt's parts in tokens (context/layout.py), completed by the turn


async def create(state: ServerState, request: ResponsesRequest, client: Request):
    loop = asyncio.get_running_loop()
    ticket, prepared = await state.admitted(lambda: prepare(state, request, loop))
    if request.background:
        return await run_in_background(state, prepared, ticket)
    if request.stream:
        return StreamingResponse(stream(state, prepared, ticket), media_type="text/event-stream")
    with ticket:  # a PonderError here reaches the app's handler, which shapes it
        [result] = await collect([prepared.turn], client)
        body = await asyncio.to_thread(complete, state, prepared, result)  # a durable write: off the loop
    return JSONResponse(body)


async def run_in_background(state: ServerState, prepared: Prepared, ticket):
    """Store the response as queued, run its stream in a job, answer at once (or follow the job)."""
    ids, request = prepared.ids, prepared.request
    queued = {**prepared.shell, "status": "queued"}
    stored = StoredResponse(ids.response, request.previous_response_id, queued, prepared.new_messages, [])
    try:
        await asyncio.to_thread(state.store.save, stored, prepared.input_items)
    except BaseException:  # nothing will consume the turn: stop it, and give its place back
        prepared.turn.cancel()
        ticket.release()
        raise
    running = {**prepared.shell, "status": "in_progress"}
    state.jobs.start(ids.response, stream(state, prepared, ticket), prepared.turn,
                     lambda: state.store.update(ids.response, running), lambda job: settle(state, prepared, job))
    if request.stream:
        return StreamingResponse(state.jobs.get(ids.response).follow(-1), media_type="text/event-stream")
    return JSONResponse(queued)


def settle(state: ServerState, prepared: Prepared, job) -> None:
    """A background stream is over: keep its frames; if it never completed, it failed or was cancelled."""
    found = state.store.get(prepared.ids.response)
    if found is None:  # deleted (or pruned) while it ran: nothing to write
        return
    body = found.body
    if body["status"] not in FINAL:
        error = None if job.cancelled else (last_error(job.frames) or {"code": "server_error", "message": "ended"})
        body = {**body, "status": "cancelled" if job.cancelled else "failed", "error": error,
                "completed_at": int(time.time())}
    state.store.update(prepared.ids.response, body, events=job.frames)


def prepare(state: ServerState, request: ResponsesRequest, loop: asyncio.AbstractEventLoop) -> Prepared:
    strategy = check(state, request)
    history = stored_history(state, request.previous_response_id)
    new = input_messages(request.input, state.sealer.unseal)
    if not new:
        raise invalid("input", "the input is empty")
    check_outputs(request.input, history)
    system = [Message(Role.SYSTEM, request.instructions)] if request.instructions else []
    effort = Effort.parse((request.reasoning and request.reasoning.effort) or Effort.MEDIUM)
    try:
        options = turn_options(request, effort)
        if strategy is not None and (options.tools is not None or options.response_schema is not None):
            raise InvalidOption("strategy", "a test-time strategy combines text answers: it cannot be used with "
                                "tools or text.format")
        prompt = state.runtime.prompt(system + history + new, options)
        if strategy is not None:
            strategy.check(prompt.messages, options, state.config.max_samples)
        layout = state.runtime.layout(prompt, len(new))  # before the turn starts: it may not fail after
        turn = state.runtime.respond(prompt, options, loop, strategy)
    except InvalidOption as error:  # named as Responses names them
        param = {"messages": "input", "response_format": "text.format"}.get(error.param, error.param)
        param = param.replace(".function.", ".", 1) if param.startswith("tools[") else param
        message = f"{param}: {str(error).removeprefix(f'{error.param}: ')}"
        raise ApiError(400, message, param=param, code="invalid_value") from None
    ids = rb.ResponseIds(new_id("resp_"), new_id("rs_"), new_id("msg_"))
    shell = rb.shell(request, ids, state.runtime.model_id, int(time.time()), effort.value)
    return Prepared(request, ids, shell, turn, new, with_ids(request.input), layout)


def check(state: ServerState, request: ResponsesRequest) -> Strategy | None:
    refuse_lone_surrogates(request)
    strategy = state.strategy_for(request.model, request.strategy)
    bad = unsupported(request, UNSUPPORTED)
    if bad:
        raise ApiError(400, f"{bad} is not supported by ponder", param=bad, code="unsupported_parameter")
    level = rb.summary_level(request)
    if level is not None and level not in LEVELS:
        field = "reasoning.summary" if request.reasoning.summary else "reasoning.generate_summary"
        raise invalid(field, f"unknown summary {level!r}; use auto, concise or detailed")
    if request.background and not request.store:
        raise invalid("background", "a background response must be stored (store: true), to be read later")
    for index, name in enumerate(request.include or []):
        if name != rb.ENCRYPTED:
            raise invalid(f"include[{index}]", f"unsupported include {name!r}; ponder supports {rb.ENCRYPTED!r}")
    return strategy


def stored_history(state: ServerState, previous: str | None) -> list[Message]:
    if previous is None:
        return []
    try:
        chain = state.store.chain(previous)
    except ChainTooLong as error:
        raise invalid("previous_response_id", f"{error}; start a new conversation or send its input") from None
    if chain is None:
        raise not_found("previous response", previous, param="previous_response_id")
    status = chain[-1].body.get("status")
    if status not in ("completed", "incomplete"):  # a background one that has no answer (yet, or ever)
        raise invalid("previous_response_id", f"response {previous!r} is {status}: a conversation continues from "
                      "a completed or incomplete response")
    return [m for stored in chain for m in stored.input_messages + stored.output_messages]


def check_outputs(items: str | list[InputItem], history: list[Message]) -> None:
    """Every function_call_output answers a call made before it (stored, or in this input)."""
    if isinstance(items, str):
        return
    called = {call.id for message in history for call in message.tool_calls}
    for index, item in enumerate(items):
        if isinstance(item, FunctionCallItem):
            called.add(item.call_id)
        elif isinstance(item, FunctionCallOutputItem) and item.call_id not in called:
            raise invalid(f"input[{index}].call_id", f"{item.call_id!r} answers no function_call before it "
                          "(in this input or the previous response)")


def turn_options(request: ResponsesRequest, effort: Effort) -> TurnOptions:
    fields = {"effort": effort, "reasoning_budget": request.reasoning_budget,
              "max_completion_tokens": request.max_output_tokens, "seed": request.seed,
              "truncation": request.truncation, "keep_reasoning": request.keep_reasoning,
              "tools": toolset(request.tools, request.tool_choice, request.parallel_tool_calls),
              "response_schema": answer_schema(request.text.format if request.text else None, "text.format")}
    if request.temperature is not None:
        fields["temperature"] = request.temperature
    if request.top_p is not None:
        fields["top_p"] = request.top_p
    return TurnOptions(**fields)


def with_ids(items: str | list[InputItem]) -> list[dict]:
    """The input items as stored and listed: typed, with an id, message text in parts."""
    if isinstance(items, str):
        return [normalized({"type": "message", "role": "user", "content": items})]
    return [normalized(item.model_dump(exclude_none=True)) for item in items]


def normalized(item: dict) -> dict:
    kind = item["type"]
    prefix = {"reasoning": "rs_", "function_call": "fc_", "function_call_output": "fco_"}.get(kind, "msg_")
    out = {**item, "id": item.get("id") or new_id(prefix)}
    if kind == "message" and isinstance(item.get("content"), str):
        part = "output_text" if item.get("role") == "assistant" else "input_text"
        out["content"] = [{"type": part, "text": item["content"]}]
    return out


def reasoning_of(state: ServerState, prepared: Prepared, text: str | None) -> dict | None:
    """The reasoning item: its text only when the server exposes it, sealed when asked, and the
    summary (cut from the text: reasoning/summary.py) when reasoning.summary asks for one."""
    if text is None:
        return None
    shown = text if state.config.expose_reasoning else None
    sealed = state.sealer.seal(text) if rb.ENCRYPTED in (prepared.request.include or []) else None
    level = rb.summary_level(prepared.request)
    return rb.reasoning_item(prepared.ids, shown, sealed, summary=summarize(text, level) if level else None)


def complete(state: ServerState, prepared: Prepared, result: TurnResult, reasoning: dict | None = None) -> dict:
    """The final Response; stored (with its reasoning, always) unless store is false."""
    state.metrics.turn(result)
    reasoning = reasoning or reasoning_of(state, prepared, result.message.reasoning)
    body = rb.finished(prepared.shell, result, reasoning, prepared.ids)
    # ponder's extension: the context this turn saw and filled, part by part, in tokens
    body["context"] = with_result(prepared.layout, result, state.runtime.n_ctx)
    if prepared.request.background:  # stored as queued when it began
        state.store.update(prepared.ids.response, body, [result.message])
    elif prepared.request.store:
        stored = StoredResponse(prepared.ids.response, prepared.request.previous_response_id, body,
                                prepared.new_messages, [result.message])
        state.store.save(stored, prepared.input_items)
    return body


async def stream(state: ServerState, prepared: Prepared, ticket):
    numbers = itertools.count()
    ids, expose = prepared.ids, state.config.expose_reasoning

    def ev(kind: str, **payload) -> str:
        return sse.event(kind, {"type": kind, "sequence_number": next(numbers), **payload})

    reasoning_parts: list[str] = []
    reasoning_item: dict | None = None
    message_index = 1 if prepared.turn.thinks else 0
    message_open = False
    calls_at = message_index  # where the next function_call item goes (after the message, if one opens)
    try:
        yield ev("response.created", response=prepared.shell)
        yield ev("response.in_progress", response=prepared.shell)
        if prepared.turn.thinks:
            item = rb.reasoning_item(ids, "" if expose else None, None, "in_progress")
            yield ev("response.output_item.added", output_index=0, item=item)
        async for item in prepared.turn:
            if isinstance(item, ReasoningDelta):
                reasoning_parts.append(item.text)
                if expose:
                    yield ev("response.reasoning_text.delta", item_id=ids.reasoning, output_index=0,
                             content_index=0, delta=item.text)
                continue
            if prepared.turn.thinks and reasoning_item is None:
                reasoning_item = reasoning_of(state, prepared, "".join(reasoning_parts).strip())
                for frame in close_reasoning(ev, ids, reasoning_item, expose):
                    yield frame
            if isinstance(item, ToolCallDelta):
                calls_at = max(calls_at, message_index + 1 if message_open else message_index)
                for frame in call_events(ev, item, calls_at):
                    yield frame
                calls_at += 1
            elif isinstance(item, ContentDelta):
                if not message_open:
                    message_open = True
                    for frame in open_message(ev, ids, message_index):
                        yield frame
                yield ev("response.output_text.delta", item_id=ids.message, output_index=message_index,
                         content_index=0, delta=item.text, logprobs=[])
            elif isinstance(item, TurnResult):
                final = await asyncio.to_thread(complete, state, prepared, item, reasoning_item)
                message = next((o for o in final["output"] if o["type"] == "message"), None)
                if message is not None:
                    if not message_open:
                        for frame in open_message(ev, ids, message_index):
                            yield frame
                    for frame in close_message(ev, ids, message_index, message):
                        yield frame
                kind = "response.completed" if final["status"] == "completed" else "response.incomplete"
                yield ev(kind, response=final)
    except PonderError as error:
        problem = shaped(error)
        yield ev("error", code=problem.code, message=problem.message, param=problem.param)
    except Exception as error:  # a bug: the client hears of it in the stream, the log has the trace
        LOG.error("responses stream failed", exc_info=error)
        problem = internal(error)
        yield ev("error", code=problem.code, message=problem.message, param=problem.param)
    finally:
        ticket.release()


def close_reasoning(ev, ids, item: dict, expose: bool):
    if expose:
        yield ev("response.reasoning_text.done", item_id=ids.reasoning, output_index=0, content_index=0,
                 text=item["content"][0]["text"])
    for index, part in enumerate(item["summary"]):  # whole: it is cut once the reasoning has ended
        where = {"item_id": ids.reasoning, "output_index": 0, "summary_index": index}
        yield ev("response.reasoning_summary_part.added", **where, part={"type": "summary_text", "text": ""})
        yield ev("response.reasoning_summary_text.delta", **where, delta=part["text"])
        yield ev("response.reasoning_summary_text.done", **where, text=part["text"])
        yield ev("response.reasoning_summary_part.done", **where, part=part)
    yield ev("response.output_item.done", output_index=0, item=item)


def open_message(ev, ids, index: int):
    yield ev("response.output_item.added", output_index=index, item=rb.message_item(ids, None, "in_progress"))
    yield ev("response.content_part.added", item_id=ids.message, output_index=index, content_index=0,
             part=rb.output_text(""))


def close_message(ev, ids, index: int, message: dict):
    part = message["content"][0] if message["content"] else rb.output_text("")
    yield ev("response.output_text.done", item_id=ids.message, output_index=index, content_index=0,
             text=part["text"], logprobs=[])
    yield ev("response.content_part.done", item_id=ids.message, output_index=index, content_index=0, part=part)
    yield ev("response.output_item.done", output_index=index, item=message)


def call_events(ev, delta: ToolCallDelta, index: int):
    """A whole call as the stream shapes it: added, its arguments in one delta, done."""
    item = rb.function_call_item(delta.call, "in_progress", arguments="")
    yield ev("response.output_item.added", output_index=index, item=item)
    yield ev("response.function_call_arguments.delta", item_id=item["id"], output_index=index,
             delta=delta.call.arguments)
    yield ev("response.function_call_arguments.done", item_id=item["id"], output_index=index,
             name=delta.call.name, arguments=delta.call.arguments)
    yield ev("response.output_item.done", output_index=index, item=rb.function_call_item(delta.call))
