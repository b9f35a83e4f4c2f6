"""Teacher-forced accuracy on gold traces: how well a checkpoint knows each step, without compounding.

The model reads a held-out problem's gold trace and predicts every next token; a wrong guess
does not derail the rest, so this separates "knows the digit facts" from "keeps a 20-step trace
on track". Facts are the numbers after `=` inside a column step (before its ` ->`): the digit
products, carry sums and column sums. The model card quotes it per SFT round:

    python -m ponder.train.recall runs/sft-round1.pt runs/sft-round2.pt --task mul --n 200
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import torch

from ponder.tasks import get_task
from ponder.train import chat
from ponder.train.vocab import detokenize, tokenize

STEP_RESULT = re.compile(r"=(\d+)")


def fact_mask(texts: list[str]) -> list[bool]:
    """For tokens with these texts, which are digits of a column step's results."""
    joined, starts = "", []
    for text in texts:
        starts.append(len(joined))
        joined += text
    marked = set()
    offset = 0
    for line in joined.split("\n"):
        step = line.split(" ->")[0] if " ->" in line else ""
        for match in STEP_RESULT.finditer(step):
            marked.update(range(offset + match.start(1), offset + match.end(1)))
        offset += len(line) + 1
    return [start in marked and text.isdigit() for start, text in zip(starts, texts)]


@torch.no_grad()
def recall(model, vocab, task: str, n: int) -> dict:
    """Share of trace tokens and of fact digits the model predicts right, on n held-out problems."""
    model.eval()
    tokens = right = facts = facts_right = 0
    for problem in get_task(task).problems(n, seed=0, split="eval"):
        prompt = tokenize(chat.prompt_text(problem.question, True))
        trace = tokenize("".join(text for text, _ in problem.trace))
        ids = vocab.compact(prompt + trace)
        predicted = model(input_ids=torch.tensor([ids])).logits[0].argmax(-1).tolist()
        hits = [predicted[len(prompt) + i - 1] == ids[len(prompt) + i] for i in range(len(trace))]
        is_fact = fact_mask([detokenize([t]) for t in trace])
        tokens, right = tokens + len(hits), right + sum(hits)
        facts += sum(is_fact)
        facts_right += sum(h for h, f in zip(hits, is_fact) if f)
    return {"task": task, "problems": n, "trace_tokens": tokens, "trace_accuracy": right / tokens,
            "fact_digits": facts, "fact_accuracy": facts_right / max(1, facts)}


def main(argv: list[str] | None = None) -> None:
    from ponder.train.recipe import RECIPES, load

    parser = argparse.ArgumentParser(prog="python -m ponder.train.recall", description=__doc__.splitlines()[0])
    parser.add_argument("checkpoints", nargs="+", type=Path)
    parser.add_argument("--task", default="mul")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--recipe", default="full", choices=sorted(RECIPES))
    args = parser.parse_args(argv)
    for path in args.checkpoints:
        if not path.is_file():
            parser.error(f"checkpoint not found: {path}")  # one line, exit 2
        model, vocab = load(path, RECIPES[args.recipe])
        r = recall(model, vocab, args.task, args.n)
        print(f"{path}: {r['task']}, {r['problems']} problems: trace tokens {100 * r['trace_accuracy']:.1f}% "
              f"of {r['trace_tokens']}, fact digits {100 * r['fact_accuracy']:.1f}% of {r['fact_digits']}")


if __name__ == "__main__":
    main()
