"""Typed errors raised at ponder's edges; each message names the problem and its numbers.

The CLI prints str(error) as one line; the server (later) maps each class to an HTTP status.
"""

from __future__ import annotations


class PonderError(Exception):
    """Base of every error a user can cause; never a bug in ponder."""


class InvalidOption(PonderError):
    """A request option is out of range or unknown."""

    def __init__(self, param: str, message: str):
        super().__init__(f"{param}: {message}")
        self.param = param


class ModelError(PonderError):
    """The model file is missing, unreadable, or not a GGUF model."""


class TemplateError(PonderError):
    """The model's chat template failed to render the conversation."""


class ContextOverflow(PonderError):
    """The prompt plus the reserve for reasoning and answer does not fit the window."""

    def __init__(self, prompt_tokens: int, reserve: int, n_ctx: int, detail: str = ""):
        self.prompt_tokens, self.reserve, self.n_ctx = prompt_tokens, reserve, n_ctx
        message = (
            f"context window exceeded: prompt of {prompt_tokens} tokens plus a reserve of "
            f"{reserve} tokens for reasoning and answer needs {prompt_tokens + reserve}, "
            f"but the context window is {n_ctx} tokens"
        )
        super().__init__(message + (f" ({detail})" if detail else ""))


class EngineFailure(PonderError):
    """The engine could not finish a turn (llama.cpp failed, or the engine was closed)."""


class EngineStopped(EngineFailure):
    """The engine thread is gone: nothing more can be generated until the server restarts."""


class UpstreamError(EngineFailure):
    """The upstream server failed a request: 503 unreachable, 504 too slow, 502 anything else."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code = status, code
