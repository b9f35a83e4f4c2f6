"""A segment's Grammar -> llama.cpp's grammar language (GBNF).

JSON schemas go through llama-cpp-python's own converter (the Python port of llama.cpp's
json-schema-to-grammar); a choice of strings is one alternation of literals. Grammars are
cached by their source, since one tool set or response format serves many turns.
"""

from __future__ import annotations

import functools
import json

from llama_cpp.llama_grammar import json_schema_to_gbnf

from ponder.engine.base import Grammar


class GrammarError(ValueError):
    pass


@functools.lru_cache(maxsize=256)
def grammar_of(schema: str) -> str:
    try:
        return json_schema_to_gbnf(schema)
    except Exception as error:  # the converter raises bare exceptions for what it cannot express
        raise GrammarError(f"{type(error).__name__}: {error}") from None


def gbnf(grammar: Grammar) -> str:
    if grammar.json_schema is not None:
        return grammar_of(grammar.json_schema)
    return "root ::= " + " | ".join(literal(text) for text in grammar.choice)


def literal(text: str) -> str:
    """text as a GBNF string literal (JSON's escapes are GBNF's)."""
    return json.dumps(text, ensure_ascii=False)
