"""The small reasoner: a Llama-architecture transformer (transformers' LlamaForCausalLM).

It runs over the compact vocabulary (train/vocab.py); `full_logprobs` adds the one logit
that stands for all other tokens, so losses and sampling see exactly the softmax that the
exported full-vocabulary GGUF computes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from transformers import LlamaConfig, LlamaForCausalLM

from ponder.train.vocab import CompactVocab


@dataclass(frozen=True)
class Shape:
    hidden: int = 192
    layers: int = 6
    heads: int = 6
    ffn: int = 512
    max_positions: int = 1024
    rope_theta: float = 10000.0
    norm_eps: float = 1e-5


def build(shape: Shape, vocab: CompactVocab, seed: int) -> LlamaForCausalLM:
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=shape.hidden,
        intermediate_size=shape.ffn,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        num_key_value_heads=shape.heads,
        max_position_embeddings=shape.max_positions,
        rope_theta=shape.rope_theta,
        rms_norm_eps=shape.norm_eps,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=None,
        pad_token_id=None,
    )
    return LlamaForCausalLM(config)


def full_logprobs(logits: torch.Tensor, vocab: CompactVocab) -> torch.Tensor:
    """Log-probabilities over the compact ids plus a last column for 'any other token'."""
    other = logits.new_full((*logits.shape[:-1], 1), vocab.other_logit)
    return torch.log_softmax(torch.cat([logits, other], dim=-1), dim=-1)


def shape_dict(shape: Shape) -> dict:
    return asdict(shape)
