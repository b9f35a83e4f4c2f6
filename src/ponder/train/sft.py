"""Stage 1: supervised fine-tuning on worked traces (plain torch loop, AdamW, cosine LR).

A hand loop rather than TRL's SFTTrainer: TRL computes the full 49k-vocabulary logits,
which on this model cost ~5x the rest of it; the compact head (train/vocab.py) cannot be
expressed through TRL's trainers. Everything else is transformers + torch.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable

import torch
import torch.nn.functional as F

from ponder.train.batches import batches
from ponder.train.data import IGNORE, Example
from ponder.train.model import full_logprobs
from ponder.train.vocab import CompactVocab


def lr_at(step: int, total: int, peak: float, warmup: int) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def sequence_loss(model, ids, labels, mask, vocab: CompactVocab) -> torch.Tensor:
    logits = model(input_ids=ids, attention_mask=mask).logits
    logp = full_logprobs(logits, vocab)
    return F.nll_loss(logp.flatten(0, 1), labels.flatten(), ignore_index=IGNORE)


def train(
    model,
    examples: list[Example],
    vocab: CompactVocab,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    log: Callable[[dict], None],
    time_limit_s: float | None = None,
) -> dict:
    rng = random.Random(seed)
    total = epochs * math.ceil(len(examples) / batch_size)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.1, betas=(0.9, 0.95))
    model.train()
    step, started, seen_tokens, recent = 0, time.perf_counter(), 0, []
    for epoch in range(epochs):
        for ids, labels, mask in batches(examples, batch_size, vocab, rng):
            for group in opt.param_groups:
                group["lr"] = lr_at(step, total, lr, warmup=max(1, total // 20))
            loss = sequence_loss(model, ids, labels, mask, vocab)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            seen_tokens += int(mask.sum())
            recent.append(loss.item())
            if step % 50 == 0 or step == total:
                elapsed = time.perf_counter() - started
                log({"stage": "sft", "step": step, "of": total, "epoch": epoch, "loss": sum(recent) / len(recent),
                     "tokens_per_s": seen_tokens / elapsed, "elapsed_s": elapsed})
                recent = []
            if time_limit_s and time.perf_counter() - started > time_limit_s:
                log({"stage": "sft", "stopped": "time limit", "step": step})
                return {"steps": step, "tokens": seen_tokens, "seconds": time.perf_counter() - started}
    return {"steps": step, "tokens": seen_tokens, "seconds": time.perf_counter() - started}
