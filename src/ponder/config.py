"""Frozen configuration, passed in, never global.

EngineConfig is fixed when a model loads; TurnOptions travel with each turn. Validation
lives here so every entry point (CLI, server, eval) rejects the same bad values the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ponder.errors import InvalidOption
from ponder.types import Effort, Truncation

if TYPE_CHECKING:  # tools sit above config; only their type is named here
    from ponder.tools.spec import Toolset

# llama.cpp's LLAMA_MAX_SEQ: a context with more sequences fails to load, with no reason given.
MAX_SEQUENCES = 256

# Forced before the closing marker when the reasoning budget runs out, if it fits in the
# budget, so the model hears that its thinking was cut short rather than finished.
DEFAULT_HANDOFF = "\n\nI am out of thinking time, so I will answer now.\n"
# Forced instead of a closing marker that comes before the minimum reasoning length (s1's
# budget forcing): the model reads its own doubt and goes on checking.
DEFAULT_CONTINUATION = "\nWait,"


def default_threads() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


@dataclass(frozen=True)
class EngineConfig:
    model: str | None = None  # a GGUF path or a short name; None is the embedded default
    # An OpenAI-compatible completions server (vLLM) to generate on instead of llama.cpp in
    # process; model then names the model it serves (None: its first), and tokenizer the
    # model's Hugging Face folder (None: the folder the server loaded it from).
    upstream: str | None = None
    tokenizer: str | None = None
    upstream_timeout: float = 60.0  # seconds to wait for an answer or the next streamed chunk
    # A Jinja chat template file to use instead of the model's own (llama-server's
    # --chat-template-file); its reasoning format is detected from it as from the model's.
    chat_template: str | None = None
    # The window: what one conversation may hold (prompt + reasoning + answer), at most the
    # model's training context. None is the training context.
    n_ctx: int | None = None
    # The KV pool: cells shared by every live sequence and cached prefix, apart from the window
    # (n samples of one prompt need the prompt once and n completions). None sizes it from
    # kv_memory: n_seq_max windows, or as many cells as kv_memory bytes hold, at least one window.
    kv_cells: int | None = None
    kv_memory: int = 512 * 1024 * 1024
    n_threads: int = field(default_factory=default_threads)
    n_batch: int = 512  # most tokens in one llama_decode; longer prompts go in chunks
    # llama.cpp computes a micro-batch of 64 or more tokens on another kernel path, whose
    # logits differ (by up to 0.9 on SmolLM2) from evaluating the same tokens in smaller
    # pieces. Below 64, any split gives bit-identical KV, so cached, re-prefilled and cold
    # prompts all decode alike. Measured cost on 2 cores: none beyond noise (docs/performance.md).
    n_ubatch: int = 32
    n_seq_max: int = 8  # sequences the KV cache can hold at once (live ones and cached prefixes)
    # Reuse KV across requests and re-prefill finished turns (upstream: pre-warm the server's
    # prefix cache with the next turn's prompt); off for baselines.
    prefix_cache: bool = True
    # How a finished turn's cache becomes the next turn's: "exact" re-prefills the answer at its
    # true positions (identical to a cold run); "shift" cuts the reasoning cells out and moves
    # the answer's back (faster, approximate: see docs/performance.md), re-evaluating the first
    # kv_shift_reeval answer tokens.
    kv_reuse: str = "exact"
    kv_shift_reeval: int = 0
    verbose: bool = False  # let llama.cpp write its log to stderr

    @property
    def scratch_sequences(self) -> int:
        """Sequences beyond n_seq_max that hold no conversation: shift mode re-evaluates the
        answer's first tokens in one, so that doing so never wipes a cached conversation."""
        return 1 if self.kv_reuse == "shift" and self.kv_shift_reeval > 0 else 0

    def __post_init__(self) -> None:
        if self.n_ctx is not None and self.n_ctx < 64:
            raise InvalidOption("ctx", f"the context window must be at least 64 tokens, got {self.n_ctx}")
        if self.kv_cells is not None and self.kv_cells < 64:
            raise InvalidOption("kv_cells", f"the KV pool must hold at least 64 cells, got {self.kv_cells}")
        if self.upstream is not None and not self.upstream.startswith(("http://", "https://")):
            raise InvalidOption("upstream", f"must be an http:// or https:// URL, got {self.upstream!r}")
        if self.upstream_timeout <= 0:
            raise InvalidOption("upstream_timeout", f"must be more than 0 seconds, got {self.upstream_timeout}")
        if self.kv_memory < 1:
            raise InvalidOption("kv_memory", f"must be at least 1 byte, got {self.kv_memory}")
        if self.n_threads < 1:
            raise InvalidOption("threads", f"must be at least 1, got {self.n_threads}")
        if self.kv_reuse not in ("exact", "shift"):
            raise InvalidOption("kv_reuse", f"use exact or shift, not {self.kv_reuse!r}")
        if self.kv_shift_reeval < 0:
            raise InvalidOption("kv_shift_reeval", f"must be 0 or more, got {self.kv_shift_reeval}")
        if self.n_batch < 1 or self.n_seq_max < 1 or self.n_ubatch < 1:
            raise InvalidOption("n_batch", "n_batch, n_ubatch and n_seq_max must be at least 1")
        if self.n_seq_max + self.scratch_sequences > MAX_SEQUENCES:
            raise InvalidOption("n_seq_max", f"llama.cpp holds at most {MAX_SEQUENCES} sequences"
                                + (" (one is shift mode's scratch)" if self.scratch_sequences else "")
                                + f", got {self.n_seq_max}")


