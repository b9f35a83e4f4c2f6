"""`ponder chat`: an interactive multi-turn session, streamed.

In-session commands: /effort LEVEL, /reset, /save FILE, /exit (and /help). Ctrl-C while the
model writes stops that turn and keeps the session; Ctrl-D or /exit leaves.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from ponder.cli.options import (engine_options, load_runtime, make_strategy, make_turn_options, strategy_options,
                                turn_options)
from ponder.cli.render import stream_turn, summary_line
from ponder.config import TurnOptions
from ponder.conversation import Conversation
from ponder.errors import PonderError
from ponder.runtime import Runtime
from ponder.strategies import Strategy
from ponder.types import Effort, Message, Role

HELP = "commands: /effort none|minimal|low|medium|high|xhigh, /reset, /save FILE, /exit"


@dataclasses.dataclass
class Session:
    runtime: Runtime
    console: Console
    options: TurnOptions
    conversation: Conversation
    show_reasoning: bool = True
    strategy: Strategy | None = None


@click.command()
@click.option("--system", default=None, help="A system message that opens the conversation.")
@click.option("--hide-reasoning", is_flag=True, help="Do not print the reasoning.")
@engine_options
@turn_options
@strategy_options
def chat(system, hide_reasoning, model, n_ctx, kv_cells, n_threads, verbose, upstream, tokenizer, chat_template, strategy, samples, **turn):
    """Chat with the model, turn after turn; its reasoning is shown dimmed and then discarded."""
    options = make_turn_options(**turn)
    chosen = make_strategy(strategy, samples)
    console = Console(highlight=False, soft_wrap=True)
    with load_runtime(model, n_ctx, n_threads, verbose, kv_cells, upstream, tokenizer,
                      chat_template=chat_template) as runtime:
        opening = [Message(Role.SYSTEM, system)] if system else []
        session = Session(runtime, console, options, Conversation(opening), not hide_reasoning, chosen)
        console.print(f"ponder chat · {runtime.engine.info.name} · window {runtime.n_ctx} tokens · {HELP}", style="cyan")
        repl(session)


def repl(session: Session) -> None:
    while True:
        try:
            line = session.console.input("[bold green]you>[/] ")
        except (EOFError, KeyboardInterrupt):
            session.console.print()
            return
        line = line.strip()
        if not line:
            continue
        if line.startswith("/"):
            if not command(session, line):
                return
            continue
        take_turn(session, line)


def take_turn(session: Session, text: str) -> None:
    console = session.console
    try:
        turn = session.conversation.ask(session.runtime, text, session.options, session.strategy)
    except PonderError as error:
        console.print(f"error: {error}", style="red")
        return
    try:
        result = stream_turn(console, turn, session.show_reasoning)
    except KeyboardInterrupt:
        turn.cancel()
        session.conversation.abandon()
        console.print("\n(turn cancelled)", style="yellow")
        return
    except PonderError as error:
        session.conversation.abandon()
        console.print(f"error: {error}", style="red")
        return
    session.conversation.record(result)
    console.print(Text(summary_line(result), style="cyan"), soft_wrap=True)


def command(session: Session, line: str) -> bool:
    """Run one /command; False means leave the session."""
    name, _, arg = line.partition(" ")
    arg = arg.strip()
    console = session.console
    try:
        if name in ("/exit", "/quit"):
            return False
        if name == "/effort":
            session.options = dataclasses.replace(session.options, effort=Effort.parse(arg))
            console.print(f"effort: {session.options.effort.value}", style="cyan")
        elif name == "/reset":
            session.conversation.reset()
            console.print("conversation cleared", style="cyan")
        elif name == "/save":
            save(session, arg)
        else:
            console.print(f"unknown command {name}; {HELP}", style="red")
    except PonderError as error:
        console.print(f"error: {error}", style="red")
    return True


def save(session: Session, arg: str) -> None:
    if not arg:
        session.console.print("usage: /save FILE", style="red")
        return
    path = Path(arg).expanduser()
    try:
        session.conversation.save(path)
    except OSError as error:
        session.console.print(f"error: cannot write {path}: {error.strerror}", style="red")
        return
    session.console.print(f"saved {len(session.conversation.messages)} messages to {path}", style="cyan")
