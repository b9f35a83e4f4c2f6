"""The Engine contract: what the reasoning loop may ask of a token generator.

An engine owns one model and its KV cache, and runs generation in its own thread. A caller
submits a prompt with a Controller; the engine samples a token, asks the controller what to
append (the token, forced tokens instead, or nothing) and whether the sequence is done. The
controller is called on the engine thread, so it must be quick and must not block; it hands
results to the caller through its own thread-safe channel. An engine knows nothing about
reasoning, templates or conversations.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SamplingParams:
    temperature: float = 0.6  # 0 means greedy
    top_p: float = 0.95
    top_k: int = 0  # 0 turns top-k off
    seed: int | None = None  # None draws a fresh seed per request
    # Log-probabilities cost a pass over the whole vocabulary per token, so only on request:
    logprobs: bool = False  # report each sampled token's log-probability
    probe: tuple[int, ...] = ()  # report these tokens' log-probabilities at every sample


@dataclass(frozen=True)
class TokenLogprobs:
    """Under the model's own distribution (temperature 1, no top-k/top-p), natural log."""

    sampled: float  # of the token that was sampled
    probe: tuple[float, ...] = ()  # of SamplingParams.probe's tokens, in its order


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: str
    n_ctx: int  # the window this engine enforces per conversation
    n_ctx_train: int  # the window the model was trained with
    kv_cells: int  # the KV pool every live sequence and cached prefix share
    chat_template: str | None
    bos_text: str
    eos_text: str
    add_bos: bool  # the tokenizer expects BOS before a prompt


@dataclass(frozen=True)
class Step:
    """A controller's answer to one sampled token."""

    append: tuple[int, ...] = ()  # tokens to add to the sequence (the sampled one, or forced ones)
    done: bool = False  # finish the sequence after appending
    forbid_end: bool = False  # the next sample may not be an end-of-generation token


@dataclass(frozen=True)
class ShiftPlan:
    """A finished turn, as a warm-up of the next turn's history sees it."""

    prompt: tuple[int, ...]  # the finished turn's prompt, ending in its opened reasoning block
    history: int  # leading prompt tokens the next turn shares (up to the assistant header)
    reasoning: int  # tokens generated inside the reasoning block, closing marker included


class EndReason(str, enum.Enum):
    DONE = "done"  # the controller said so
    CONTEXT_FULL = "context_full"  # no KV cell left in the window
    CANCELLED = "cancelled"
    ERROR = "error"


class Controller(Protocol):
    forbid_end_first: bool  # the first sample after the prompt may not end generation

    def on_prefilled(self, prompt_tokens: int, cached_tokens: int) -> None: ...

    def on_sampled(self, token: int, logprobs: TokenLogprobs | None = None) -> Step:
        """logprobs is given when the request's SamplingParams asked for it."""

    def on_end(self, reason: EndReason, error: str | None = None) -> None: ...


class Handle(Protocol):
    def cancel(self) -> None: ...


class Engine(ABC):
    info: ModelInfo

    @abstractmethod
    def tokenize(self, text: str, *, special: bool = True) -> list[int]:
        """Tokens of text; special=True parses control tokens such as <|im_start|>."""

    @abstractmethod
    def piece(self, token: int) -> bytes:
        """The bytes a token stands for (may be part of a UTF-8 character)."""

    @abstractmethod
    def is_eog(self, token: int) -> bool:
        """True for tokens that end generation (end of turn, end of text)."""

    @abstractmethod
    def submit(self, prompt: list[int], sampling: SamplingParams, controller: Controller,
               history: int | None = None) -> Handle:
        """Start generating after prompt; returns at once.

        history: how many leading prompt tokens are the conversation so far (the rest is the
        generation prompt); a later prompt that shares them continues this one. None: all.
        """

    def warm(self, tokens: list[int], turn: ShiftPlan, cut: bool = False) -> None:
        """Evaluate tokens into the finished turn's cells in idle time, so the next turn finds
        them (optional). Skipped once those cells are gone: a warm-up never displaces another
        conversation.

        turn: the finished turn (its prompt, the history it shares with tokens, its reasoning).
        cut: the engine may cut the turn's reasoning out of its cells instead of evaluating its
        answer again, where it was configured to (approximate; see engine/shift.py).
        """

    def stats(self) -> dict:
        """Live counters for health checks: sequences generating and waiting."""
        return {}

    @abstractmethod
    def close(self) -> None:
        """Stop the engine thread and free the model."""
