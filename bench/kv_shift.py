"""kv_shift: how far approximate KV reuse drifts from exact re-prefill.

After a turn, the cache holds [prompt, <think> reasoning </think>, answer]; the next turn
sends [history, answer, new message]. Exact reuse (ponder's default) evaluates the answer
again at its true positions. The approximate way deletes the reasoning cells and shifts the
answer's cells into place (llama_memory_seq_rm + seq_add), optionally evaluating the first K
answer tokens again; its answer KV still carries what it attended to in the reasoning.

For each conversation and K this prints the KL divergence KL(exact || shifted) of the
next-token distributions, at the first position of the next turn and over 16 following
positions (teacher-forced on the exact greedy tokens), and how often the greedy tokens agree.
"""

from __future__ import annotations

import argparse

import llama_cpp as ll
import numpy as np
from common import summary, table

from ponder.config import EngineConfig, TurnOptions
from ponder.engine.kvcache import common_prefix
from ponder.engine.llama_model import load
from ponder.models.registry import resolve_model
from ponder.runtime import Runtime
from ponder.types import Message, Role

PAIRS = [("What is 12+7?", "Now multiply that by 3."), ("Name a fruit.", "What colour is it?"),
         ("Why is the sky blue?", "Say it in one sentence."), ("What is a prime number?", "Give an example."),
         ("Who wrote Hamlet?", "When was it written?"), ("What do bees make?", "How do they make it?"),
         ("What is 9 times 8?", "Is that even?"), ("Name a planet.", "How far is it from the sun?")]
EXACT, SHIFT, SCRATCH = 0, 1, 2
FOLLOW = 16


class Cache:
    """The low-level llama.cpp context, three sequences: exact, shifted, scratch."""

    def __init__(self):
        self.loaded = load(resolve_model(None), EngineConfig(n_ctx=4096, n_threads=2, n_seq_max=3))
        self.memory = ll.llama_get_memory(self.loaded.ctx)
        self.batch = ll.llama_batch_init(512, 0, 3)
        self.n_vocab = ll.llama_vocab_n_tokens(self.loaded.vocab)

    def decode(self, entries: list[tuple[int, int, int, bool]]) -> list[np.ndarray]:
        """entries: (seq, token, position, want logits); returns the wanted logits in order."""
        for i, (seq, token, pos, want) in enumerate(entries):
            self.batch.token[i], self.batch.pos[i] = token, pos
            self.batch.n_seq_id[i], self.batch.seq_id[i][0], self.batch.logits[i] = 1, seq, want
        self.batch.n_tokens = len(entries)
        assert ll.llama_decode(self.loaded.ctx, self.batch) == 0
        return [np.ctypeslib.as_array(ll.llama_get_logits_ith(self.loaded.ctx, i), shape=(self.n_vocab,)).copy()
                for i, entry in enumerate(entries) if entry[3]]

    def feed(self, seq: int, tokens: list[int], start: int) -> np.ndarray | None:
        out = None
        for offset in range(0, len(tokens), 256):
            chunk = tokens[offset : offset + 256]
            last = offset + len(chunk) == len(tokens)
            entries = [(seq, t, start + offset + i, last and i == len(chunk) - 1) for i, t in enumerate(chunk)]
            got = self.decode(entries)
            out = got[0] if got else out
        return out


def kl(p_logits: np.ndarray, q_logits: np.ndarray) -> float:
    p, q = softmax(p_logits), softmax(q_logits)
    return float(np.sum(p * (np.log(p + 1e-30) - np.log(q + 1e-30))))


def softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max())
    return e / e.sum()


_turns: dict[str, object] = {}


def first_turn(runtime: Runtime, conversation: list[Message]):
    """Turn 1 of a conversation, generated once and shared by every K."""
    key = conversation[0].content
    if key not in _turns:
        _turns[key] = runtime.respond(conversation, TurnOptions(effort="low", temperature=0)).collect()
    return _turns[key]


