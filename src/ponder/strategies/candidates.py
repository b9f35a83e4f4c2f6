"""Drawing n candidates of one turn, and how each is described in a strategy's report."""

from __future__ import annotations

from ponder.config import TurnOptions
from ponder.strategies.base import Ask, Done, seeded
from ponder.types import Message


def candidate_asks(messages: tuple[Message, ...], options: TurnOptions, n: int) -> list[Ask]:
    """n samples of the same prompt (the engine shares its KV cells), seeds apart, with logprobs."""
    return [Ask(messages, seeded(options, i, logprobs=True), f"candidate {i + 1}/{n}") for i in range(n)]


def describe(done: Done, answer: str | None, **extra) -> dict:
    result = done.result
    logprob = result.mean_logprob
    return {
        "answer": answer,
        "content": result.message.content,
        "reasoning_tokens": result.usage.reasoning_tokens,
        "answer_tokens": result.usage.answer_tokens,
        "finish_reason": result.finish_reason.value,
        "mean_logprob": round(logprob, 4) if logprob is not None else None,
        **extra,
    }


def votes_line(votes: dict[str, int], winner: str | None, who: str = "") -> str:
    """who: which samples voted, where not all of them: " (the surest 4 of 8)"."""
    shown = ", ".join(f"{answer} ×{count}" for answer, count in sorted(votes.items(), key=lambda kv: -kv[1]))
    return f"[vote{who}] {shown or 'no answers'} → {winner if winner is not None else 'no answer'}"
