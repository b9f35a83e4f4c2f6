"""OpenAI's tool and output-format parameters -> ponder's Toolset and answer schema, for both
endpoints (Chat Completions nests a function under "function"; Responses flattens it)."""

from __future__ import annotations

from ponder.errors import InvalidOption
from ponder.server.protocol import ChatNamedChoice, ResponseFormat, ResponsesNamedChoice, TextFormat
from ponder.tools.schema import OBJECT, canonical, check_schema
from ponder.tools.spec import Choice, Tool, Toolset


def toolset(tools: list | None, choice, parallel: bool | None) -> Toolset | None:
    """Errors name chat's fields (tools[i].function.name); Responses renames them where it names
    all its InvalidOption fields (responses.prepare)."""
    if not tools:
        if choice not in (None, "auto", "none"):
            raise InvalidOption("tool_choice", "names a tool to call, but the request has no tools")
        return None
    made = []
    for index, tool in enumerate(tools):
        function = getattr(tool, "function", tool)
        made.append(Tool(function.name, function.description or "",
                         function.parameters or {"type": "object", "properties": {}}, bool(function.strict)))
    mode, name = _choice(choice)
    return Toolset(tuple(made), mode, name, parallel if parallel is not None else True)


def _choice(choice) -> tuple[Choice, str | None]:
    if choice is None:
        return Choice.AUTO, None
    if isinstance(choice, ChatNamedChoice):
        return Choice.FUNCTION, choice.function.name
    if isinstance(choice, ResponsesNamedChoice):
        return Choice.FUNCTION, choice.name
    return Choice(choice), None


def answer_schema(fmt: ResponseFormat | TextFormat | None, param: str) -> str | None:
    """The canonical JSON schema an answer must follow, or None for text."""
    if fmt is None or fmt.type == "text":
        return None
    if fmt.type == "json_object":
        return canonical(OBJECT)
    spec = fmt.json_schema if isinstance(fmt, ResponseFormat) else fmt
    where = f"{param}.json_schema.schema" if isinstance(fmt, ResponseFormat) else f"{param}.schema"
    if spec is None or spec.schema_ is None:
        raise InvalidOption(where, "a json_schema format needs its schema")
    check_schema(spec.schema_, where)
    return canonical(spec.schema_)
