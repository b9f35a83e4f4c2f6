"""`ponder demo`: the main job — ponder's trained reasoner on fresh problems, turn by turn.

Three turns of one conversation, each a problem drawn fresh (held-out split, new seed each
run unless --seed): a multiplication, a word problem, a long addition. Each turn prints the
reasoning, the answer, whether the answer is right, and the token usage, and says how much
reasoning of earlier turns was discarded from the context rather than carried over.
"""

from __future__ import annotations

import random

import click
from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from ponder.cli.options import engine_options, load_runtime, make_turn_options, turn_options
from ponder.cli.render import stream_turn, summary_line
from ponder.conversation import Conversation
from ponder.eval.answers import extract_number, is_correct
from ponder.tasks import get_task

DEMO_MODEL = "ponder-reasoner"
DEMO_TASKS = ("mul", "word", "add")


def fresh_problems(seed: int):
    """One held-out problem per demo task; multi-digit ones, so the work shows."""
    rng = random.Random(seed)
    out = []
    for name in DEMO_TASKS:
        candidates = get_task(name).problems(20, seed=rng.randrange(10**9), split="eval")
        out.append(max(candidates[:8], key=lambda p: len(p.trace_text)))  # the most work
    return out


@click.command()
@engine_options
@turn_options
def demo(model, n_ctx, n_threads, verbose, **turn):
    """Ask the trained reasoner three fresh problems in one conversation."""
    seed = turn["seed"] if turn["seed"] is not None else random.SystemRandom().randrange(10**6)
    options = make_turn_options(**turn)
    console = Console(highlight=False, soft_wrap=True)
    conversation = Conversation()
    with load_runtime(model or DEMO_MODEL, n_ctx, n_threads, verbose) as runtime:
        info = runtime.engine.info
        console.print(f"model {info.name} · window {runtime.n_ctx} tokens · reasoning format "
                      f"{runtime.format.open}…{runtime.format.close} "
                      f"({'native' if runtime.format.native else 'opened by ponder'}) · effort {options.effort.value}"
                      f" · problems drawn with seed {seed}")
        discarded, right = 0, 0
        problems = fresh_problems(seed)
        for number, problem in enumerate(problems, 1):
            console.print(Rule(f"turn {number}"))
            console.print(f"[bold green]user:[/] {problem.question}")
            result = stream_turn(console, conversation.ask(runtime, problem.question, options))
            conversation.record(result)
            correct = is_correct(result.message.content, problem.answer)
            right += correct
            verdict = "correct" if correct else f"wrong (got {extract_number(result.message.content)})"
            console.print(f"expected {problem.answer}: {verdict}", style="bold green" if correct else "bold red")
            console.print(Text(summary_line(result), style="cyan"), soft_wrap=True)
            if number > 1:
                console.print(f"context carries every input and answer; {discarded} reasoning tokens of "
                              "earlier turns were discarded", style="cyan")
            discarded += result.usage.reasoning_tokens
        console.print(Rule())
        console.print(f"{right}/{len(problems)} answers correct")
