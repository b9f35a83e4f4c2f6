"""Options every command shares (model and sampling), and how they become a Runtime.

Click checks types and ranges, so a bad value is one line naming the flag; everything
deeper (a missing model file, an unknown effort) is a PonderError with its own message.
"""

from __future__ import annotations

import functools

import click

from ponder.config import EngineConfig, TurnOptions
from ponder.errors import InvalidOption
from ponder.runtime import Runtime
from ponder.strategies import Strategy, Vote, parse_strategy
from ponder.types import Effort

EFFORTS = [e.value for e in Effort]


def engine_options(command):
    """--model, --ctx, --threads: what loads the engine."""
    decorators = [
        click.option("--model", "model", default=None, metavar="PATH|NAME",
                     help="GGUF file or embedded model name (default: smollm2)."),
        click.option("--ctx", "n_ctx", type=click.IntRange(min=64), default=None,
                     help="Context window of a conversation in tokens (default: the model's training context)."),
        click.option("--kv-cells", "kv_cells", type=click.IntRange(min=64), default=None,
                     help="KV cells shared by all sequences (default: sized from memory, up to 8 windows)."),
        click.option("--threads", "n_threads", type=click.IntRange(min=1), default=None,
                     help="CPU threads for llama.cpp."),
        click.option("--verbose", is_flag=True, help="Show llama.cpp's own log."),
        click.option("--upstream", default=None, metavar="URL",
                     help="Generate on this OpenAI-compatible completions server (vLLM) instead of in process."),
        click.option("--tokenizer", default=None, metavar="DIR",
                     help="With --upstream: the model's Hugging Face folder (default: where the server loaded it)."),
        click.option("--chat-template", "chat_template", default=None, metavar="FILE",
                     help="A Jinja chat template to use instead of the model's own."),
    ]
    return functools.reduce(lambda f, d: d(f), reversed(decorators), command)


def turn_options(command):
    """--effort, budgets and sampling: what shapes each turn."""
    decorators = [
        click.option("--effort", type=click.Choice(EFFORTS, case_sensitive=False), default="low",
                     show_default=True, help="Reasoning effort (sets the thinking budget)."),
        click.option("--reasoning-budget", type=click.IntRange(min=0), default=None,
                     help="Reasoning budget in tokens; overrides --effort."),
        click.option("--max-completion-tokens", type=click.IntRange(min=1), default=None,
                     help="Cap on reasoning + answer tokens."),
        click.option("--truncation", type=click.Choice(["auto", "disabled"]), default="auto", show_default=True,
                     help="When the conversation outgrows the window: drop oldest turns, or fail."),
        click.option("--keep-reasoning", is_flag=True,
                     help="Show the model its earlier turns' reasoning (off: discarded, as o1 does)."),
        click.option("--stop", multiple=True, help="Stop the answer at this string (repeatable)."),
        click.option("--seed", type=int, default=None, help="Sampling seed."),
        click.option("--temperature", type=click.FloatRange(0, 2), default=0.6, show_default=True,
                     help="0 is greedy."),
        click.option("--top-p", type=click.FloatRange(0, 1, min_open=True), default=0.95, show_default=True),
        click.option("--top-k", type=click.IntRange(min=0), default=40, show_default=True, help="0 turns top-k off."),
    ]
    return functools.reduce(lambda f, d: d(f), reversed(decorators), command)


def strategy_options(command):
    """--strategy and --samples: how much test-time compute each turn spends."""
    decorators = [
        click.option("--strategy", "strategy", default=None, metavar="NAME[@N][/QUALIFIER]",
                     help="Test-time strategy: single, vote, best_of_n, think_longer, refine "
                          "(e.g. vote@8, vote/surest, vote@8/consistent, best_of_n/checker, refine@2)."),
        click.option("--samples", type=click.IntRange(min=1), default=None,
                     help="Samples for vote and best_of_n (alone: vote over this many)."),
    ]
    return functools.reduce(lambda f, d: d(f), reversed(decorators), command)


def make_strategy(strategy: str | None, samples: int | None) -> Strategy | None:
    """The Strategy the flags ask for; None is a plain single turn."""
    if strategy is None:
        return None if samples in (None, 1) else Vote(samples)
    if samples is None:
        return parse_strategy(strategy)
    head, slash, verifier = strategy.partition("/")
    if "@" in head:
        raise InvalidOption("samples", f"--strategy {strategy} already gives a count; drop --samples or the @N")
    if head.strip() not in ("vote", "best_of_n"):
        raise InvalidOption("samples", f"applies to vote and best_of_n, not {head.strip()}")
    return parse_strategy(f"{head.strip()}@{samples}{slash}{verifier}")


def load_runtime(model, n_ctx, n_threads, verbose, kv_cells=None, upstream=None, tokenizer=None,
                 **engine) -> Runtime:
    """A Runtime from engine_options; `engine` sets further EngineConfig fields (n_seq_max)."""
    fields = {"model": model, "n_ctx": n_ctx, "kv_cells": kv_cells, "verbose": verbose,
              "upstream": upstream, "tokenizer": tokenizer, **engine}
    if n_threads is not None:
        fields["n_threads"] = n_threads
    return Runtime.load(EngineConfig(**fields))


def make_turn_options(**flags) -> TurnOptions:
    """TurnOptions from the flags of turn_options; their names match its fields."""
    return TurnOptions(**flags)
