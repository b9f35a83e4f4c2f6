"""strategies: the wall time of vote@N against one sample, and against N samples chained.

One Runtime in this process on ponder-reasoner, effort low, held-out multiplication problems,
one request at a time. Per problem, side by side: a single turn; vote@N (N sequences from one
shared prompt, batched in the engine); and N single turns one after another, as a proxy that
chains upstream calls would spend them. The target: vote@N at most 3x a single sample's time.
"""

from __future__ import annotations

import argparse
import os
import time

from common import summary, table

from ponder.answers import is_correct
from ponder.config import EngineConfig, TurnOptions
from ponder.runtime import Runtime
from ponder.strategies import Vote
from ponder.tasks.registry import get_task
from ponder.types import Message, Role


def timed(runtime: Runtime, question: str, options: TurnOptions, strategy=None):
    start = time.perf_counter()
    result = runtime.respond([Message(Role.USER, question)], options, strategy=strategy).collect()
    return time.perf_counter() - start, result


def chained(runtime: Runtime, question: str, options: TurnOptions, n: int):
    """n separate single turns, seeds apart, each waiting for the one before."""
    wall, tokens = 0.0, 0
    for i in range(n):
        seed = options.seed + i
        spent, result = timed(runtime, question, TurnOptions(effort=options.effort, seed=seed))
        wall, tokens = wall + spent, tokens + result.usage.completion_tokens
    return wall, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", type=int, default=20)
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--task", default="mul")
    parser.add_argument("--tiny", action="store_true", help="a smoke run for CI")
    args = parser.parse_args()
    problems, n = (2, 2) if args.tiny else (args.problems, args.n)
    config = EngineConfig(model="ponder-reasoner", kv_cells=8192, n_threads=2, n_seq_max=n + 1)
    rows, walls = [], {"single": [], "vote": [], "chained": []}
    right = {"single": 0, "vote": 0}
    with Runtime.load(config) as runtime:
        timed(runtime, "What is 1 + 1?", TurnOptions(effort="low", seed=0))  # warm the process
        for index, problem in enumerate(get_task(args.task).problems(problems, seed=11)):
            options = TurnOptions(effort="low", seed=1000 * index)
            single_s, single = timed(runtime, problem.question, options)
            vote_s, voted = timed(runtime, problem.question, options, Vote(n))
            chained_s, chained_tokens = chained(runtime, problem.question, options, n)
            walls["single"].append(single_s)
            walls["vote"].append(vote_s)
            walls["chained"].append(chained_s)
            right["single"] += is_correct(single.message.content, problem.answer)
            right["vote"] += is_correct(voted.message.content, problem.answer)
            rows.append([index, single_s, vote_s, chained_s, vote_s / single_s, single.usage.completion_tokens,
                         voted.usage.completion_tokens, chained_tokens])
    table(["problem", "single s", f"vote@{n} s", f"{n} chained s", "vote/single", "single tok", "vote tok",
           "chained tok"], rows)
    total = {name: sum(values) for name, values in walls.items()}
    ratio = total["vote"] / total["single"]
    print(f"vote@{n} / single = {ratio:.2f}x wall time; {n} chained / vote@{n} = {total['chained'] / total['vote']:.2f}x")
    summary("strategies", task=args.task, problems=problems, n=n, wall_s=total,
            vote_over_single=ratio, chained_over_vote=total["chained"] / total["vote"],
            accuracy={name: count / problems for name, count in right.items()}, target_vote_over_single_at_most=3.0)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
