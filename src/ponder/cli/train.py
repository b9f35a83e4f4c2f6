"""`ponder train`: run the reasoner recipe (data -> SFT -> RL -> GGUF) into a folder."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ponder.errors import InvalidOption, PonderError


@click.command("train")
@click.option("--recipe", "recipe_name", type=click.Choice(["full", "refresh", "stepwise", "sft-control", "focus", "balance", "hard", "twoway", "bothways", "tiny"]), default="full", show_default=True,
              help="full: the reasoner from scratch (about two hours on 2 cores); refresh: one more SFT "
                   "round and RL on 3-by-2 multiplication, from --from-gguf's weights; stepwise: RL alone with step-level "
                   "credit, from --from-gguf's weights; sft-control: stepwise's compute spent on "
                   "one more SFT round instead, from --from-gguf's weights; focus: sft-control's round, a round "
                   "over all tasks, then stepwise's RL, from --from-gguf's weights; balance: focus's SFT, then RL on "
                   "every task with room, checked on all (--from-sft: focus's sft.pt); hard: balance's, on the problems "
                   "the SFT model gets wrong; twoway: a round in which half the multiplications go from the tens digit, "
                   "then focus's RL, from --from-gguf's weights (the fifth's SFT); bothways: twoway's RL, leaving the choice of "
                   "way untaught (--from-sft: twoway's sft.pt); tiny: a seconds-long smoke run.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("train-out"), show_default=True,
              help="Folder for checkpoints, GGUF files, the log and summary.json.")
@click.option("--seed", type=int, default=None, help="Override the recipe's seed.")
@click.option("--sft-examples", type=click.IntRange(min=1), default=None, help="Override the number of SFT examples.")
@click.option("--rl-steps", type=click.IntRange(min=0), default=None, help="Override the number of RL steps.")
@click.option("--rl-temperature", type=click.FloatRange(min=0.05, max=2.0), default=None,
              help="Override the RL rollouts' sampling temperature.")
@click.option("--from-sft", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Skip stage 1: start RL from this sft.pt of an earlier run of the same recipe.")
@click.option("--from-gguf", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Start from this exported reasoner's weights instead of SFT round 1, then run the "
                   "recipe's further SFT rounds and RL (the model card says which weights each recipe started from).")
@click.option("--quiet", is_flag=True, help="Print only the summary.")
def train(recipe_name: str, out: Path, seed: int | None, sft_examples: int | None, rl_steps: int | None,
          rl_temperature: float | None, from_sft: Path | None, from_gguf: Path | None, quiet: bool) -> None:
    """Train ponder's small reasoner: SFT on worked traces, then GRPO, exported to GGUF."""
    # Busy-waiting OpenMP threads collapse (~5x) when anything else wants a core; passive
    # waiting costs little when nothing does. Must be set before torch loads.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        from ponder.train.recipe import RECIPES, run, with_overrides
    except ImportError as error:
        raise PonderError(f"ponder train needs the training extra ({error.name} is missing); run scripts/setup") from None
    if out.exists() and not out.is_dir():
        raise InvalidOption("out", f"{out} exists and is not a folder")
    recipe = with_overrides(RECIPES[recipe_name], seed=seed, sft_examples=sft_examples, rl_steps=rl_steps,
                            rl_temperature=rl_temperature)
    if from_sft is not None and from_gguf is not None:
        raise InvalidOption("from-gguf", "give --from-sft (RL only) or --from-gguf (SFT rounds, then RL), not both")
    summary = run(recipe, out, echo=(lambda record: None) if quiet else print_record, from_sft=from_sft,
                  from_gguf=from_gguf)
    sft_steps = sum(r.get("steps", 0) for r in summary["sft"].values() if isinstance(r, dict))
    click.echo(f"trained in {summary['seconds']:.0f} s: SFT {sft_steps} steps, "
               f"RL {summary['rl']['steps']} steps; models in {out}/ponder-reasoner-sft.gguf and "
               f"{out}/ponder-reasoner.gguf")


def print_record(record: dict) -> None:
    click.echo(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in record.items()))
