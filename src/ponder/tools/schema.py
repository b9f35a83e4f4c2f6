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
# a grammar spells a bound out as nested rules: llama.cpp's parser refuses a nesting past ~1,000,
# and the converter would build a text as long as the bound before that (a maxLength of 1e9: gigabytes)
MAX_BOUND = 1000
BOUNDS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")


def check_schema(schema: object, param: str) -> None:
    if not isinstance(schema, dict):
        raise InvalidOption(param, f"must be a JSON Schema object, got {type(schema).__name__}")
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except RecursionError:
        raise InvalidOption(param, "is nested too deep to check") from None
    except jsonschema.SchemaError as error:
        where = "/".join(str(part) for part in error.path)
        raise InvalidOption(param, f"is not a valid JSON Schema{f' at {where}' if where else ''}: "
                            f"{error.message}") from None
    try:
        too_big = _too_big(schema)
    except RecursionError:
        raise InvalidOption(param, "is nested too deep to check") from None
    if too_big is not None:
        raise InvalidOption(param, f"{too_big} is more than a grammar can spell out (at most {MAX_BOUND:,})")
    try:
        grammar_of(canonical(schema))
    except GrammarError as error:
        raise InvalidOption(param, f"cannot constrain generation: {error}") from None


def _too_big(node: object, path: str = "") -> str | None:
    """The first length or count bound past MAX_BOUND, as path.keyword=value, or None."""
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}/{key}" if path else key
            if key in BOUNDS and isinstance(value, int) and not isinstance(value, bool) and value > MAX_BOUND:
                return f"{where}={value}"
            found = _too_big(value, where)
            if found:
                return found
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found = _too_big(item, f"{path}/{index}")
            if found:
                return found
    return None


def canonical(schema: dict) -> str:
    """The schema as the text a Segment carries. Key order is kept: the grammar writes an
    object's properties in the order the schema lists them (a call's name before its arguments)."""
    return json.dumps(schema, ensure_ascii=False)


def call_schema(tools, args_key: str = "arguments") -> dict:
    """One call of any of the tools: {"name": <one of theirs>, args_key: <its parameters>}.
    Properties are listed name first: the grammar writes them in that order. Each tool's
    $defs move to the root under its own prefix, so that its "#/$defs/…" references (pydantic's
    schemas have them) still resolve once the parameters sit inside the call."""
    options, defs = [], {}
    for tool in tools:
        parameters, own = hoisted(parameters_of(tool), f"{tool.name}__")
        defs.update(own)
        options.append({"type": "object", "properties": {"name": {"const": tool.name}, args_key: parameters},
                        "required": ["name", args_key], "additionalProperties": False})
    schema = options[0] if len(options) == 1 else {"anyOf": options}
    return {**schema, "$defs": defs} if defs else schema


def hoisted(schema: dict, prefix: str) -> tuple[dict, dict]:
    """(schema without its $defs/definitions, those definitions renamed prefix+name), with every
    local reference to them rewritten."""
    own = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    if not own:
        return schema, {}

    def rewrite(node):
        if isinstance(node, dict):
            out = {k: rewrite(v) for k, v in node.items() if k not in ("$defs", "definitions")}
            ref = out.get("$ref")
            if isinstance(ref, str) and ref.startswith(("#/$defs/", "#/definitions/")):
                out["$ref"] = "#/$defs/" + prefix + ref.rsplit("/", 1)[1]
            return out
        return [rewrite(item) for item in node] if isinstance(node, list) else node

    return rewrite(schema), {prefix + name: rewrite(value) for name, value in own.items()}


def parameters_of(tool) -> dict:
    """A tool's parameters as an object schema (an empty one: no arguments, an empty object)."""
    schema = tool.parameters or {"type": "object", "properties": {}}
    return schema if "type" in schema or "anyOf" in schema or "$ref" in schema else {"type": "object", **schema}
