"""What llama.cpp's grammar sampler lets through under the grammar ponder builds from a JSON
schema: token by token over the embedded model's vocabulary (loaded vocabulary only), then an
end token, which the grammar allows only once the text is whole."""

import ctypes
import json

import llama_cpp as ll
import pytest

from ponder.engine.base import Grammar
from ponder.engine.grammar import GrammarError, grammar_of, gbnf
from ponder.tools.schema import canonical

pytestmark = pytest.mark.model

STRICT = {"type": "object", "properties": {"city": {"type": "string", "maxLength": 30},
                                          "population": {"type": "integer", "minimum": 0},
                                          "coastal": {"type": "boolean"}},
          "required": ["city", "population", "coastal"], "additionalProperties": False}


@pytest.fixture(scope="module")
def vocab(model_path):
    params = ll.llama_model_default_params()
    params.vocab_only = True
    model = ll.llama_model_load_from_file(str(model_path).encode(), params)
    yield ll.llama_model_get_vocab(model)
    ll.llama_model_free(model)


class Checker:
    def __init__(self, vocab, schema: dict):
        self.vocab = vocab
        self.stage = ll.llama_sampler_init_grammar(vocab, gbnf(Grammar(canonical(schema))).encode(), b"root")
        assert self.stage, "llama.cpp refused the grammar"

    def accepts(self, text: str) -> bool:
        ll.llama_sampler_reset(self.stage)
        for token in self._tokens(text):
            if not self._allowed(token):
                return False
            ll.llama_sampler_accept(self.stage, token)
        return self._allowed(ll.llama_vocab_eos(self.vocab))

    def _allowed(self, token: int) -> bool:
        data = (ll.llama_token_data * 1)(ll.llama_token_data(token, 0.0, 0.0))
        ll.llama_sampler_apply(self.stage, ctypes.byref(ll.llama_token_data_array(data, 1, -1, False)))
        return data[0].logit != float("-inf")

    def _tokens(self, text: str) -> list[int]:
        raw = text.encode()
        buffer = (ll.llama_token * (len(raw) + 8))()
        return list(buffer[: ll.llama_tokenize(self.vocab, raw, len(raw), buffer, len(buffer), False, False)])


def test_a_strict_answer_the_schema_refuses_is_not_in_its_grammar(vocab):
    # seen in a loaded CI run: a newline inside the string, and a population below its minimum
    check = Checker(vocab, STRICT)
    assert not check.accepts('{"city": "Mumbai}\n2. A JSON-\n\nI am outof", "population" :-1, "coastal" : false }')
    assert not check.accepts('{"city": "Mumbai\n", "population": 1, "coastal": false}')
    assert not check.accepts('{"city": "Mumbai", "population": -1, "coastal": false}')
    for text in ['{"city": "Mumbai\\n", "population": 0, "coastal": false}',
                 '{"city": "' + "é" * 30 + '", "population": 12000000, "coastal" : true }']:
        assert check.accepts(text)
        json.loads(text)
    assert not check.accepts('{"city": "' + "a" * 31 + '", "population": 1, "coastal": false}')


@pytest.mark.parametrize("bounds, low, high", [
    ({"minimum": 0}, 0, None), ({"minimum": 7, "maximum": 93}, 7, 93), ({"minimum": -37, "maximum": 112}, -37, 112),
    ({"maximum": -3}, None, -3), ({"exclusiveMinimum": -1, "exclusiveMaximum": 10}, 0, 9),
    ({"minimum": 2.5, "maximum": 20.5}, 3, 20), ({"minimum": 100, "maximum": 100}, 100, 100),
])
def test_integer_bounds_are_in_the_grammar(vocab, bounds, low, high):
    check = Checker(vocab, {"type": "object", "properties": {"n": {"type": "integer", **bounds}},
                            "required": ["n"], "additionalProperties": False})
    for n in [*range(-130, 131), 999, 1000, 123456, -123456]:
        inside = (low is None or n >= low) and (high is None or n <= high)
        assert check.accepts(f'{{"n": {n}}}') is inside, n
    assert not check.accepts('{"n": 07}') and not check.accepts('{"n": -0}')


def test_an_integer_range_with_no_integer_in_it_is_refused():
    with pytest.raises(GrammarError):
        grammar_of(canonical({"type": "integer", "minimum": 3, "maximum": 2}))
