"""`ponder eval`: score the whole system on tasks, over a grid of efforts and test-time strategies.

Everything a user can get wrong (task names, JSONL files, the lists) is checked before the
model loads; settings a strategy cannot run (think_longer at effort none) are skipped, and
one line on stderr says so. The table goes to stdout; results.json and scaling.png go to
--out. Ctrl-C stops the run, still writes what finished, then exits as an interrupt (130);
so does SIGTERM (kill, timeout, a job scheduler), since a run started in the background
ignores Ctrl-C's SIGINT.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console

from ponder.cli.options import engine_options, load_runtime
from ponder.config import MAX_SEQUENCES
from ponder.errors import InvalidOption
from ponder.eval.harness import RunOptions, run_eval
from ponder.eval.plot import require_matplotlib, write_plot
from ponder.eval.progress import ProgressBar
from ponder.eval.report import print_table, results_document, write_json
from ponder.eval.settings import grid, parse_efforts, parse_samples, parse_strategies, skipped_line
from ponder.eval.sources import load_task, split_specs

DEFAULT_PARALLEL = 8  # EngineConfig's n_seq_max
TABLE_WIDTH = 200


@click.command("eval")
@click.option("--task", "task_spec", required=True, metavar="NAME[,NAME...]",
              help="add, sub, mul, word (ponder's own), gym:DATASET (reasoning-gym), or a .jsonl file.")
@click.option("--n", type=click.IntRange(min=1), default=20, show_default=True, help="Problems per task.")
@click.option("--effort", "effort_spec", default="none,low", show_default=True,
              help="Comma list of efforts: none, minimal, low, medium, high, xhigh.")
@click.option("--strategy", "strategy_spec", default="vote", show_default=True,
              help="Comma list of strategies: single, vote, vote/surest, vote/consistent, "
                   "best_of_n/checker (or best_of_n), best_of_n/self, think_longer, refine.")
@click.option("--samples", "samples_spec", default="1", show_default=True,
              help="Comma list of sample counts for vote and best_of_n; 1 is one plain sample (single).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seeds the problems and every sample.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("eval-out"),
              show_default=True, help="Folder for results.json and scaling.png.")
@click.option("--parallel", type=click.IntRange(min=1, max=MAX_SEQUENCES), default=DEFAULT_PARALLEL, show_default=True,
              help="Sequences in flight at once (a vote@8 problem runs 8); also the engine's sequence count.")
@click.option("--max-completion-tokens", type=click.IntRange(min=1), default=None,
              help="Cap on reasoning + answer tokens per sequence.")
@click.option("--temperature", type=click.FloatRange(0, 2), default=0.6, show_default=True)
@engine_options
def eval_command(task_spec, n, effort_spec, strategy_spec, samples_spec, seed, out, parallel, max_completion_tokens,
                 temperature, model, n_ctx, kv_cells, n_threads, verbose, upstream, tokenizer, chat_template):
    """Score the model on tasks at each effort and strategy; write a table, JSON and a plot."""
    require_matplotlib()
    efforts, samples = parse_efforts(effort_spec), parse_samples(samples_spec)
    strategies = parse_strategies(strategy_spec)
    tasks = {task.name: task for task in (load_task(name, n, seed) for name in split_specs(task_spec))}
    plan = grid(list(tasks), efforts, samples, strategies)
    if plan.skipped:
        click.echo(f"ponder: {skipped_line(plan.skipped)}", err=True)
    settings, options = plan.settings, RunOptions(seed, parallel, temperature, max_completion_tokens)
    total = sum(len(tasks[s.task].items) for s in settings)
    with load_runtime(model, n_ctx, n_threads, verbose, kv_cells, upstream, tokenizer,
                      chat_template=chat_template, n_seq_max=parallel) as runtime:
        with sigterm_as_interrupt(), ProgressBar(total) as bar:
            make_folder(out)  # now, not after an hour of eval
            run = run_eval(runtime, tasks, settings, options, bar)
        config = {"model": runtime.model_id, "n_ctx": runtime.n_ctx,
                  "kv_cells": runtime.engine.info.kv_cells, "n": n, "seed": seed, "parallel": parallel,
                  "temperature": temperature, "max_completion_tokens": max_completion_tokens,
                  "tasks": list(tasks), "efforts": [e.value for e in efforts], "samples": samples,
                  "strategies": strategies}
    report(run, config, out)
    if run.interrupted:
        # main turns Abort into "interrupted" and exit 130 (a KeyboardInterrupt raised here
        # would make click print a blank line first).
        raise click.exceptions.Abort


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt, as Ctrl-C does: the run stops and keeps what finished."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def make_folder(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidOption("out", f"cannot create {out}: {error.strerror or error}") from None


def report(run, config: dict, out: Path) -> None:
    json_path = write_json(out / "results.json", results_document(run.results, config, run.interrupted))
    plot_path = write_plot(out / "scaling.png", run.results, f"test-time scaling: {config['model']}")
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = TABLE_WIDTH  # piped or captured: do not squeeze the table into 80 columns
    print_table(console, run.results, run.interrupted)
    click.echo(f"wrote {json_path} and {plot_path}")
    failures = [s for result in run.results for p in result.problems for s in p.samples if s.error]
    if failures:
        click.echo(f"ponder: warning: {len(failures)} problem(s) failed, e.g.: {failures[0].error}", err=True)
