"""JSON schemas a turn is constrained by: a tool's parameters, a call of one of the tools,
response_format's answer.

A schema from a request is checked twice before anything runs: it must be a valid JSON Schema
(the jsonschema library's meta-schema check) and the grammar library (llama-cpp-python's
converter, which the in-process engine samples with) must accept it, so a schema that could
not constrain anything is a 400 naming its field, never a failure inside a running turn.
"""

from __future__ import annotations

import json

import jsonschema

from ponder.engine.grammar import GrammarError, grammar_of
from ponder.errors import InvalidOption

OBJECT = {"type": "object"}  # response_format json_object: any JSON object


def check_schema(schema: object, param: str) -> None:
    if not isinstance(schema, dict):
        raise InvalidOption(param, f"must be a JSON Schema object, got {type(schema).__name__}")
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as error:
        where = "/".join(str(part) for part in error.path)
        raise InvalidOption(param, f"is not a valid JSON Schema{f' at {where}' if where else ''}: "
                            f"{error.message}") from None
    try:
        grammar_of(canonical(schema))
    except GrammarError as error:
        raise InvalidOption(param, f"cannot constrain generation: {error}") from None


def canonical(schema: dict) -> str:
    """The schema as the text a Segment carries (sorted keys: one text per schema, one grammar)."""
    return json.dumps(schema, sort_keys=True, ensure_ascii=False)


def call_schema(tools, args_key: str = "arguments") -> dict:
    """One call of any of the tools: {"name": <one of theirs>, args_key: <its parameters>}.
    Properties are listed name first: the grammar writes them in that order."""
    options = [
        {"type": "object", "properties": {"name": {"const": tool.name}, args_key: parameters_of(tool)},
         "required": ["name", args_key], "additionalProperties": False}
        for tool in tools
    ]
    return options[0] if len(options) == 1 else {"anyOf": options}


def parameters_of(tool) -> dict:
    """A tool's parameters as an object schema (an empty one: no arguments, an empty object)."""
    schema = tool.parameters or {"type": "object", "properties": {}}
    return schema if "type" in schema or "anyOf" in schema or "$ref" in schema else {"type": "object", **schema}
