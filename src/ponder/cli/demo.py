"""`ponder demo`: the main job — a short multi-turn reasoning conversation, turn by turn.

Each turn prints the reasoning, the answer and the token usage, and says how much reasoning
of the previous turn was discarded from the context rather than carried over.
"""

from __future__ import annotations

import click
from rich.console import Console
from rich.text import Text
from rich.rule import Rule

from ponder.cli.options import engine_options, load_runtime, make_turn_options, turn_options
from ponder.cli.render import stream_turn, summary_line
from ponder.conversation import Conversation

QUESTIONS = (
    "A shop sells pencils at 3 dollars each. How much do 4 pencils cost?",
    "And how much would 10 of them cost?",
    "Which of your two answers is larger?",
)


@click.command()
@engine_options
@turn_options
def demo(model, n_ctx, n_threads, verbose, **turn):
    """Run a three-turn reasoning conversation and show what each turn carries over."""
    options = make_turn_options(**turn)
    console = Console(highlight=False, soft_wrap=True)
    conversation = Conversation()
    with load_runtime(model, n_ctx, n_threads, verbose) as runtime:
        info = runtime.engine.info
        console.print(f"model {info.name} · window {runtime.n_ctx} tokens · reasoning format "
                      f"{runtime.format.open}…{runtime.format.close} "
                      f"({'native' if runtime.format.native else 'opened by ponder'}) · effort {options.effort.value}")
        discarded = 0
        for number, question in enumerate(QUESTIONS, 1):
            console.print(Rule(f"turn {number}"))
            console.print(f"[bold green]user:[/] {question}")
            result = stream_turn(console, conversation.ask(runtime, question, options))
            conversation.record(result)
            console.print(Text(summary_line(result), style="cyan"), soft_wrap=True)
            if number > 1:
                console.print(f"context carries every input and answer; {discarded} reasoning tokens of "
                              "earlier turns were discarded", style="cyan")
            discarded += result.usage.reasoning_tokens
