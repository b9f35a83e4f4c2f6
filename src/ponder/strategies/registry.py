"""Strategies by name, from what callers write: {"name": "vote", "n": 8} or "vote@8".

The short form NAME[@COUNT][/QUALIFIER] is what fits where only a string fits: a model-name
suffix ("ponder-reasoner:vote@8"), a CLI flag, an eval sweep. COUNT is the strategy's main
number: samples for vote and best_of_n, rounds for refine, the minimum thinking tokens for
think_longer. QUALIFIER is best_of_n's verifier (best_of_n@8/self), or vote's filters
(vote@8/surest: the surest tenth votes, at least one; vote@4/keep0.25: the surest quarter;
vote@8/consistent: samples whose reasoning contradicts itself do not vote;
vote@8/surest/consistent: both). Every strategy's spec parses back to it (a think_longer's
continuation aside: the short form has no room for text). Every mistake is
an InvalidOption that names the field and the fix.
"""

from __future__ import annotations

import re

from ponder.errors import InvalidOption
from ponder.strategies.base import Strategy
from ponder.strategies.best_of_n import BestOfN
from ponder.strategies.refine import Refine
from ponder.strategies.single import Single
from ponder.strategies.think_longer import ThinkLonger
from ponder.strategies.vote import SUREST, Vote

STRATEGIES: dict[str, type[Strategy]] = {
    "single": Single, "vote": Vote, "best_of_n": BestOfN, "think_longer": ThinkLonger, "refine": Refine,
}
FIELDS = {
    "single": (), "vote": ("n", "keep", "consistent"), "best_of_n": ("n", "verifier"),
    "think_longer": ("min_tokens", "continuation"), "refine": ("rounds",),
}
COUNT = {"vote": "n", "best_of_n": "n", "think_longer": "min_tokens", "refine": "rounds"}
_SHORT = re.compile(r"(?P<name>[A-Za-z_]+)(?:@(?P<count>\d+))?(?P<qualifiers>(?:/[A-Za-z_]+[\d.]*)*)")
_KEEP = re.compile(r"keep(?P<share>\d*\.?\d+)", re.IGNORECASE)  # vote@4/keep0.25: the surest quarter votes


def parse_strategy(spec: object) -> Strategy:
    """A Strategy from an object, a short string, or a Strategy already made."""
    if isinstance(spec, Strategy):
        return spec
    if isinstance(spec, str):
        return from_short(spec)
    if isinstance(spec, dict):
        return from_fields(spec)
    raise InvalidOption("strategy", 'give an object such as {"name": "vote", "n": 8} or a string such as "vote@8"')


def from_short(text: str) -> Strategy:
    match = _SHORT.fullmatch(text.strip())
    if match is None:
        raise InvalidOption("strategy", f"cannot read {text!r}: write NAME, NAME@COUNT, best_of_n@N/VERIFIER "
                            "or vote@N/surest (or /consistent), for example vote@8")
    name = match["name"]
    fields: dict = {"name": name}
    if match["count"] is not None:
        fields[COUNT.get(name, "count")] = int(match["count"])
    words = match["qualifiers"].split("/")[1:]
    if len(words) > 1 and name != "vote":
        raise InvalidOption("strategy", f"{text.strip()!r}: only vote takes more than one /QUALIFIER")
    for word in words:  # vote@8/surest/consistent: both filters
        more = qualifier(name, word)
        if again := sorted(set(more) & set(fields)):
            raise InvalidOption("strategy", f"{text.strip()!r} sets {', '.join(again)} twice")
        fields |= more
    return from_fields(fields)


def qualifier(name: str, word: str) -> dict:
    """The field a short form's /WORD sets: best_of_n's verifier, vote's filter."""
    if name == "vote":
        filters = {"surest": {"keep": SUREST}, "consistent": {"consistent": True}}
        if keep := _KEEP.fullmatch(word):
            return {"keep": float(keep["share"])}
        if word.lower() not in filters:
            raise InvalidOption("strategy", f"vote/{word}: vote's qualifiers are /surest (the surest tenth of the "
                                "samples votes, at least one), /keepSHARE (the surest share, such as "
                                "/keep0.25) and /consistent (samples whose reasoning contradicts itself "
                                "do not vote)")
        return filters[word.lower()]
    return {"verifier": word}


def from_fields(fields: dict) -> Strategy:
    name = fields.get("name")
    if not isinstance(name, str) or name not in STRATEGIES:
        raise InvalidOption("strategy.name", f"unknown strategy {name!r}; ponder's strategies are "
                            f"{', '.join(STRATEGIES)}")
    unknown = sorted(set(fields) - {"name", *FIELDS[name]})
    if unknown:
        takes = ", ".join(FIELDS[name]) or "nothing but its name"
        raise InvalidOption("strategy", f"{name} takes no {', '.join(unknown)}; it takes {takes}")
    return STRATEGIES[name](**{key: value for key, value in fields.items() if key != "name"})


def split_model(model: str, served: str) -> tuple[str, Strategy | None]:
    """("ponder-reasoner", Vote(8)) from "ponder-reasoner:vote@8" when ponder-reasoner is served."""
    if model.startswith(served + ":"):
        return served, from_short(model[len(served) + 1 :])
    return model, None
