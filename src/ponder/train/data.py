"""SFT examples: prompt tokens (not learned), then trace, close, answer, end of turn.

Some examples are later turns of a conversation: earlier questions and visible answers
come first, without their reasoning, as ponder sends them. Three kinds of example, as the runtime will meet them: reasoning on with the full trace;
reasoning off (the empty block), answering at once; and the budget running out mid-trace,
where ponder injects its hand-off and the close marker (injected, so not learned) and the
model must still answer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ponder.tasks import Problem
from ponder.train import chat
from ponder.train.vocab import eos_id, tokenize

IGNORE = -100


@dataclass
class Example:
    tokens: list[int]  # full-vocabulary ids
    learn: list[bool]  # which tokens carry loss


def example(problem: Problem, kind: str, rng: random.Random, earlier: tuple[tuple[str, str], ...] = ()) -> Example:
    """One training sequence; `earlier` (question, answer) turns make it a later turn of a chat."""
    think = kind != "direct"
    tokens = tokenize(chat.prompt_text(problem.question, think, earlier))
    learn = [False] * len(tokens)

    def add(text: str, learned: bool) -> None:
        piece = tokenize(text)
        tokens.extend(piece)
        learn.extend([learned] * len(piece))

    if kind == "trace":
        for text, learned in problem.trace:
            add(text, learned)
        add(chat.close_text(), True)
    elif kind == "cut":  # the budget ran out somewhere inside the trace
        trace = tokenize(problem.trace_text)
        cut = rng.randrange(1, len(trace))
        tokens.extend(trace[:cut])
        learn.extend([True] * cut)
        add(chat.HANDOFF, False)
        add(chat.FORMAT.close, False)
        add("\n\n", True)
    add(chat.answer_text(problem.answer), True)
    tokens.append(eos_id())
    learn.append(True)
    return Example(tokens, learn)


def pick_kind(rng: random.Random, direct_share: float, cut_share: float) -> str:
    r = rng.random()
    return "direct" if r < direct_share else "cut" if r < direct_share + cut_share else "trace"
