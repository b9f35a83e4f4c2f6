"""multiturn: time to first token of each turn of a 10-turn reasoning conversation.

Three systems on the same prompts, one process, the embedded model, 2 threads:
  ponder         prefix cache + canonical re-prefill of each finished turn (in the pause
                 between turns, as a user's typing gives it)
  ponder-nocache the same engine with prefix reuse off
  llama-cpp-py   llama-cpp-python's high-level Llama on the same prompt text, generating the
                 same number of tokens (it reuses its one sequence's longest prefix; the
                 discarded reasoning breaks it at the previous answer). create_completion is
                 used, not create_chat_completion: the chat API cannot open the reasoning block,
                 so that model would not reason and would have no reasoning to discard.
and the time to prefill the last turn's new message alone, on a warm cache.
"""

from __future__ import annotations

import argparse
import time

from common import high_level_llama, summary, table

from ponder.config import EngineConfig, TurnOptions
from ponder.models.registry import resolve_model
from ponder.runtime import Runtime
from ponder.types import Message, Role

TOPICS = ["rivers", "volcanoes", "bees", "glaciers", "deserts", "coral reefs", "the moon", "rainforests",
          "thunderstorms", "tides"]


def run_ponder(config: EngineConfig, turns: int, options: TurnOptions, replay: list[list[Message]] | None):
    """Per turn: (ttft_s, prompt_tokens, cached_tokens); and the conversations it sent."""
    rows, sent = [], []
    with Runtime.load(config) as runtime:
        conversation: list[Message] = []
        for turn in range(turns):
            messages = replay[turn] if replay else conversation + [Message(Role.USER, question(turn))]
            result = runtime.respond(messages, options).collect()
            rows.append((result.ttft_s, result.usage.prompt_tokens, result.usage.cached_tokens,
                         result.usage.completion_tokens))
            sent.append(list(messages))
            conversation = messages + [result.message]
            wait_idle(runtime)
        texts = [runtime.render(messages, think=True) for messages in sent]
        last_prompt = runtime.prompt_tokens(sent[-1], think=True)
    return rows, sent, (last_prompt, texts)


def question(turn: int) -> str:
    return f"Write a detailed essay of about 200 words about {TOPICS[turn % len(TOPICS)]}."


def wait_idle(runtime: Runtime) -> None:
    for _ in range(1000):
        stats = runtime.engine.stats()
        if not (stats["live_sequences"] or stats["waiting_requests"] or stats["warm_ups"]):
            return
        time.sleep(0.01)


def prefill_new_message_alone(prompt: list[int], cached: int, config: EngineConfig) -> float:
    """Bare llama.cpp: the history already in the cache, time evaluating only the new tokens
    and sampling one: the floor any engine's time to first token has on this turn."""
    import llama_cpp as ll

    from ponder.engine.llama_model import load

    loaded = load(resolve_model(None), config)
    try:
        batch = ll.llama_batch_init(512, 0, 1)
        decode(loaded, batch, prompt[:cached], 0, logits=False)
        start = time.perf_counter()
        decode(loaded, batch, prompt[cached:], cached, logits=True)
        sampler = ll.llama_sampler_init_greedy()
        ll.llama_sampler_sample(sampler, loaded.ctx, -1)
        elapsed = time.perf_counter() - start
        ll.llama_sampler_free(sampler)
        ll.llama_batch_free(batch)
        return elapsed
    finally:
        loaded.free()


def decode(loaded, batch, tokens: list[int], start: int, logits: bool) -> None:
    import llama_cpp as ll

    for offset in range(0, len(tokens), 512):
        chunk = tokens[offset : offset + 512]
        for i, token in enumerate(chunk):
            batch.token[i], batch.pos[i] = token, start + offset + i
            batch.n_seq_id[i], batch.seq_id[i][0] = 1, 0
            batch.logits[i] = logits and offset + i == len(tokens) - 1
        batch.n_tokens = len(chunk)
        assert ll.llama_decode(loaded.ctx, batch) == 0


def run_llama_cpp_python(prompts: list[str], completions: list[int], ctx: int, threads: int) -> list[float]:
    llm = high_level_llama(str(resolve_model(None)), ctx, threads)
    ttfts = []
    for text, completion in zip(prompts, completions):
        start = time.perf_counter()
        first = None
        for _ in llm.create_completion(text, stream=True, max_tokens=completion, temperature=0):
            if first is None:
                first = time.perf_counter() - start
        ttfts.append(first)
    return ttfts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--answer-tokens", type=int, default=200)
    parser.add_argument("--tiny", action="store_true", help="3 short turns: a smoke run for CI")
    args = parser.parse_args()
    turns, answer = (3, 24) if args.tiny else (args.turns, args.answer_tokens)
    options = TurnOptions(reasoning_budget=48, max_completion_tokens=48 + answer, temperature=0)
    config = EngineConfig(n_ctx=4096, n_threads=2)

    ponder, sent, (last_prompt, texts) = run_ponder(config, turns, options, None)
    new_only = prefill_new_message_alone(last_prompt, ponder[-1][2], config)
    first_token_only = TurnOptions(reasoning_budget=48, max_completion_tokens=1, temperature=0)
    nocache, _, _ = run_ponder(EngineConfig(n_ctx=4096, n_threads=2, prefix_cache=False), turns, first_token_only,
                               sent)
    baseline = run_llama_cpp_python(texts, [r[3] for r in ponder], 4096, 2)

    rows = [[i + 1, p[1], p[2], p[0], n[0], b] for i, (p, n, b) in enumerate(zip(ponder, nocache, baseline))]
    table(["turn", "prompt", "cached", "ponder ttft s", "no-cache ttft s", "llama-cpp-py ttft s"], rows)
    last = rows[-1]
    print(f"last turn: its {last[1] - last[2]} new tokens alone prefill (bare llama.cpp) in {new_only:.3f} s")
    summary(
        "multiturn",
        turns=turns,
        last_turn_prompt_tokens=last[1],
        last_turn_cached_tokens=last[2],
        ttft_s={"ponder": last[3], "ponder_nocache": last[4], "llama_cpp_python": last[5],
                "new_message_alone": new_only},
        speedup_vs_nocache=last[4] / last[3],
        speedup_vs_llama_cpp_python=last[5] / last[3],
        ratio_to_new_message_alone=last[3] / new_only,
        targets={"speedup_vs_both_at_least": 5.0, "ratio_to_new_message_alone_at_most": 1.5},
    )


if __name__ == "__main__":
    main()
