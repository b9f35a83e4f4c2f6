"""`ponder ask "question"`: one turn, streamed, or printed whole as JSON."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.text import Text

from ponder.cli.options import (engine_options, load_runtime, make_strategy, make_turn_options, strategy_options,
                                turn_options)
from ponder.cli.render import stream_turn, summary_line
from ponder.errors import InvalidOption
from ponder.types import Message, Role


@click.command()
@click.argument("question")
@click.option("--system", default=None, help="A system message before the question.")
@click.option("--json", "as_json", is_flag=True, help="Print the message and usage as JSON.")
@click.option("--hide-reasoning", is_flag=True, help="Do not print the reasoning.")
@engine_options
@turn_options
@strategy_options
def ask(question, system, as_json, hide_reasoning, model, n_ctx, kv_cells, n_threads, verbose, upstream, tokenizer, chat_template, strategy, samples,
        **turn):
    """Ask one question and print the reasoning, the answer and the token usage.

    QUESTION "-" reads the question from standard input.
    """
    if question == "-":
        question = click.get_text_stream("stdin").read()
    if not question.strip():
        raise InvalidOption("question", "must not be empty")
    options = make_turn_options(**turn)
    chosen = make_strategy(strategy, samples)
    messages = ([Message(Role.SYSTEM, system)] if system else []) + [Message(Role.USER, question)]
    with load_runtime(model, n_ctx, n_threads, verbose, kv_cells, upstream, tokenizer,
                      chat_template=chat_template) as runtime:
        stream = runtime.respond(messages, options, strategy=chosen)
        if as_json:
            click.echo(json.dumps(stream.collect().to_dict(), indent=2, ensure_ascii=False))
            return
        console = Console(highlight=False, soft_wrap=True)
        result = stream_turn(console, stream, show_reasoning=not hide_reasoning)
        console.print(Text(summary_line(result), style="cyan"), soft_wrap=True)
