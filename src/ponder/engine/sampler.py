"""Native llama.cpp sampler chains per sequence: numpy over 49k logits costs ~1 ms a step.

Temperature 0 is greedy. Otherwise top-k (if set), top-p, temperature, then a seeded draw.
A second chain, made on first use, first bans every end-of-generation token: the reasoning
loop asks for it when a turn must not end yet (an answer that has not started). A segment with
a grammar gets its own chain, grammar first, made when the segment starts and freed when it
ends, so each constrained segment (a tool call, a JSON answer) starts its grammar afresh.
"""

from __future__ import annotations

import random

import llama_cpp as ll

from ponder.engine.base import Grammar, SamplingParams
from ponder.engine.grammar import gbnf


class Sampler:
    def __init__(self, params: SamplingParams, n_vocab: int, end_tokens: tuple[int, ...], vocab=None):
        self.params, self.n_vocab, self.end_tokens, self.vocab = params, n_vocab, end_tokens, vocab
        self.seed = params.seed if params.seed is not None else random.getrandbits(32)
        self.chain = _chain(_stages(params, self.seed))
        self.no_end_chain = None
        self._grammar_chain, self._grammar_of = None, None  # the chain, and the segment it serves

    def sample(self, ctx: ll.llama_context_p, batch_index: int, forbid_end: bool = False,
               grammar: Grammar | None = None, segment: object = None) -> int:
        if grammar is not None:
            return ll.llama_sampler_sample(self._constrained(grammar, segment), ctx, batch_index)
        self._drop_grammar()
        if not forbid_end:
            return ll.llama_sampler_sample(self.chain, ctx, batch_index)
        if self.no_end_chain is None:
            self.no_end_chain = _chain([self._ban_end()] + _stages(self.params, self.seed))
        return ll.llama_sampler_sample(self.no_end_chain, ctx, batch_index)

    def free(self) -> None:
        self._drop_grammar()
        for chain in (self.chain, self.no_end_chain):
            if chain:
                ll.llama_sampler_free(chain)
        self.chain = self.no_end_chain = None

    def _constrained(self, grammar: Grammar, segment: object):
        """The grammar chain of this segment; a new segment starts a new grammar."""
        if self._grammar_of is not segment or self._grammar_chain is None:
            self._drop_grammar()
            stage = ll.llama_sampler_init_grammar(self.vocab, gbnf(grammar).encode(), b"root")
            if not stage:
                raise ValueError("llama.cpp could not parse the grammar")
            self._grammar_chain, self._grammar_of = _chain([stage] + _stages(self.params, self.seed)), segment
        return self._grammar_chain

    def _drop_grammar(self) -> None:
        if self._grammar_chain:
            ll.llama_sampler_free(self._grammar_chain)
        self._grammar_chain = self._grammar_of = None

    def _ban_end(self):
        biases = (ll.llama_logit_bias * len(self.end_tokens))()
        for entry, token in zip(biases, self.end_tokens):
            entry.token, entry.bias = token, float("-inf")
        return ll.llama_sampler_init_logit_bias(self.n_vocab, len(self.end_tokens), biases)


def grammar_refusal(vocab, grammar: Grammar) -> str | None:
    """Why llama.cpp's grammar parser refuses grammar (it nests too deep: a maxLength in the
    thousands), or None: built once and freed, as a request arrives."""
    stage = ll.llama_sampler_init_grammar(vocab, gbnf(grammar).encode(), b"root")
    if not stage:
        return "llama.cpp's grammar parser refuses the grammar built from it (nested too deep: use smaller " \
               "maxLength, maxItems or nesting)"
    ll.llama_sampler_free(stage)
    return None


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
