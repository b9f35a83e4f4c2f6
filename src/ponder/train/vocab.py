"""SmolLM2's tokenizer, and the compact vocabulary the small reasoner trains over.

The reasoner keeps SmolLM2's 49,152-token vocabulary, but its problems use a few hundred of
those tokens. Training computes logits for that compact set only, plus one fixed logit
that stands for every other token: exported, those tokens get all-zero embedding rows, so
their logits are exactly 0 and together weigh log(n_other) — the same softmax, exactly,
at a fraction of the cost (the 49k-row output layer would otherwise be ~5x the model).
"""

from __future__ import annotations

import functools
import math

import llama_cpp

from ponder.models.registry import resolve_model

BASE_MODEL = "smollm2"  # whose tokenizer and tokenizer metadata the reasoner inherits


@functools.cache
def base_vocab() -> llama_cpp.Llama:
    return llama_cpp.Llama(str(resolve_model(BASE_MODEL)), vocab_only=True, verbose=False)


def tokenize(text: str) -> list[int]:
    """As the runtime does it: special tokens parsed, no BOS (SmolLM2 adds none)."""
    return base_vocab().tokenize(text.encode(), add_bos=False, special=True)


def detokenize(tokens: list[int]) -> str:
    return base_vocab().detokenize(tokens, special=True).decode("utf-8", errors="replace")


def full_size() -> int:
    return base_vocab().n_vocab()


def eos_id() -> int:
    return base_vocab().token_eos()


class CompactVocab:
    """The token ids the reasoner knows, in a fixed order, and the rest as one class."""

    def __init__(self, ids: list[int], full: int):
        self.ids = sorted(set(ids))
        self.full = full
        self.index = {token: i for i, token in enumerate(self.ids)}
        self.other_logit = math.log(full - len(self.ids))  # n_other tokens of logit 0

    def __len__(self) -> int:
        return len(self.ids)

    def compact(self, tokens: list[int]) -> list[int]:
        return [self.index[t] for t in tokens]

    def expand(self, compact: list[int]) -> list[int]:
        return [self.ids[c] for c in compact]

    @classmethod
    def covering(cls, token_lists) -> CompactVocab:
        seen = {eos_id()}
        for tokens in token_lists:
            seen.update(tokens)
        return cls(sorted(seen), full_size())
