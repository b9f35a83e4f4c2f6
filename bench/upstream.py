"""upstream: ponder in front of a real vLLM server (its CPU build), pre-warm on and off.

Three users talk to ponder → vLLM in round robin (A1 B1 C1 A2 ...), six turns each, every turn
reasoning first (budget 64, greedy) then answering (about 250 tokens), the server idle between
turns (users read and type). ponder discards each turn's reasoning, so the next prompt leaves
vLLM's cached blocks where the reasoning began; with pre-warm on, ponder sends the canonical
next-turn prompt (one output token) in that idle time, so vLLM's own prefix cache holds it.
Both runs use one vLLM process, its prefix cache reset in between (the same prompts are sent:
greedy answers are alike).

Per later turn: ponder's TTFT, and vLLM's prefix-cache hit rate of that turn's prompt tokens,
read from /metrics (vllm:prefix_cache_hits_total / queries_total) just after its first token,
before any later request of the turn. Also the decode rate of one answer streamed through
ponder against the same token-id request sent to vLLM directly (alternated, median of rounds).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import summary, table
from interleaved import schedule

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.vllm import MODEL_DIR, Vllm  # noqa: E402

from ponder.config import EngineConfig, TurnOptions  # noqa: E402
from ponder.runtime import Runtime  # noqa: E402
from ponder.types import Effort, Message, Role  # noqa: E402

SYSTEM = "You are a patient teacher. Explain things fully, with examples, in several paragraphs."
TOPICS = ["rivers", "volcanoes", "bees"]
ASKS = ["Explain how {} work, in detail.", "What would surprise a child about that?",
        "Tell me the history of how people learned this.", "What mistakes do people often make here?",
        "How would you teach it in a classroom?", "Summarise everything we discussed, at length."]
QUERIES, HITS = "vllm:prefix_cache_queries_total", "vllm:prefix_cache_hits_total"


def ask(user: int, turn: int) -> Message:
    return Message(Role.USER, ASKS[turn % len(ASKS)].format(TOPICS[user % len(TOPICS)]))


def wait_idle(runtime: Runtime) -> None:
    """Until no sequence runs and no warm-up is queued or in flight."""
    while True:
        stats = runtime.engine.stats()
        if not (stats["live_sequences"] or stats["waiting_requests"] or stats["warm_ups"]):
            return
        time.sleep(0.02)


def first_request_hits(vllm: Vllm, runtime: Runtime, messages, options) -> tuple:
    """Run one turn; (result, prompt tokens queried, hit) of its first request, from /metrics."""
    before = vllm.metrics()
    after = None
    for event in runtime.respond(messages, options):
        if after is None:
            time.sleep(0.2)  # the stats of the step that sampled this token land beside it
            after = vllm.metrics()
        result = event
    return result, after[QUERIES] - before[QUERIES], after[HITS] - before[HITS]


def conversation(vllm: Vllm, order, options: TurnOptions, prewarm: bool) -> list[dict]:
    rows = []
    config = EngineConfig(upstream=vllm.url, tokenizer=str(MODEL_DIR), prefix_cache=prewarm)
    with Runtime.load(config) as runtime:
        chats = {user: [Message(Role.SYSTEM, SYSTEM)] for user, _ in order}
        for user, turn in order:
            messages = chats[user] + [ask(user, turn)]
            result, queried, hit = first_request_hits(vllm, runtime, messages, options)
            rows.append({"user": user, "turn": turn, "ttft_s": result.ttft_s, "queried": queried, "hit": hit,
                         "prompt": result.usage.prompt_tokens, "cached": result.usage.cached_tokens,
                         "reasoning": result.usage.reasoning_tokens,
                         "answer": result.usage.completion_tokens - result.usage.reasoning_tokens})
            chats[user] = messages + [Message(Role.ASSISTANT, result.message.content)]
            wait_idle(runtime)
    return rows


def decode_rates(vllm: Vllm, rounds: int, tokens: int) -> dict:
    """Tokens/s of one answer after its first token: through ponder, and sent to vLLM directly."""
    options = TurnOptions(effort=Effort.NONE, max_completion_tokens=tokens, temperature=0)
    messages = [Message(Role.USER, "Write a long story about a lighthouse keeper and a storm.")]
    through, direct = [], []
    config = EngineConfig(upstream=vllm.url, tokenizer=str(MODEL_DIR), prefix_cache=False)
    with Runtime.load(config) as runtime, httpx.Client(base_url=vllm.url, timeout=120) as client:
        prompt = list(runtime.prompt(messages, options).tokens)
        body = {"model": runtime.engine.model, "prompt": prompt, "max_tokens": tokens, "temperature": 0,
                "stream": True}
        for _ in range(rounds):
            stamps, result = [], None
            for event in runtime.respond(messages, options):
                stamps.append(time.perf_counter())
                result = event
            through.append((result.usage.completion_tokens - 1) / (stamps[-2] - stamps[0]))
            stamps, count = [], 0
            with client.stream("POST", "/v1/completions", json=body) as reply:
                for line in reply.iter_lines():
                    if line.startswith("data: {"):
                        stamps.append(time.perf_counter())
                        count += 1
            direct.append((count - 1) / (stamps[-1] - stamps[0]))
    return {"ponder_tok_s": statistics.median(through), "direct_tok_s": statistics.median(direct),
            "tokens": tokens, "rounds": rounds}


def rate(rows, key) -> float:
    queried = sum(row["queried"] for row in rows)
    return sum(row[key] for row in rows) / queried if queried else 0.0


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--answer", type=int, default=250, help="most answer tokens a turn")
    parser.add_argument("--budget", type=int, default=64, help="reasoning tokens a turn")
    parser.add_argument("--rounds", type=int, default=3, help="decode-rate rounds")
    parser.add_argument("--tiny", action="store_true", help="2 users, 2 turns, short answers: a smoke run for CI")
    args = parser.parse_args()
    if args.tiny:
        args.users, args.turns, args.answer, args.budget, args.rounds = 2, 2, 16, 8, 1
    order = schedule(args.users, args.turns)
    options = TurnOptions(reasoning_budget=args.budget, max_completion_tokens=args.budget + args.answer,
                          temperature=0)

    vllm = Vllm(Path(tempfile.mkdtemp(prefix="ponder-bench-")) / "vllm.log", dev_mode=True).start()
    try:
        on = conversation(vllm, order, options, prewarm=True)
        vllm.reset_prefix_cache()
        off = conversation(vllm, order, options, prewarm=False)
        decode = decode_rates(vllm, args.rounds, args.answer)
    finally:
        vllm.stop()

    names = "ABCDEFGH"
    table(["turn", "prompt", "reasoning", "answer", "ttft on s", "ttft off s", "hit on", "hit off"],
          [[f"{names[a['user'] % 8]}{a['turn'] + 1}", a["prompt"], a["reasoning"], a["answer"], a["ttft_s"],
            b["ttft_s"], f"{rate([a], 'hit'):.1%}", f"{rate([b], 'hit'):.1%}"] for a, b in zip(on, off)])
    last = [row for row in on if row["turn"] == args.turns - 1], [row for row in off if row["turn"] == args.turns - 1]
    later = [row for row in on if row["turn"] > 0], [row for row in off if row["turn"] > 0]
    result = {
        "last_turn_hit_rate": {"prewarm": rate(last[0], "hit"), "no_prewarm": rate(last[1], "hit")},
        "last_turn_cached_rate_from_usage": {"prewarm": rate(last[0], "cached"), "no_prewarm": rate(last[1], "cached")},
        "last_turn_ttft_s": {"prewarm": mean(r["ttft_s"] for r in last[0]),
                             "no_prewarm": mean(r["ttft_s"] for r in last[1])},
        "later_turns_hit_rate": {"prewarm": rate(later[0], "hit"), "no_prewarm": rate(later[1], "hit")},
        "later_turns_ttft_s": {"prewarm": mean(r["ttft_s"] for r in later[0]),
                               "no_prewarm": mean(r["ttft_s"] for r in later[1])},
        "decode": decode,
    }
    result["last_turn_ttft_ratio"] = result["last_turn_ttft_s"]["prewarm"] / result["last_turn_ttft_s"]["no_prewarm"]
    result["decode_ratio"] = decode["ponder_tok_s"] / decode["direct_tok_s"]
    print(f"last turn: hit rate {result['last_turn_hit_rate']['prewarm']:.1%} with pre-warm, "
          f"{result['last_turn_hit_rate']['no_prewarm']:.1%} without; ttft {result['last_turn_ttft_ratio']:.2f}x; "
          f"decode through ponder {result['decode_ratio']:.2f}x of vLLM direct")
    summary("upstream", users=args.users, turns=args.turns, answer=args.answer, budget=args.budget, **result)


if __name__ == "__main__":
    main()
