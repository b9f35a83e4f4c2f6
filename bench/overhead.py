"""overhead: ponder's single-stream decode speed against a bare llama_decode loop.

The same model, threads and greedy sampler; the bare loop decodes one token per
llama_decode and samples with a native greedy chain, nothing else. ponder's tokens/s counts
from its first sampled token to its last (the prompt excluded), through the whole Runtime:
engine thread, scheduler, reasoning loop, marker scanner and event queue.
"""

from __future__ import annotations

import argparse
import statistics
import time

import llama_cpp as ll
from common import summary, table

from ponder.config import EngineConfig, TurnOptions
from ponder.engine.llama_model import load
from ponder.models.registry import resolve_model
from ponder.runtime import Runtime
from ponder.types import Message, Role

QUESTION = [Message(Role.USER, "Write a long story about a lighthouse keeper and the sea.")]


def bare(prompt: list[int], tokens: int, config: EngineConfig) -> float:
    loaded = load(resolve_model(None), config)
    batch = ll.llama_batch_init(512, 0, 1)
    sampler = ll.llama_sampler_chain_init(ll.llama_sampler_chain_default_params())
    ll.llama_sampler_chain_add(sampler, ll.llama_sampler_init_greedy())
    try:
        put(batch, prompt, 0)
        assert ll.llama_decode(loaded.ctx, batch) == 0
        token = ll.llama_sampler_sample(sampler, loaded.ctx, -1)
        start = time.perf_counter()
        for step in range(tokens - 1):
            put(batch, [token], len(prompt) + step)
            assert ll.llama_decode(loaded.ctx, batch) == 0
            token = ll.llama_sampler_sample(sampler, loaded.ctx, -1)
        return (tokens - 1) / (time.perf_counter() - start)
    finally:
        ll.llama_sampler_free(sampler)
        ll.llama_batch_free(batch)
        loaded.free()


def put(batch, tokens: list[int], start: int) -> None:
    for i, token in enumerate(tokens):
        batch.token[i], batch.pos[i], batch.n_seq_id[i], batch.seq_id[i][0] = token, start + i, 1, 0
        batch.logits[i] = i == len(tokens) - 1
    batch.n_tokens = len(tokens)


def ours(runtime: Runtime, tokens: int) -> tuple[float, int]:
    options = TurnOptions(effort="none", max_completion_tokens=tokens, temperature=0)
    result = runtime.respond(QUESTION, options).collect()
    decoded = result.usage.completion_tokens
    return (decoded - 1) / (result.elapsed_s - result.ttft_s), decoded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tiny", action="store_true", help="a smoke run for CI")
    args = parser.parse_args()
    tokens, rounds = (16, 1) if args.tiny else (args.tokens, args.rounds)
    config = EngineConfig(n_ctx=2048, n_threads=2, prefix_cache=False)
    ponder_rates, bare_rates = [], []
    with Runtime.load(config) as runtime:
        prompt = runtime.prompt_tokens(QUESTION, think=False)
        for _ in range(rounds):  # alternate, so drift in the machine hits both alike
            rate, decoded = ours(runtime, tokens)
            ponder_rates.append(rate)
            bare_rates.append(bare(prompt, decoded, config))
    rows = [[i + 1, p, b, p / b] for i, (p, b) in enumerate(zip(ponder_rates, bare_rates))]
    table(["round", "ponder tok/s", "bare tok/s", "ratio"], rows)
    ratio = statistics.median(p / b for p, b in zip(ponder_rates, bare_rates))
    summary("overhead", tokens=tokens, rounds=rounds, ponder_tokens_per_s=statistics.median(ponder_rates),
            bare_tokens_per_s=statistics.median(bare_rates), ratio=ratio, target_ratio_at_least=0.95)


if __name__ == "__main__":
    main()
