"""`ponder demo`: the main job — ponder's trained reasoner on fresh problems, turn by turn.

Three turns of one conversation, each a problem drawn fresh (held-out split, new seed each
run unless --seed): a 3-digit and a 4-digit addition and a one-step word problem, sizes the
2.7M-parameter reasoner solves about half the time (the word problem about a quarter; its
full evaluation is in its model card). Each turn prints the reasoning, the answer, whether the answer is right, and the token
usage, and says how much reasoning of earlier turns was discarded from the context.
"""

from __future__ import annotations

import random
import re

import click
from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from ponder.cli.options import engine_options, load_runtime, make_turn_options, turn_options
from ponder.cli.render import stream_turn, summary_line
from ponder.conversation import Conversation
from ponder.answers import extract_number, is_correct
from ponder.tasks import get_task

DEMO_MODEL = "ponder-reasoner"
# (task, how many numbers its question has, how many digits the longest has)
DEMO_PROBLEMS = (("add", 2, 3), ("add", 2, 4), ("word", 2, None))


def fresh_problems(seed: int):
    """Held-out problems of the demo's sizes, drawn with `seed`."""
    rng = random.Random(seed)
    out = []
    for name, count, digits in DEMO_PROBLEMS:
        candidates = get_task(name).problems(200, seed=rng.randrange(10**9), split="eval")
        out.append(next(p for p in candidates if fits(p.question, count, digits)))
    return out


def fits(question: str, count: int, digits: int | None) -> bool:
    numbers = re.findall(r"\d+", question)
    return len(numbers) == count and (digits is None or max(len(n) for n in numbers) == digits)


@click.command()
@engine_options
@turn_options
def demo(model, n_ctx, kv_cells, n_threads, verbose, upstream, tokenizer, chat_template, **turn):
    """Ask the trained reasoner three fresh problems in one conversation."""
    seed = turn["seed"] if turn["seed"] is not None else random.SystemRandom().randrange(10**6)
    options = make_turn_options(**turn)
    console = Console(highlight=False, soft_wrap=True)
    conversation = Conversation()
    with load_runtime(model or (None if upstream else DEMO_MODEL), n_ctx, n_threads, verbose, kv_cells, upstream, tokenizer,
                      chat_template=chat_template) as runtime:
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