@dataclass(frozen=True)
class TurnOptions:
    effort: Effort = Effort.MEDIUM
    reasoning_budget: int | None = None  # tokens; overrides effort when set
    max_completion_tokens: int | None = None  # reasoning + answer; None: budget + 512
    temperature: float = 0.6
    top_p: float = 0.95
    # llama.cpp's and Ollama's default: top-p alone sorts all 49k logits per token, which
    # measured 3.5x slower decode on 16 batched sequences (bench in the issue-5 note)
    top_k: int = 40  # 0 turns top-k off
    seed: int | None = None
    stop: tuple[str, ...] = ()
    truncation: Truncation = Truncation.AUTO
    keep_reasoning: bool = False
    handoff: str = DEFAULT_HANDOFF
    min_reasoning: int = 0  # tokens of thinking before the block may close (think_longer)
    continuation: str = DEFAULT_CONTINUATION
    logprobs: bool = False  # track the mean log-probability of sampled tokens (vote's tie-break)
    tools: Toolset | None = None  # function tools the turn may call (ponder.tools.spec)
    response_schema: str | None = None  # the answer is JSON under this schema (its canonical text)

    def __post_init__(self) -> None:
        object.__setattr__(self, "effort", Effort.parse(self.effort))
        object.__setattr__(self, "truncation", Truncation.parse(self.truncation))
        object.__setattr__(self, "stop", tuple(self.stop))
        if not 0 <= self.temperature <= 2:
            raise InvalidOption("temperature", f"must be between 0 and 2, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise InvalidOption("top_p", f"must be in (0, 1], got {self.top_p}")
        if self.top_k < 0:
            raise InvalidOption("top_k", f"must be 0 (off) or more, got {self.top_k}")
        if any(not s for s in self.stop):
            raise InvalidOption("stop", "stop strings must not be empty")
        if self.min_reasoning < 0:
            raise InvalidOption("min_reasoning", f"must be 0 or more tokens, got {self.min_reasoning}")
        if self.min_reasoning and not self.continuation.strip():
            raise InvalidOption("continuation", "must say something, or the model would close again at once")


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    api_key: str | None = None  # when set, every /v1 request needs "Authorization: Bearer KEY"
    db: str = ":memory:"  # SQLite file of stored responses; ":memory:" keeps nothing (serve picks a file)
    store_days: float | None = None  # stored responses older than this are deleted; None keeps them
    expose_reasoning: bool = False  # return plain reasoning text in Responses output
    secret_key: str | None = None  # hex AES key for sealed reasoning; None: a key file beside db
    max_request_bytes: int = 8 * 1024 * 1024
    max_queue: int = 64  # requests admitted at once (running or waiting); more get 429
    max_n: int = 8  # most choices (chat n) per request
    max_samples: int = 16  # most sequences one request's strategy may run at once (vote's n)
