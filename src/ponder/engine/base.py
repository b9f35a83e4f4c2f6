"""The Engine contract: what the reasoning loop may ask of a token generator.

An engine owns one model and its KV cache. A caller submits a prompt with a Controller, and
the sequence runs in *segments*: each generates until a condition the controller fixed in
advance (a token limit, a stop string, an end-of-generation token, none of those before a
minimum) and then asks the controller for the next one (forced tokens such as a closing
marker and a hand-off, the answer phase, a "Wait," continuation, tokens to take back). A
per-token decision never crosses the contract, so a remote engine serves a segment as one
streaming request; an in-process engine runs its own per-token loop behind it
(engine/cursor.py). Controllers are called on the engine's thread: they must be quick and
must not block, and hand results to their caller through their own thread-safe channel. An
engine knows nothing about reasoning, templates or conversations.
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
class Grammar:
    """What a segment's sampled tokens must spell: JSON valid under a schema (its canonical
    text), or one of a few strings. The segment ends with an end-of-generation token once the
    text is complete (that token is all the grammar then allows), so a constrained segment
    needs no stop string."""

    json_schema: str | None = None
    choice: tuple[str, ...] = ()


@dataclass(frozen=True)
class Segment:
    """Generate until one of these holds; then the controller says what comes next.

    An end-of-generation token always ends a segment and is never part of the sequence; before
    min_tokens tokens it cannot be sampled. Forced tokens go in first, evaluated, not sampled.
    """

    max_tokens: int  # sampled tokens at most (0: only the forced tokens)
    stop: tuple[str, ...] = ()  # end once the segment's sampled text contains one of these
    min_tokens: int = 0  # no end-of-generation token among the first min_tokens samples
    forced: tuple[int, ...] = ()  # appended before sampling (a closing marker, a hand-off, "Wait,")
    rewind: int = 0  # first take back this many of the sequence's last sampled tokens
    grammar: Grammar | None = None  # sampled tokens follow it (a tool call's arguments, a JSON answer)


class Stop(str, enum.Enum):
    LENGTH = "length"  # max_tokens sampled
    STOP = "stop"  # a stop string was sampled
    END = "end"  # the model sampled an end-of-generation token (not appended)


@dataclass(frozen=True)
class SegmentEnd:
    reason: Stop
    tokens: tuple[int, ...]  # sampled in this segment, in order (not the forced ones, not an end token)
    stop: str | None = None  # which stop string
    stop_start: int = 0  # index in tokens of the token where the stop string begins


class EndReason(str, enum.Enum):
    DONE = "done"  # the controller said so
    CONTEXT_FULL = "context_full"  # the sequence reached the window, or the pool ran out of cells
    CANCELLED = "cancelled"
    ERROR = "error"


class Controller(Protocol):
    def first_segment(self) -> Segment | None:
        """Asked once, when the sequence is submitted (on the submitting thread); None: done."""

    def on_prefilled(self, prompt_tokens: int, cached_tokens: int) -> None: ...

    def on_token(self, token: int, logprobs: TokenLogprobs | None = None) -> bool | None:
        """A sampled token as it comes; logprobs when SamplingParams asked. True ends the
        segment now (the controller saw what it waits for; a remote engine closes the stream)."""

    def on_segment_end(self, end: SegmentEnd) -> Segment | None:
        """The next segment, or None: the sequence is done."""

    def on_end(self, reason: EndReason, error: str | Exception | None = None) -> None:
        """Last call; error says why an ERROR ended it (an EngineFailure keeps its type)."""


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
               history: int | None = None, key: str | None = None, reserve: int | None = None) -> Handle:
        """Start generating after prompt; returns at once.

        history: how many leading prompt tokens are the conversation so far (the rest is the
        generation prompt); a later prompt that shares them continues this one. None: all.
        key: the conversation's stable name, which a remote engine sends so that a router keeps
        the conversation on the replica whose cache holds it.
        reserve: the KV cells the sequence may fill in all (prompt and longest completion); an
        engine with a shared pool starts it only once that fits. None: the prompt alone.
        """

    def warm(self, tokens: list[int], key: str | None = None) -> None:
        """In idle time, make the cache hold tokens: the next turn's canonical prompt start (a
        finished turn's history and answer, its reasoning left out), so that turn evaluates only
        its new message (optional). An engine finds the finished turn's cells itself; a warm-up
        never displaces another conversation."""

    def stats(self) -> dict:
        """Live counters for /health: client sequences generating (live_sequences) and queued
        (waiting_requests), background warm-ups queued or running (warm_ups), kept apart so
        that idle-time work never looks like client work."""
        return {}

    def check_grammar(self, grammar: Grammar) -> str | None:
        """Why this engine could not sample under grammar (its parser refuses it), or None. Asked
        when a request arrives, so that a grammar too deep for the engine is a 400, not a failed
        turn; an engine that validates remotely answers None and reports at sampling."""
        return None

    def failure(self) -> str | None:
        """Why the engine can serve nothing more (its thread died), or None while it can."""
        return None

    @abstractmethod
    def close(self) -> None:
        """Stop the engine thread and free the model."""
