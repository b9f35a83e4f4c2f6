"""Pad examples of similar length into batches: little padding, so little wasted compute."""

from __future__ import annotations

import random

import torch

from ponder.train.data import IGNORE, Example
from ponder.train.vocab import CompactVocab


def batches(examples: list[Example], size: int, vocab: CompactVocab, rng: random.Random):
    """Yield (input_ids, labels, attention_mask) tensors; similar lengths share a batch."""
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].tokens))
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(groups)
    for group in groups:
        yield collate([examples[i] for i in group], vocab)


def collate(examples: list[Example], vocab: CompactVocab):
    width = max(len(e.tokens) for e in examples)
    ids = torch.zeros((len(examples), width), dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, e in enumerate(examples):
        compact = vocab.compact(e.tokens)
        ids[row, : len(compact)] = torch.tensor(compact)
        mask[row, : len(compact)] = 1
        # label at t is the token at t+1, learned only where the example says so
        for t in range(len(compact) - 1):
            if e.learn[t + 1]:
                labels[row, t] = compact[t + 1]
    return ids, labels, mask
