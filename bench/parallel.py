"""parallel: n samples of one prompt at once, against the same samples one after another.

n=8 samples of 128 tokens from one ~400-token prompt (answer phase only, so every sample
decodes the same amount of work), end to end through the Runtime. ponder evaluates the
prompt once, forks it into 8 sequences and decodes them in one batch per step. Baselines:
the 8 samples requested one at a time with the prefix cache on (the prompt is evaluated
once, then reused) and off (each evaluates it).
"""

from __future__ import annotations

import argparse
import time

from common import summary, table

from ponder.config import EngineConfig, TurnOptions
from ponder.runtime import Runtime
from ponder.types import Message, Role

PASSAGE = ("The river rises in the hills, gathers the rain of a thousand valleys, and carries silt, "
           "leaves and stories down to the sea, where the tide meets it twice a day. ")


def prompt(target_tokens: int, runtime: Runtime) -> list[Message]:
    text = PASSAGE
    while len(runtime.prompt_tokens([Message(Role.USER, text)], think=False)) < target_tokens:
        text += PASSAGE
    return [Message(Role.USER, text + "Write a long story that continues this passage.")]


def options(samples: int, tokens: int) -> list[TurnOptions]:
    # effort none: the answer phase only, and the end of turn is banned until text comes;
    # max_completion_tokens fixes the work per sample.
    return [TurnOptions(effort="none", max_completion_tokens=tokens, temperature=0.8, seed=100 + i)
            for i in range(samples)]


def together(runtime: Runtime, messages, settings) -> tuple[float, int]:
    start = time.perf_counter()
    turns = [runtime.respond(messages, s) for s in settings]
    results = [t.collect() for t in turns]
    return time.perf_counter() - start, sum(r.usage.completion_tokens for r in results)


def one_by_one(runtime: Runtime, messages, settings) -> tuple[float, int]:
    start, tokens = time.perf_counter(), 0
    for s in settings:
        tokens += runtime.respond(messages, s).collect().usage.completion_tokens
    return time.perf_counter() - start, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--prompt-tokens", type=int, default=400)
    parser.add_argument("--tiny", action="store_true", help="a smoke run for CI")
    args = parser.parse_args()
    samples, tokens, size = (2, 8, 60) if args.tiny else (args.samples, args.tokens, args.prompt_tokens)
    settings = options(samples, tokens)
    rows = []
    # A fresh engine per mode: each starts with nothing cached and pays for the prompt once.
    for name, run, cache in ((f"ponder n={samples} together", together, True),
                             ("one by one, prefix cache on", one_by_one, True),
                             ("one by one, prefix cache off", one_by_one, False)):
        config = EngineConfig(n_ctx=4096, n_threads=2, n_seq_max=max(8, samples + 1), prefix_cache=cache)
        with Runtime.load(config) as runtime:
            messages = prompt(size, runtime)
            prompt_size = len(runtime.prompt_tokens(messages, think=False))
            rows.append([name, *measure(run, runtime, messages, settings)])
    table(["mode", "wall s", "tokens", "tokens/s"], rows)
    rate = {row[0]: row[3] for row in rows}
    ours = rows[0][3]
    summary("parallel", samples=samples, tokens_per_sample=tokens, prompt_tokens=prompt_size,
            tokens_per_s={"together": ours, "one_by_one_cached": rows[1][3], "one_by_one_uncached": rows[2][3]},
            speedup_vs_one_by_one_cached=ours / rows[1][3], speedup_vs_one_by_one_uncached=ours / rows[2][3],
            target_speedup_at_least=2.5, modes=list(rate))


def measure(run, runtime, messages, settings) -> list:
    wall, tokens = run(runtime, messages, settings)
    return [wall, tokens, tokens / wall]


if __name__ == "__main__":
    main()
