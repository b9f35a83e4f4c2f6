"""The tools a turn offers and how it may use them: OpenAI's `tools`, `tool_choice` and
`parallel_tool_calls`, as plain data that every layer below the server reads."""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass, field

from ponder.errors import InvalidOption
from ponder.tools.schema import check_schema

NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # OpenAI's rule for function names


class Choice(str, enum.Enum):
    AUTO = "auto"  # the model answers or calls, as it decides
    NONE = "none"  # the model answers; the tools are not offered
    REQUIRED = "required"  # the model calls one of the tools (or several)
    FUNCTION = "function"  # the model calls the named tool


@dataclass(frozen=True)
class Tool:
    name: str
    description: str = ""
    parameters: dict = field(default_factory=lambda: {"type": "object", "properties": {}})
    strict: bool = False

    def to_openai(self) -> dict:
        """The shape chat templates take (Hugging Face's convention: OpenAI's chat tool)."""
        function = {"name": self.name, "description": self.description, "parameters": self.parameters}
        return {"type": "function", "function": function}


@dataclass(frozen=True)
class Toolset:
    """What one turn may call: the tools, the choice, whether calls may come several at once."""

    tools: tuple[Tool, ...]
    choice: Choice = Choice.AUTO
    function: str | None = None  # the tool Choice.FUNCTION names
    parallel: bool = True

    def __post_init__(self) -> None:
        seen = set()
        for index, tool in enumerate(self.tools):
            if not NAME.match(tool.name):
                raise InvalidOption(f"tools[{index}].function.name",
                                    f"{tool.name!r} is not a function name: use 1-64 letters, digits, _ or -")
            if tool.name in seen:
                raise InvalidOption(f"tools[{index}].function.name", f"{tool.name!r} is defined twice")
            seen.add(tool.name)
            check_schema(tool.parameters, f"tools[{index}].function.parameters")
        if self.choice is not Choice.NONE and not self.tools:
            raise InvalidOption("tool_choice", f"{self.choice.value} needs tools to call, and none were given")
        if self.choice is Choice.FUNCTION and self.function not in seen:
            names = ", ".join(sorted(seen)) or "none"
            raise InvalidOption("tool_choice", f"names the function {self.function!r}, which is not among the "
                                f"tools (they are: {names})")

    @property
    def offered(self) -> tuple[Tool, ...]:
        """The tools the model is told of: none when it may not call them."""
        return () if self.choice is Choice.NONE else self.tools

    @property
    def callable(self) -> tuple[Tool, ...]:
        if self.choice is Choice.FUNCTION:
            return tuple(tool for tool in self.tools if tool.name == self.function)
        return self.offered

    @property
    def must_call(self) -> bool:
        return self.choice in (Choice.REQUIRED, Choice.FUNCTION)

    def tool(self, name: str) -> Tool | None:
        return next((tool for tool in self.tools if tool.name == name), None)


def arguments_of(text: str) -> dict | str:
    """A call's arguments as templates take them: the JSON object parsed (Hugging Face
    templates apply tojson), or the text as it came when it is not one (a client's own)."""
    try:
        value = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        return text
    return value if isinstance(value, dict) else text