def measure(cache: Cache, runtime: Runtime, first: str, second: str, k: int) -> tuple[list[float], list[bool]]:
    conversation = [Message(Role.USER, first)]
    turn = first_turn(runtime, conversation)
    prompt = runtime.prompt_tokens(conversation, think=True)
    thought = runtime.engine.tokenize(turn.message.reasoning + "\n</think>\n\n", special=False)
    answer = runtime.engine.tokenize(turn.message.content, special=False)
    nxt = runtime.prompt_tokens(conversation + [Message(Role.ASSISTANT, turn.message.content),
                                                Message(Role.USER, second)], think=True)
    ll.llama_memory_clear(cache.memory, True)
    exact_logits = cache.feed(EXACT, nxt, 0)
    shifted_logits = shifted(cache, prompt, thought, answer, nxt, k)
    kls, agree = [kl(exact_logits, shifted_logits)], [exact_logits.argmax() == shifted_logits.argmax()]
    position = len(nxt)
    for _ in range(FOLLOW):  # teacher-forced on the exact greedy path
        token = int(exact_logits.argmax())
        exact_logits, shifted_logits = cache.decode([(EXACT, token, position, True), (SHIFT, token, position, True)])
        kls.append(kl(exact_logits, shifted_logits))
        agree.append(exact_logits.argmax() == shifted_logits.argmax())
        position += 1
    return kls, agree


def shifted(cache: Cache, prompt, thought, answer, nxt, k: int) -> np.ndarray:
    """The cache of turn 1 with its reasoning cut out and the answer shifted into place."""
    base = common_prefix(prompt, nxt)  # the history up to "assistant\n": shared by both turns
    cache.feed(SHIFT, prompt + thought + answer, 0)
    gone = len(prompt) + len(thought) - base
    k = min(k, len(answer))
    if k:
        ll.llama_memory_seq_cp(cache.memory, SHIFT, SCRATCH, 0, base)
        cache.feed(SCRATCH, answer[:k], base)
    ll.llama_memory_seq_rm(cache.memory, SHIFT, base, base + gone + k)
    ll.llama_memory_seq_add(cache.memory, SHIFT, base + gone + k, -1, -gone)
    if k:
        ll.llama_memory_seq_cp(cache.memory, SCRATCH, SHIFT, base, base + k)
        ll.llama_memory_seq_rm(cache.memory, SCRATCH, -1, -1)
    held = nxt[:base] + answer
    reuse = common_prefix(nxt, held)
    ll.llama_memory_seq_rm(cache.memory, SHIFT, reuse, -1)
    return cache.feed(SHIFT, nxt[reuse:], reuse)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ks", default="0,1,4,16")
    parser.add_argument("--tiny", action="store_true", help="two conversations, K=0: a smoke run")
    args = parser.parse_args()
    pairs, ks = (PAIRS[:2], [0]) if args.tiny else (PAIRS, [int(k) for k in args.ks.split(",")])
    cache = Cache()
    rows, results = [], {}
    with Runtime.load(EngineConfig(n_ctx=4096, n_threads=2)) as runtime:
        for k in ks:
            first_kl, all_kl, agreement = [], [], []
            for first, second in pairs:
                kls, agree = measure(cache, runtime, first, second, k)
                first_kl.append(kls[0])
                all_kl += kls
                agreement += agree
            row = [k, float(np.mean(first_kl)), float(np.mean(all_kl)), float(np.mean(agreement))]
            rows.append(row)
            results[str(k)] = {"kl_first": row[1], "kl_mean": row[2], "top1_agreement": row[3]}
    table(["K re-evaluated", "KL first token", f"KL mean ({FOLLOW + 1} pos)", "greedy agreement"], rows)
    summary("kv_shift", conversations=len(pairs), positions_per_conversation=FOLLOW + 1, by_k=results)


if __name__ == "__main__":
    main()
