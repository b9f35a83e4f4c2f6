"""Strategy specs as callers write them: objects, short strings, model suffixes, and mistakes."""

import pytest

from ponder.errors import InvalidOption
from ponder.strategies import BestOfN, Refine, Single, ThinkLonger, Vote, parse_strategy, split_model


@pytest.mark.parametrize("spec, kind, spec_text", [
    ({"name": "vote", "n": 5}, Vote, "vote@5"),
    ("vote@8", Vote, "vote@8"),
    ("vote", Vote, "vote@8"),
    ("vote@8/surest", Vote, "vote@8/surest"),
    ("vote/Surest", Vote, "vote@8/surest"),
    ({"name": "vote", "n": 8, "keep": 0.1}, Vote, "vote@8/surest"),
    ({"name": "vote", "n": 4, "keep": 0.25}, Vote, "vote@4/keep0.25"),
    ({"name": "vote", "n": 4, "keep": 1}, Vote, "vote@4"),
    ("vote@8/consistent", Vote, "vote@8/consistent"),
    ({"name": "vote", "n": 6, "consistent": True}, Vote, "vote@6/consistent"),
    ({"name": "vote", "n": 8, "keep": 0.1, "consistent": True}, Vote, "vote@8/surest/consistent"),
    ({"name": "vote", "n": 8, "consistent": False}, Vote, "vote@8"),
    ("vote@8/surest/consistent", Vote, "vote@8/surest/consistent"),  # the spec reads back as itself
    ({"name": "best_of_n", "n": 4, "verifier": "checker"}, BestOfN, "best_of_n@4/checker"),
    ("best_of_n@8/self", BestOfN, "best_of_n@8/self"),
    ("think_longer@300", ThinkLonger, "think_longer@300"),
    ({"name": "think_longer", "min_tokens": 64, "continuation": "Hmm,"}, ThinkLonger, "think_longer@64"),
    ("think_longer", ThinkLonger, "think_longer"),
    ("vote@4/keep0.25", Vote, "vote@4/keep0.25"),
    ("vote@4/keep0.25/consistent", Vote, "vote@4/keep0.25/consistent"),
    ({"name": "vote", "n": 1}, Vote, "vote@1"),
    ({"name": "best_of_n", "n": 1}, BestOfN, "best_of_n@1/self"),
    ("refine@3", Refine, "refine@3"),
    ({"name": "single"}, Single, "single"),
])
def test_good_specs(spec, kind, spec_text):
    strategy = parse_strategy(spec)
    assert isinstance(strategy, kind) and strategy.spec == spec_text


@pytest.mark.parametrize("spec, param, words", [
    ({"name": "votes", "n": 3}, "strategy.name", "unknown strategy 'votes'"),
    ({"n": 3}, "strategy.name", "unknown strategy None"),
    ({"name": "vote", "n": 0}, "strategy.n", "at least 1, got 0"),
    ({"name": "vote", "n": -2}, "strategy.n", "at least 1"),
    ({"name": "vote", "n": "8"}, "strategy.n", "must be an integer"),
    ({"name": "vote", "n": 2.5}, "strategy.n", "must be an integer"),
    ({"name": "vote", "n": True}, "strategy.n", "must be an integer"),
    ({"name": "vote", "samples": 3}, "strategy", "vote takes no samples; it takes n"),
    ({"name": "single", "n": 2}, "strategy", "single takes no n; it takes nothing but its name"),
    ({"name": "best_of_n", "verifier": "oracle"}, "strategy.verifier", "unknown verifier 'oracle'"),
    ({"name": "refine", "rounds": 0}, "strategy.rounds", "at least 1"),
    ({"name": "think_longer", "continuation": "  "}, "strategy.continuation", "must be some text"),
    ({"name": "vote", "keep": 0}, "strategy.keep", "above 0 and at most 1, got 0"),
    ({"name": "vote", "keep": 1.5}, "strategy.keep", "at most 1, got 1.5"),
    ({"name": "vote", "keep": "half"}, "strategy.keep", "must be a number"),
    ({"name": "vote", "keep": True}, "strategy.keep", "must be a number"),
    ({"name": "best_of_n", "keep": 0.5}, "strategy", "best_of_n takes no keep"),
    ({"name": "vote", "consistent": "yes"}, "strategy.consistent", "must be true or false, got 'yes'"),
    ({"name": "vote", "consistent": 1}, "strategy.consistent", "must be true or false"),
    ({"name": "best_of_n", "consistent": True}, "strategy", "best_of_n takes no consistent"),
    ("vote@8/best", "strategy", "vote's qualifiers are /surest"),
    ("vote@8/surest/surest", "strategy", "'vote@8/surest/surest' sets keep twice"),
    ("best_of_n@8/self/checker", "strategy", "only vote takes more than one /QUALIFIER"),
    ("single/surest/consistent", "strategy", "only vote takes more than one"),
    ("single/surest", "strategy", "single takes no verifier"),
    ("single@3", "strategy", "single takes no count"),
    ("vote@", "strategy", "cannot read 'vote@'"),
    ("vote@8@9", "strategy", "cannot read"),
    ("vote@0", "strategy.n", "at least 1"),
    (7, "strategy", "give an object"),
    (["vote"], "strategy", "give an object"),
])
def test_bad_specs_name_the_problem(spec, param, words):
    with pytest.raises(InvalidOption) as caught:
        parse_strategy(spec)
    assert caught.value.param == param
    assert words in str(caught.value)


def test_model_suffixes():
    name, strategy = split_model("ponder-reasoner:vote@8", "ponder-reasoner")
    assert name == "ponder-reasoner" and isinstance(strategy, Vote) and strategy.width == 8
    name, strategy = split_model("ponder-reasoner:vote@8/surest", "ponder-reasoner")
    assert isinstance(strategy, Vote) and strategy.keep == 0.1
    name, strategy = split_model("ponder-reasoner:vote@8/consistent", "ponder-reasoner")
    assert isinstance(strategy, Vote) and strategy.consistent and strategy.keep == 1
    assert split_model("ponder-reasoner", "ponder-reasoner") == ("ponder-reasoner", None)
    assert split_model("other:vote@8", "ponder-reasoner") == ("other:vote@8", None)
    with pytest.raises(InvalidOption, match="unknown strategy 'vot'"):
        split_model("ponder-reasoner:vot@8", "ponder-reasoner")


@pytest.mark.parametrize("strategy", [
    Vote(1), Vote(8), Vote(4, keep=0.25), Vote(16, keep=1e-05), Vote(3, keep=1 / 3, consistent=True),
    Vote(8, keep=0.1, consistent=True), BestOfN(1), BestOfN(4, "checker"), ThinkLonger(), ThinkLonger(64),
    Refine(1), Single(),
], ids=lambda strategy: strategy.spec)
def test_every_spec_reads_back_as_the_same_strategy(strategy):
    again = parse_strategy(strategy.spec)
    assert type(again) is type(strategy) and again.spec == strategy.spec
    fields = ("width", "keep", "consistent", "min_tokens", "rounds")
    assert [getattr(again, f, None) for f in fields] == [getattr(strategy, f, None) for f in fields]
