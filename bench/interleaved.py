"""interleaved: several users' conversations, one engine, turns taken in round robin.

Every conversation opens with the same system prompt (as one app's users do), then each user
asks a question in turn: A1 B1 C1 A2 B2 C2 ... Each later turn should evaluate only its new
message, whoever spoke in between: the prefix cache must keep every conversation's history
and share the system prompt, not let the next user's prompt overwrite the slot of the last.
Reasoning is on (budget 32, greedy), answers up to 64 tokens, the engine idle between turns
(users read and type). Three systems, one process, the embedded model, 2 threads:
  ponder          prefix cache, 8 slots, canonical re-prefill of each finished turn
  ponder-nocache  the same engine with prefix reuse off
  llama-cpp-py    llama-cpp-python's high-level Llama on the same prompt texts, generating as
                  many tokens (it caches one sequence: the previous speaker's)
Reported over the later turns (2 and on): tokens evaluated per turn, and mean time to first token.
"""

from __future__ import annotations

import argparse

from common import summary, table
from multiturn import run_llama_cpp_python, wait_idle

from ponder.config import EngineConfig, TurnOptions
from ponder.runtime import Runtime
from ponder.types import Message, Role

# An app's system prompt, of the length real ones have: every conversation starts with it.
SYSTEM = " ".join([
    "You are the help desk of the Riverside Public Library. Answer in two or three plain sentences.",
    "Opening hours: 9 to 5 from Monday to Saturday, closed on Sundays and public holidays.",
    "Loans: books for three weeks, films and music for one week, renewable twice online or at the desk",
    "unless another reader has reserved the item. Late returns cost 20 cents a day, at most 5 dollars an item.",
    "Library cards are free for residents; visitors pay 10 dollars a year. Children under 12 need a parent",
    "to sign their card form. The children's room is on the ground floor, non-fiction on the first floor,",
    "fiction and the reading room on the second. Printing costs 10 cents a page; the computers are free",
    "for one hour a day. Reservations are free and the library holds a reserved item for seven days.",
    "Never invent a book, a service or a rule that is not listed here; when unsure, say so and suggest",
    "asking a librarian at the desk.",
])
TOPICS = ["rivers", "volcanoes", "bees", "glaciers", "deserts", "tides", "the moon", "coral reefs"]
ASKS = ["Which books do you have about {}?", "Is there one for children?", "Can I borrow it for a month?",
        "What else would you suggest?", "Thank you. Anything on the history of {}?"]


def schedule(users: int, turns: int) -> list[tuple[int, int]]:
    """(user, turn) in the order they speak: round robin."""
    return [(user, turn) for turn in range(turns) for user in range(users)]


def ask(user: int, turn: int) -> Message:
    return Message(Role.USER, ASKS[turn % len(ASKS)].format(TOPICS[user % len(TOPICS)]))


def run_ponder(config: EngineConfig, order, options: TurnOptions, replay: dict | None):
    """Per spoken turn: (ttft_s, prompt_tokens, cached_tokens, completion_tokens, new_tokens);
    and what was sent. new_tokens: the prompt beyond the conversation's history so far, the
    least any cache has to evaluate."""
    rows, sent = [], {}
    with Runtime.load(config) as runtime:
        chats = {user: [Message(Role.SYSTEM, SYSTEM)] for user, _ in order}
        texts = []
        for user, turn in order:
            messages = replay[(user, turn)] if replay else chats[user] + [ask(user, turn)]
            result = runtime.respond(messages, options).collect()
            shown = [Message(m.role, m.content) for m in messages[:-1]]  # reasoning is discarded
            history = len(runtime.history_tokens(shown, think=True))
            rows.append((result.ttft_s, result.usage.prompt_tokens, result.usage.cached_tokens,
                         result.usage.completion_tokens, result.usage.prompt_tokens - history))
            sent[(user, turn)] = list(messages)
            texts.append(runtime.render(messages, think=True))
            chats[user] = messages + [result.message]
            wait_idle(runtime)
    return rows, sent, texts


def later(rows: list, order) -> list:
    return [row for row, (_, turn) in zip(rows, order) if turn > 0]


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--turns", type=int, default=4)
    parser.add_argument("--ctx", type=int, default=4096,
                        help="the window, and the KV pool every user's cached history shares")
    parser.add_argument("--tiny", action="store_true", help="2 users, 2 turns: a smoke run for CI")
    args = parser.parse_args()
    users, turns = (2, 2) if args.tiny else (args.users, args.turns)
    order = schedule(users, turns)
    options = TurnOptions(reasoning_budget=32, max_completion_tokens=96, temperature=0)

    ponder, sent, texts = run_ponder(EngineConfig(n_ctx=args.ctx, kv_cells=args.ctx, n_threads=2), order, options, None)
    first_token_only = TurnOptions(reasoning_budget=32, max_completion_tokens=1, temperature=0)
    nocache, _, _ = run_ponder(EngineConfig(n_ctx=args.ctx, kv_cells=args.ctx, n_threads=2, prefix_cache=False), order,
                               first_token_only, sent)
    baseline = run_llama_cpp_python(texts, [row[3] for row in ponder], args.ctx, 2)

    names = "ABCDEFGH"
    rows = [[f"{names[user % 8]}{turn + 1}", p[1], p[4], p[1] - p[2], p[0], n[0], b]
            for (user, turn), p, n, b in zip(order, ponder, nocache, baseline)]
    table(["turn", "prompt", "new", "ponder evaluated", "ponder ttft s", "no-cache ttft s", "llama-cpp-py ttft s"],
          rows)
    tail = later(rows, order)
    prompt, new, evaluated = (mean(row[i] for row in tail) for i in (1, 2, 3))
    ttft = {"ponder": mean(row[4] for row in tail), "ponder_nocache": mean(row[5] for row in tail),
            "llama_cpp_python": mean(row[6] for row in tail)}
    print(f"later turns: ponder evaluates {evaluated:.1f} of {prompt:.1f} prompt tokens a turn "
          f"({new:.1f} new); "
          f"mean ttft ponder {ttft['ponder']:.3f} s, no cache {ttft['ponder_nocache']:.3f} s, "
          f"llama-cpp-python {ttft['llama_cpp_python']:.3f} s")
    summary(
        "interleaved",
        users=users,
        turns=turns,
        ctx=args.ctx,
        later_turns_mean_prompt_tokens=prompt,
        later_turns_mean_new_tokens=new,
        later_turns_mean_evaluated_tokens=evaluated,
        later_turns_mean_ttft_s=ttft,
        speedup_vs_nocache=ttft["ponder_nocache"] / ttft["ponder"],
        speedup_vs_llama_cpp_python=ttft["llama_cpp_python"] / ttft["ponder"],
    )


if __name__ == "__main__":
    main()
