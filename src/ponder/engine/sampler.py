"""Native llama.cpp sampler chains per sequence: numpy over 49k logits costs ~1 ms a step.

Temperature 0 is greedy. Otherwise top-k (if set), top-p, temperature, then a seeded draw.
A second chain, made on first use, first bans every end-of-generation token: the reasoning
loop asks for it when a turn must not end yet (an answer that has not started).
"""

from __future__ import annotations

import random

import llama_cpp as ll

from ponder.engine.base import SamplingParams


class Sampler:
    def __init__(self, params: SamplingParams, n_vocab: int, end_tokens: tuple[int, ...]):
        self.params, self.n_vocab, self.end_tokens = params, n_vocab, end_tokens
        self.seed = params.seed if params.seed is not None else random.getrandbits(32)
        self.chain = _chain(_stages(params, self.seed))
        self.no_end_chain = None

    def sample(self, ctx: ll.llama_context_p, batch_index: int, forbid_end: bool = False) -> int:
        if not forbid_end:
            return ll.llama_sampler_sample(self.chain, ctx, batch_index)
        if self.no_end_chain is None:
            self.no_end_chain = _chain([self._ban_end()] + _stages(self.params, self.seed))
        return ll.llama_sampler_sample(self.no_end_chain, ctx, batch_index)

    def free(self) -> None:
        for chain in (self.chain, self.no_end_chain):
            if chain:
                ll.llama_sampler_free(chain)
        self.chain = self.no_end_chain = None

    def _ban_end(self):
        biases = (ll.llama_logit_bias * len(self.end_tokens))()
        for entry, token in zip(biases, self.end_tokens):
            entry.token, entry.bias = token, float("-inf")
        return ll.llama_sampler_init_logit_bias(self.n_vocab, len(self.end_tokens), biases)


def _chain(stages: list):
    chain = ll.llama_sampler_chain_init(ll.llama_sampler_chain_default_params())
    for stage in stages:
        ll.llama_sampler_chain_add(chain, stage)  # the chain owns and frees each stage
    return chain


def _stages(params: SamplingParams, seed: int) -> list:
    if params.temperature == 0:
        return [ll.llama_sampler_init_greedy()]
    stages = []
    if params.top_k > 0:
        stages.append(ll.llama_sampler_init_top_k(params.top_k))
    if params.top_p < 1:
        stages.append(ll.llama_sampler_init_top_p(params.top_p, 1))
    stages += [ll.llama_sampler_init_temp(params.temperature), ll.llama_sampler_init_dist(seed & 0xFFFFFFFF)]
    return stages
