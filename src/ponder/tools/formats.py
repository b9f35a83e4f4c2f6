"""Tool-call formats: how each model family writes a call, found in its chat template.

A format names the text that opens a call (what ponder watches for in the answer, and forces
when a call is required), the layout of a call (a JSON object holding name and arguments, a
JSON list of such objects, or the name and then the arguments' JSON after a separator), the
text that ends one call, and a parser that reads what the family emits back into calls.
Layouts whose arguments are JSON are generated under a grammar (the tool's schema); XML
layouts (Qwen3-Coder, GLM) are parsed, and their arguments checked against the schema after.

A template that mentions none of these markers gets ponder's instructed format: the tools and
the Hermes-style <tool_call> JSON are explained in the system prompt, and calls and results go
into the conversation as text (tools/dress.py). Detection reads only the template's text.
"""

from __future__ import annotations

import json
import re
import secrets
import string
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class ToolFormat:
    name: str
    needles: tuple[str, ...]  # the template mentions all of these
    stop: str  # the model opens a call by writing this
    opener: str  # forced to open a call (the stop text, canonically spaced)
    closer: str  # ends one call
    layout: str = "object"  # object | list | named | xml
    args_key: str = "arguments"  # object/list layouts: the key of the arguments
    separator: str = ""  # named layout: between the name and the arguments' JSON
    between: str = ""  # written between two calls of one turn
    native: bool = True
    indexed: bool = False  # named layout: the name carries the call's index (Kimi's NAME:0)
    tool_role: bool = True  # results go to the template as `tool` messages (instructed: if it knows them)
    short_ids: bool = False  # call ids of 9 letters and digits (Mistral's templates refuse others)
    single: bool = False  # one call per assistant message (harmony: a call ends the message)
    parse_separator: str = ""  # named layout: what parsing splits name and arguments on (default: separator)
    unsupported: tuple[str, ...] = field(default=())  # needles that mean a different format

    @property
    def repeats(self) -> bool:
        """A second call of the turn opens as the first did (Hermes-style tags), so after a call
        the loop can watch for another; other families write their calls in one section."""
        return self.layout == "object" and self.stop.startswith("<") and not self.single

    @property
    def constrained(self) -> bool:
        """The arguments are JSON, so a grammar can hold them to the schema while sampling."""
        return self.layout != "xml"

    def matches(self, template: str) -> bool:
        return all(n in template for n in self.needles) and not any(n in template for n in self.unsupported)

    def parse(self, text: str) -> tuple[str, list[tuple[str, object]]]:
        """(content before the first call, [(name, arguments)]) of an answer in this format;
        arguments are parsed JSON (or, for XML layouts, a dict of the parameters' texts)."""
        at = text.find(self.stop)
        if at < 0:
            return text.strip(), []
        return text[:at].strip(), PARSERS[self.layout](self, text[at + len(self.stop):])

    def new_id(self) -> str:
        if self.short_ids:
            return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(9))
        return f"call_{secrets.token_hex(12)}"

    def name_text(self, name: str, index: int = 0) -> str:
        """Named layout: how a call names its tool (Kimi adds the call's index)."""
        return f"{name}:{index}" if self.indexed else name

    def head(self, name: str, index: int = 0) -> str:
        """Named layout: what comes between the opener and the arguments."""
        return self.name_text(name, index) + self.separator

    def write(self, name: str, arguments: str) -> str:
        """One call as this format writes it (instructed format: the assistant's text)."""
        args = arguments if arguments.strip() else "{}"
        if self.layout == "named":
            return f"{self.opener}{self.head(name)}{args}{self.closer}"
        return f'{self.opener}{{"name": {json.dumps(name)}, "{self.args_key}": {args}}}{self.closer}'


def _object_calls(fmt: ToolFormat, rest: str) -> list[tuple[str, object]]:
    calls = []
    for chunk in rest.split(fmt.stop):
        body = chunk.split(fmt.closer.strip())[0] if fmt.closer.strip() else chunk
        value = _first_json(fmt.stop + body if fmt.stop.startswith("{") else body)  # Llama's opener is the JSON's start
        if isinstance(value, dict) and isinstance(value.get("name"), str):
            calls.append((value["name"], value.get(fmt.args_key, value.get("arguments", {}))))
    return calls


def _list_calls(fmt: ToolFormat, rest: str) -> list[tuple[str, object]]:
    value = _first_json(rest)
    items = value if isinstance(value, list) else [value]
    return [(item["name"], item.get(fmt.args_key, {})) for item in items
            if isinstance(item, dict) and isinstance(item.get("name"), str)]


def _named_calls(fmt: ToolFormat, rest: str) -> list[tuple[str, object]]:
    calls = []
    for chunk in rest.split(fmt.between.strip() or fmt.stop):
        name, sep, args = chunk.partition(fmt.parse_separator or fmt.separator)
        if not sep:
            continue
        name = name.rsplit("<｜tool▁sep｜>", 1)[-1].split("[CALL_ID]")[0].strip()  # DeepSeek-R1, Mistral Small 3.2
        name = re.split(r"\s|<\|", name)[0]  # harmony: NAME<|channel|>commentary json
        if name.startswith("functions."):  # Kimi writes functions.NAME:INDEX
            name = name.removeprefix("functions.").rsplit(":", 1)[0]
        calls.append((name, _first_json(args)))
    return calls


