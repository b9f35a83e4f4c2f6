"""A reasoning summary, cut from the reasoning itself: its conclusion, not a second generation.

Reasoning models end their thinking where they settle the answer, so the last sentences of the
block are its conclusion; a summary is those sentences, as many as the level allows. It costs
no tokens and no time (a second phase that asks the model to summarize would cost a prefill of
the reasoning and a short generation per turn, and a 135M model summarizes no better than its
own last sentences). The hand-off ponder forces when the budget runs out is not the model's
conclusion and is left out.
"""

from __future__ import annotations

import re

from ponder.config import DEFAULT_HANDOFF

LEVELS = {"concise": (1, 240), "auto": (2, 480), "detailed": (4, 1200)}  # sentences, characters
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def summarize(reasoning: str, level: str = "auto") -> str:
    """The reasoning's last sentences (whole ones first, at most the level's length)."""
    sentences_wanted, most = LEVELS.get(level, LEVELS["auto"])
    text = reasoning.replace(DEFAULT_HANDOFF.strip(), "").strip()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    if not paragraphs:
        return ""
    sentences = [s.strip() for s in SENTENCE_END.split(" ".join(paragraphs[-1].split())) if s.strip()]
    chosen: list[str] = []
    for sentence in reversed(sentences):
        if chosen and (len(chosen) >= sentences_wanted or len(" ".join([sentence, *chosen])) > most):
            break
        chosen.insert(0, sentence)
    summary = " ".join(chosen)
    return summary if len(summary) <= most else "…" + summary[len(summary) - most + 1:].lstrip()
