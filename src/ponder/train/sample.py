"""Batched sampling from the torch model with a KV cache, for RL rollouts.

Prompts are left-padded into one batch. Sampling uses the full softmax (train/model.py):
drawing the 'other token' class means the exported model would have left the compact
vocabulary, so that sample ends there, unfinished, and earns no reward.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers import DynamicCache

from ponder.train.model import full_logprobs
from ponder.train.vocab import CompactVocab


@dataclass
class Rollout:
    prompt: list[int]  # compact ids
    completion: list[int]  # compact ids; ends with end-of-turn when finished
    finished: bool


@torch.no_grad()
def sample(model, prompts: list[list[int]], vocab: CompactVocab, eos: int, *, max_new: int,
           temperature: float, generator: torch.Generator) -> list[Rollout]:
    model.eval()
    width = max(len(p) for p in prompts)
    ids = torch.zeros((len(prompts), width), dtype=torch.long)
    mask = torch.zeros((len(prompts), width), dtype=torch.long)
    for row, p in enumerate(prompts):
        ids[row, width - len(p):] = torch.tensor(p)
        mask[row, width - len(p):] = 1
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    cache = DynamicCache()
    out = model(input_ids=ids, attention_mask=mask, position_ids=positions, past_key_values=cache, use_cache=True)
    other = len(vocab)
    completions: list[list[int]] = [[] for _ in prompts]
    done = [False] * len(prompts)
    finished = [False] * len(prompts)
    last_pos = positions[:, -1:]
    for _ in range(max_new):
        logp = full_logprobs(out.logits[:, -1, :], vocab)
        if temperature == 0:  # greedy, as `ponder eval --temperature 0` decodes
            token = logp.argmax(dim=-1, keepdim=True)
        else:
            token = torch.multinomial(torch.softmax(logp / temperature, dim=-1), 1, generator=generator)
        for row, t in enumerate(token[:, 0].tolist()):
            if done[row]:
                continue
            if t == other:
                done[row] = True
                continue
            completions[row].append(t)
            if t == eos:
                done[row] = finished[row] = True
        if all(done):
            break
        token = torch.where(token == other, torch.zeros_like(token), token)
        mask = torch.cat([mask, torch.ones_like(token)], dim=1)
        last_pos = last_pos + 1
        out = model(input_ids=token, attention_mask=mask, position_ids=last_pos, past_key_values=cache, use_cache=True)
    return [Rollout(p, c, f) for p, c, f in zip(prompts, completions, finished)]
