"""A segment's Grammar -> llama.cpp's grammar language (GBNF).

JSON schemas go through llama-cpp-python's own converter (the Python port of llama.cpp's
json-schema-to-grammar), with two holes of that port filled, since a strict answer must be
what the schema says: a string's characters exclude the raw control characters JSON forbids
(the port lets a model write a newline inside a string, which json.loads refuses), and an
integer's minimum, maximum and exclusive bounds are spelled out as digit ranges (the port
ignores them). A number's bounds, a pattern's flavour and string formats remain the port's.
A choice of strings is one alternation of literals. Grammars are cached by their source,
since one tool set or response format serves many turns.
"""

from __future__ import annotations

import functools
import json
import math

from llama_cpp.llama_grammar import RESERVED_NAMES, BuiltinRule, SchemaConverter

from ponder.engine.base import Grammar


class GrammarError(ValueError):
    pass


# JSON's string character: anything but a quote, a backslash or U+0000-U+001F, or an escape
CHAR = BuiltinRule(r'[^"\\\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F])')
DIGITS = 16  # the port's integers have at most 16 digits; an unbounded side keeps that
BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


class _Converter(SchemaConverter):
    def _add_primitive(self, name: str, rule: BuiltinRule):
        return super()._add_primitive(name, CHAR if name == "char" else rule)

    def visit(self, schema, name):
        if not _bounded_integer(schema):
            return super().visit(schema, name)
        low, high = integer_bounds(schema)
        if low is not None and high is not None and low > high:
            raise ValueError(f"no integer lies between its bounds {low} and {high}")
        rule_name = name + "-" if name in RESERVED_NAMES else name or "root"
        return self._add_rule(rule_name, f"({integer_range(low, high)}) space")


def _bounded_integer(schema: object) -> bool:
    plain = isinstance(schema, dict) and not {"$ref", "oneOf", "anyOf", "const", "enum"} & schema.keys()
    return plain and schema.get("type") == "integer" and any(key in schema for key in BOUNDS)


def integer_bounds(schema: dict) -> tuple[int | None, int | None]:
    """The least and greatest integer the schema allows (None: unbounded), exclusive bounds
    as numbers (draft 6 on) or as draft 4's booleans beside minimum and maximum."""
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None:
        low = math.floor(low) + 1 if schema.get("exclusiveMinimum") is True else math.ceil(low)
    if high is not None:
        high = math.ceil(high) - 1 if schema.get("exclusiveMaximum") is True else math.floor(high)
    above, below = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if isinstance(above, (int, float)) and not isinstance(above, bool):
        low = max(math.floor(above) + 1, low if low is not None else -math.inf)
    if isinstance(below, (int, float)) and not isinstance(below, bool):
        high = min(math.ceil(below) - 1, high if high is not None else math.inf)
    return low, high


def integer_range(low: int | None, high: int | None) -> str:
    """GBNF of the integers from low to high (None: unbounded), written as JSON writes them."""
    parts = []
    if high is None or high >= 0:
        parts.append(_magnitudes(max(low, 0) if low is not None else 0, high))
    if low is None or low < 0:
        least = 1 if high is None or high >= 0 else -high
        parts.append(f'"-" ({_magnitudes(least, None if low is None else -low)})')
    return " | ".join(parts)


def _magnitudes(low: int, high: int | None) -> str:
    """low to high (None: any with up to DIGITS digits, or low's if longer), no leading zeros."""
    longest = len(str(high)) if high is not None else max(DIGITS, len(str(low)))
    alternatives = []
    for n in range(len(str(low)), longest + 1):
        first = low if n == len(str(low)) else 10 ** (n - 1)
        last = high if high is not None and n == len(str(high)) else 10 ** n - 1
        alternatives.append(_same_length(str(first), str(last)))
    return " | ".join(f"({a})" for a in alternatives)


def _same_length(low: str, high: str) -> str:
    """GBNF of the digit strings from low to high, both of one length."""
    if not low:
        return '""'
    rest = len(low) - 1
    if low[1:] == "0" * rest and high[1:] == "9" * rest:
        return f"[{low[0]}-{high[0]}]" + (f" [0-9]{{{rest}}}" if rest else "")
    if low[0] == high[0]:
        return f'"{low[0]}" ({_same_length(low[1:], high[1:])})'
    alternatives = [f'"{low[0]}" ({_same_length(low[1:], "9" * rest)})']
    if int(low[0]) + 1 <= int(high[0]) - 1:
        alternatives.append(f"[{int(low[0]) + 1}-{int(high[0]) - 1}] [0-9]{{{rest}}}")
    alternatives.append(f'"{high[0]}" ({_same_length("0" * rest, high[1:])})')
    return " | ".join(f"({a})" for a in alternatives)


@functools.lru_cache(maxsize=256)
def grammar_of(schema: str) -> str:
    try:
        converter = _Converter(prop_order={}, allow_fetch=False, dotall=False, raw_pattern=False)
        converter.visit(converter.resolve_refs(json.loads(schema), "stdin"), "")
        return converter.format_grammar()
    except Exception as error:  # the converter raises bare exceptions for what it cannot express
        raise GrammarError(f"{type(error).__name__}: {error}") from None


def gbnf(grammar: Grammar) -> str:
    if grammar.json_schema is not None:
        return grammar_of(grammar.json_schema)
    return "root ::= " + " | ".join(literal(text) for text in grammar.choice)


def literal(text: str) -> str:
    """text as a GBNF string literal (JSON's escapes are GBNF's)."""
    return json.dumps(text, ensure_ascii=False)
