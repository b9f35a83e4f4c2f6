"""vLLM's completions API with token-id prompts: the request of one segment, and its stream read
back as sampled tokens.

The prompt goes as token ids, so vLLM evaluates exactly the tokens ponder counted; every
sampled token comes back as its id (return_token_ids), so ponder's sequence is the server's.
A segment's grammar goes as vLLM's structured_outputs (a JSON schema or a choice).
Stop strings are ponder's to find (the segment cursor finds them as in process); vLLM gets them
too, so that it ends the request there and reports its usage. The end tokens go as stop_token_ids, min_tokens bans
them, and vLLM's prefix cache makes each later segment's request cost only its new tokens.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from ponder.engine.base import Grammar, SamplingParams
from ponder.errors import UpstreamError


@dataclass(frozen=True)
class Ask:
    """One request: continue tokens for at most max_tokens, no end token before min_tokens."""

    tokens: list[int]
    max_tokens: int
    min_tokens: int = 0
    stop: tuple[str, ...] = ()
    seed: int | None = None
    grammar: Grammar | None = None


@dataclass(frozen=True)
class Chunk:
    """What one streamed event says: tokens sampled, and at the end why it stopped."""

    tokens: tuple[int, ...] = ()
    logprobs: tuple[float | None, ...] = ()
    finish_reason: str | None = None  # "stop" (an end token or a stop string) or "length"
    stop_reason: int | str | None = None  # the stop token id or string; None for the model's EOS
    prompt_tokens: int | None = None
    cached_tokens: int | None = None


def completion_body(model: str, ask: Ask, sampling: SamplingParams, end_tokens: tuple[int, ...]) -> dict:
    body = {
        "model": model,
        "prompt": ask.tokens,
        "max_tokens": ask.max_tokens,
        "stream": True,
        "stream_options": {"include_usage": True, "continuous_usage_stats": True},
        "return_token_ids": True,
        "skip_special_tokens": False,
        "temperature": sampling.temperature,
        "top_p": sampling.top_p if sampling.temperature > 0 else 1.0,
        "top_k": sampling.top_k if sampling.top_k > 0 and sampling.temperature > 0 else -1,
        "stop_token_ids": list(end_tokens),
    }
    if ask.min_tokens:
        body["min_tokens"] = min(ask.min_tokens, ask.max_tokens)
    if ask.stop:  # vLLM ends there too, and so sends its usage (the cached count) at once
        body["stop"] = list(ask.stop)
        body["include_stop_str_in_output"] = True
    if ask.seed is not None:
        body["seed"] = ask.seed
    if sampling.logprobs:
        body["logprobs"] = 0  # the sampled token's own, under the model's raw distribution
    if ask.grammar is not None:  # vLLM's own structured output holds the segment to it
        body["structured_outputs"] = structured(ask.grammar)
    return body


def structured(grammar: Grammar) -> dict:
    if grammar.json_schema is not None:
        return {"json": json.loads(grammar.json_schema)}
    return {"choice": list(grammar.choice)}


def probe_body(model: str, tokens: list[int], probe: int) -> dict:
    """A request whose last prompt token is the probed one: its prompt log-probability is the
    model's log-probability of that token after tokens."""
    return {"model": model, "prompt": [*tokens, probe], "max_tokens": 1, "prompt_logprobs": 0, "temperature": 0}


def probe_logprob(response: dict, probe: int) -> float:
    try:
        last = response["choices"][0]["prompt_logprobs"][-1]
        return float(last[str(probe)]["logprob"])
    except (KeyError, IndexError, TypeError, ValueError):
        raise UpstreamError(502, "upstream_error", "upstream gave no prompt log-probabilities for a probe") from None


def warm_body(model: str, tokens: list[int]) -> dict:
    """One token after tokens: the server's prefix cache then holds them."""
    return {"model": model, "prompt": tokens, "max_tokens": 1, "temperature": 0}


def read_chunk(event: dict) -> Chunk:
    usage = event.get("usage") or {}
    details = usage.get("prompt_tokens_details") or {}
    choices = event.get("choices") or []
    if not choices:
        return Chunk(prompt_tokens=usage.get("prompt_tokens"), cached_tokens=details.get("cached_tokens"))
    choice = choices[0]
    tokens = tuple(choice.get("token_ids") or ())
    if choice.get("text") and not tokens:
        raise UpstreamError(502, "upstream_error", "upstream sent text without token ids: it needs "
                                                   "return_token_ids (vLLM 0.10.2 or newer)")
    logprobs = ()
    if choice.get("logprobs"):
        logprobs = tuple(choice["logprobs"].get("token_logprobs") or ())
    return Chunk(tokens, logprobs, choice.get("finish_reason"), choice.get("stop_reason"),
                 usage.get("prompt_tokens"), details.get("cached_tokens"))


def chunks(events: Iterator[dict]) -> Iterator[Chunk]:
    for event in events:
        if "error" in event:
            message = event["error"].get("message") if isinstance(event["error"], dict) else event["error"]
            raise UpstreamError(502, "upstream_error", f"upstream failed mid-stream: {message}")
        yield read_chunk(event)