FUNCTION = re.compile(r"<function=([^>\s]+)>(.*?)</function>", re.S)
PARAMETER = re.compile(r"<parameter=([^>\s]+)>\s*(.*?)\s*</parameter>", re.S)
INVOKE = re.compile(r'<invoke name="([^"]+)">(.*?)</invoke>', re.S)
INVOKE_PARAM = re.compile(r"<(?:parameter name=\"([^\"]+)\"|([A-Za-z_][\w-]*))[^>]*>(.*?)</(?:parameter|\2)>", re.S)
GLM_CALL = re.compile(r"^\s*([^\s<]+)\s*(.*?)</tool_call>", re.S)
GLM_ARG = re.compile(r"<arg_key>(.*?)</arg_key>\s*<arg_value>(.*?)</arg_value>", re.S)


def _xml_calls(fmt: ToolFormat, rest: str) -> list[tuple[str, object]]:
    text = fmt.stop + rest
    found = [(name, {k: _scalar(v) for k, v in PARAMETER.findall(body)}) for name, body in FUNCTION.findall(text)]
    if found:
        return found
    invoked = [(name, {(a or b): _scalar(re.sub(r"\]<\].*?\[>\[", "", v).strip())
                       for a, b, v in INVOKE_PARAM.findall(re.sub(r"\]<\].*?\[>\[", "", body))})
               for name, body in INVOKE.findall(text)]  # MiniMax's <invoke>, its separator tokens dropped
    if invoked:
        return invoked
    calls = []
    for chunk in rest.split(fmt.stop):
        match = GLM_CALL.match(chunk + ("" if "</tool_call>" in chunk else "</tool_call>"))
        if match:
            calls.append((match.group(1), {k.strip(): _scalar(v) for k, v in GLM_ARG.findall(match.group(2))}))
    return calls


def _scalar(text: str) -> object:
    """An XML parameter's text as the JSON value it spells, else the text."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _first_json(text: str) -> object:
    """The first JSON value in text (fences and leading words skipped), or None."""
    decoder = json.JSONDecoder()
    for at, char in enumerate(text):
        if char in "{[":
            try:
                return decoder.raw_decode(text[at:])[0]
            except json.JSONDecodeError:
                continue
    return None


PARSERS = {"object": _object_calls, "list": _list_calls, "named": _named_calls, "xml": _xml_calls}

DS = "<｜tool▁calls▁begin｜>"
# Most specific first: several families share <tool_call> and tell themselves apart inside it.
KNOWN = (
    ToolFormat("qwen-xml", ("<tool_call>", "<function="), "<tool_call>", "<tool_call>\n", "\n</tool_call>",
               layout="xml"),
    ToolFormat("glm", ("<tool_call>", "<arg_key>"), "<tool_call>", "<tool_call>", "</tool_call>", layout="xml"),
    ToolFormat("minimax-xml", ("<tool_call>", "<invoke name="), "<tool_call>", "<tool_call>\n", "\n</tool_call>",
               layout="xml"),
    ToolFormat("apriel", ("<tool_calls>",), "<tool_calls>", "<tool_calls>", "</tool_calls>", layout="list"),
    ToolFormat("hermes", ("<tool_call>",), "<tool_call>", "<tool_call>\n", "\n</tool_call>", between="\n"),
    ToolFormat("granite", ("<|tool_call|>",), "<|tool_call|>", "<|tool_call|>", "", layout="list"),
    ToolFormat("mistral", ("[TOOL_CALLS]", "[ARGS]"), "[TOOL_CALLS]", "[TOOL_CALLS]", "", layout="named",
               separator="[ARGS]", between="[TOOL_CALLS]", short_ids=True),
    ToolFormat("mistral-json", ("[TOOL_CALLS]",), "[TOOL_CALLS]", "[TOOL_CALLS]", "", layout="list", short_ids=True),
    ToolFormat("deepseek-r1", (DS, "```json"), DS, DS + "<｜tool▁call▁begin｜>function<｜tool▁sep｜>",
               "\n```<｜tool▁call▁end｜>", layout="named", separator="\n```json\n",
               between="<｜tool▁call▁begin｜>"),
    ToolFormat("deepseek-v3", (DS,), DS, DS + "<｜tool▁call▁begin｜>", "<｜tool▁call▁end｜>", layout="named",
               separator="<｜tool▁sep｜>", between="<｜tool▁call▁begin｜>"),
    ToolFormat("kimi", ("<|tool_calls_section_begin|>",), "<|tool_calls_section_begin|>",
               "<|tool_calls_section_begin|><|tool_call_begin|>functions.", "<|tool_call_end|>", layout="named",
               separator="<|tool_call_argument_begin|>", between="<|tool_call_begin|>", indexed=True),
    ToolFormat("harmony", ("<|channel|>", "<|call|>"), "to=functions.", "to=functions.", "<|call|>",
               layout="named", separator="<|channel|>commentary json<|message|>", parse_separator="<|message|>",
               single=True),
    ToolFormat("llama3", ('"parameters"', "<|eot_id|>"), '{"name"', "", "", args_key="parameters"),
)

INSTRUCTED = ToolFormat("instructed", (), "<tool_call>", "<tool_call>\n", "\n</tool_call>", between="\n",
                        native=False, tool_role=False)
TOOL_ROLE = re.compile(r"""==\s*['"]tool['"]|['"]tool['"]\s*==|in\s*\[[^\]]*['"]tool['"]""")


def detect_tool_format(chat_template: str | None) -> ToolFormat:
    """The family whose call markers the template knows, else ponder's instructed format, its
    results as `tool` messages when the template knows that role (so that it sees a tool loop
    as the turn still running, not as a new user turn)."""
    if chat_template and ("tool_calls" in chat_template or "tools" in chat_template):
        for fmt in KNOWN:
            if fmt.matches(chat_template):
                return fmt
    if chat_template and TOOL_ROLE.search(chat_template):
        return replace(INSTRUCTED, tool_role=True)
    return INSTRUCTED
