"""After its own slip, does the model correct itself? Measured where the slip happened.

The audit of greedy traces counts corrections, and ponder-reasoner's are zero: greedy decoding
writes the likeliest next token, and after a slip that is rarely " wait". This probe looks
closer. For each wrong greedy trace in an eval's results.json whose first departure from the
worked trace is an equation's value (`48+6=53`), it reads the model's own trace up to the end
of that value and asks the model (the torch weights of its GGUF) what comes next: the
probability of " wait", and K sampled continuations, each a right correction (`wait,
48+6=54`), the slip restated (`wait, 48+6=53`), another value, or no "wait" at all. RL can only
reinforce a correction its rollouts write, and only a right one pays:

    python -m ponder.train.recovery ponder-reasoner.gguf eval-out/results.json --samples 16
"""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import dataclass
from pathlib import Path

import torch

from ponder.tasks import get_task
from ponder.tasks.audit import CORRECTION, EQUATION, departing, evaluate
from ponder.train import chat
from ponder.train.export import compact_from_gguf
from ponder.train.model import Shape, full_logprobs
from ponder.train.sample import sample
from ponder.train.vocab import detokenize, eos_id, tokenize

WAIT = " wait"


@dataclass(frozen=True)
class Slip:
    prefix: str  # the trace up to the end of the slipped value
    lhs: str  # `48+6`
    slipped: int  # 53
    right: int  # 54


def first_slip(trace: str, worked: str | tuple[str, ...]) -> Slip | None:
    """The trace's first departure, where it is the value of an equation the trace states."""
    found = departing(trace, worked)
    if found is None or found[0] == "cut":
        return None
    start = found[1]
    for equation in EQUATION.finditer(trace):
        if equation.start(2) <= start < equation.end(2):
            lhs = equation.group(1)
            return Slip(trace[: equation.end()], lhs, int(equation.group(2)), evaluate(lhs))
    return None  # a copied number, not a step's value: no `wait, lhs=` can correct it in place


def outcome(continuation: str, slip: Slip) -> str:
    """What a continuation after the slip does: none, right, restated or other."""
    if not continuation.startswith(WAIT):
        return "none"
    again = CORRECTION.match(continuation)  # the audit's reading of `wait, lhs=value`
    if again is None or again.group(1) != slip.lhs:
        return "other"
    value = int(again.group(2))
    return "right" if value == slip.right else "restated" if value == slip.slipped else "other"


def probe(gguf: Path, results: Path, samples: int, temperatures: list[float], seed: int = 0,
          max_new: int = 24) -> dict:
    """max_new: room for the longest correction and the character after it (` wait, 999*90=89910,`
    is 16 tokens; at 14, right recalls were cut short and counted as other values)."""
    model, vocab = compact_from_gguf(gguf, Shape(max_positions=2048), seed)
    model.eval()
    settings = json.loads(results.read_text())["settings"]
    wait = vocab.index[tokenize(WAIT)[0]]
    eos = vocab.index[eos_id()]
    slips, prompts, p_wait = [], [], []
    for setting in settings:
        worked = {p.question: p.worked for p in get_task(setting["task"]).problems(
            setting["n_done"], seed=0, split="eval")}
        for problem in setting["problems"]:
            reasoning = problem["samples"][0].get("reasoning")
            if problem["correct"] or not reasoning or problem["question"] not in worked:
                continue
            slip = first_slip(reasoning, worked[problem["question"]])
            if slip is None:
                continue
            ids = vocab.compact(tokenize(chat.prompt_text(problem["question"], True) + slip.prefix))
            with torch.no_grad():
                logits = model(input_ids=torch.tensor([ids])).logits
            p_wait.append(full_logprobs(logits[0, -1], vocab)[wait].exp().item())
            slips.append(slip)
            prompts.append(ids)
    report = {"slips": len(slips), "p_wait_mean": statistics.fmean(p_wait) if p_wait else None,
              "p_wait_median": statistics.median(p_wait) if p_wait else None, "sampled": {}}
    for temperature in temperatures:
        generator = torch.Generator().manual_seed(seed)
        rollouts = sample(model, [p for p in prompts for _ in range(samples)], vocab, eos, max_new=max_new,
                          temperature=temperature, generator=generator)
        counts = {"none": 0, "right": 0, "restated": 0, "other": 0}
        for i, rollout in enumerate(rollouts):
            counts[outcome(detokenize(vocab.expand(rollout.completion)), slips[i // samples])] += 1
        report["sampled"][str(temperature)] = {"continuations": len(rollouts), **counts}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("gguf", type=Path)
    parser.add_argument("results", type=Path, help="a greedy `ponder eval` results.json of that model")
    parser.add_argument("--samples", type=int, default=16, help="continuations sampled after each slip")
    parser.add_argument("--temperature", type=float, nargs="+", default=[0.6, 1.0])
    args = parser.parse_args()
    report = probe(args.gguf, args.results, args.samples, args.temperature)
    print(f"{report['slips']} first slips at an equation's value; p({WAIT!r}) after them: "
          f"mean {report['p_wait_mean']:.4f}, median {report['p_wait_median']:.4f}")
    for temperature, counts in report["sampled"].items():
        print(f"T {temperature}: {counts['continuations']} continuations: {counts['none']} no wait, "
              f"{counts['right']} right corrections, {counts['restated']} restate the slip, {counts['other']} other")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
