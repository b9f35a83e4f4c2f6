"""What a turn's answer must look like: a JSON answer under response_format, and the tool
calls it may (or must) make, as the grammars the reasoning loop samples them under."""

from __future__ import annotations

from dataclasses import dataclass

from ponder.engine.base import Grammar
from ponder.tools.formats import ToolFormat
from ponder.tools.schema import call_schema, canonical, parameters_of
from ponder.tools.spec import Toolset


@dataclass(frozen=True)
class CallPlan:
    fmt: ToolFormat
    toolset: Toolset

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(tool.name for tool in self.toolset.callable)

    def body(self) -> Grammar | None:
        """The grammar of one call after its opener (object and list layouts), None for XML."""
        if self.fmt.layout == "object":
            return Grammar(canonical(call_schema(self.toolset.callable, self.fmt.args_key)))
        if self.fmt.layout == "list":
            calls = call_schema(self.toolset.callable, self.fmt.args_key)
            most = None if self.toolset.parallel else 1
            schema = {"type": "array", "items": calls, "minItems": 1, **({"maxItems": most} if most else {})}
            return Grammar(canonical(schema))
        return None

    def heads(self, index: int) -> Grammar:
        """Named layout: the grammar of a call's name (its separator is forced after it)."""
        return Grammar(choice=tuple(self.fmt.name_text(name, index) for name in self.names))

    def arguments(self, name: str) -> Grammar:
        return Grammar(canonical(parameters_of(self.toolset.tool(name))))

    def grammars(self) -> list[tuple[str, Grammar]]:
        """(the field it comes from, grammar) of every grammar a call may be sampled under."""
        index = {tool.name: i for i, tool in enumerate(self.toolset.tools)}
        if self.fmt.layout == "named":
            return [("tool_choice", self.heads(0))] + [
                (f"tools[{index[name]}].function.parameters", self.arguments(name)) for name in self.names]
        body = self.body()
        checks = [(f"tools[{index[name]}].function.parameters", self.arguments(name)) for name in self.names]
        return checks + ([("tools", body)] if body is not None else [])


@dataclass(frozen=True)
class AnswerShape:
    schema: str | None = None  # response_format: the answer is JSON valid under this schema
    calls: CallPlan | None = None  # tools the answer may call (None: none offered)

    @property
    def answer_grammar(self) -> Grammar | None:
        """A text answer's grammar from its first token. With callable tools too, the loop first
        peeks at one token (a call, or the answer), so the answer segment starts free."""
        return Grammar(self.schema) if self.schema is not None and self.calls is None else None

    @property
    def answer_schema_grammar(self) -> Grammar | None:
        return Grammar(self.schema) if self.schema is not None else None

    def grammars(self) -> list[tuple[str, Grammar]]:
        found = [("response_format", Grammar(self.schema))] if self.schema is not None else []
        return found + (self.calls.grammars() if self.calls is not None else [])


def shape_of(toolset: Toolset | None, fmt: ToolFormat, schema: str | None) -> AnswerShape:
    calls = CallPlan(fmt, toolset) if toolset is not None and toolset.callable else None
    return AnswerShape(schema, calls)
