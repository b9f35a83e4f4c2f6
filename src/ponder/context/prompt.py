"""The prompt of one turn, built once: history -> window -> render -> tokens -> history length.

Everything below the runtime (strategies, the reasoning loop, engines, warm-ups) receives this
one object instead of rendering and tokenizing the conversation again. Rendering happens once
for a conversation that fits; when the window truncates, each candidate tried is rendered once
and the chosen one is not rendered again.

The history length (the leading tokens that are the conversation so far; the next turn shares
them) is read off the same render: the template's generation prompt is learnt once per
template by rendering a probe with and without it, and cut off the end of the prompt text.
A template whose prompt does not end that way gets one more render, of the history alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ponder.config import TurnOptions
from ponder.context import history, window
from ponder.engine.kvcache import common_prefix
from ponder.models.template import ChatTemplate
from ponder.reasoning.budget import Budget, settle_budget
from ponder.reasoning.formats import ReasoningFormat
from ponder.reasoning.prompt import render_history, render_prompt
from ponder.tools.formats import INSTRUCTED, ToolFormat
from ponder.tools.spec import Tool
from ponder.types import Message, Role


PROBE = (Message(Role.USER, "probe"),)


class Tokenizer(Protocol):
    def tokenize(self, text: str, *, special: bool = True) -> list[int]: ...

    def piece(self, token: int) -> bytes: ...


# room for what a hand-off forces into a sequence beyond its completion budget (text and marker)
HANDOFF_CELLS = 32


@dataclass(frozen=True)
class Prompt:
    """One turn's prompt, as every layer below the runtime sees it."""

    messages: tuple[Message, ...]  # the conversation after the window (oldest turns maybe dropped)
    dropped: int  # turns the window dropped
    tokens: tuple[int, ...]  # what the engine evaluates: rendered, reasoning block opened
    history: int  # leading tokens that are the conversation so far (without the generation prompt)
    budget: Budget  # the turn's reasoning and completion limits, reserved in the window
    keep_reasoning: bool = False
    tools: tuple[Tool, ...] = ()  # the tools the model was told of (the next turn's prompt tells them again)

    @property
    def thinks(self) -> bool:
        return self.budget.thinks

    @property
    def cells(self) -> int:
        """The KV cells one sequence of this prompt may fill: the prompt, its longest completion,
        and the few tokens a budget hand-off forces in (its text and closing marker)."""
        return len(self.tokens) + self.budget.completion + HANDOFF_CELLS

    @property
    def key(self) -> str:
        """The conversation's stable name: every turn of it starts with the same system text and
        first user message, so a router that hashes this keeps the turns on one replica."""
        first = next((i for i, m in enumerate(self.messages) if m.role is Role.USER), len(self.messages))
        opening = "\x00".join(f"{m.role.value}:{m.content}" for m in self.messages[:first + 1])
        return hashlib.sha256(opening.encode()).hexdigest()[:16]


class PromptBuilder:
    """Renders and tokenizes for one model: its template, reasoning format and tokenizer."""

    def __init__(self, template: ChatTemplate, fmt: ReasoningFormat, tokenizer: Tokenizer,
                 bos_text: str = "", add_bos: bool = False, tool_fmt: ToolFormat = INSTRUCTED):
        self.template, self.fmt, self.tokenizer, self.tool_fmt = template, fmt, tokenizer, tool_fmt
        self.bos_text, self.add_bos = bos_text, add_bos
        self._suffixes: dict[tuple, str | None] = {}

    def build(self, messages: Sequence[Message], options: TurnOptions, n_ctx: int) -> Prompt:
        """The turn's prompt; ContextOverflow when even the newest message does not fit."""
        budget = settle_budget(options.effort, options.reasoning_budget, options.max_completion_tokens, n_ctx)
        keep, made = options.keep_reasoning, {}
        tools = options.tools.offered if options.tools is not None else ()

        def count(candidate: Sequence[Message]) -> int:
            made[len(candidate)] = self._render(candidate, budget.thinks, keep, tools)
            return len(made[len(candidate)][0])

        kept, dropped = window.fit(messages, count, n_ctx, budget.completion, options.truncation)
        tokens, size = made[len(kept)]  # each candidate has its own length: turns go whole
        return Prompt(tuple(kept), dropped, tuple(tokens), size, budget, keep, tools)

    def text(self, messages: Sequence[Message], think: bool, keep_reasoning: bool = False,
             tools: Sequence[Tool] = ()) -> str:
        """The prompt text: history without old reasoning, the reasoning block opened (or not)."""
        dicts = history.for_template(messages, self.fmt, keep_reasoning, self.tool_fmt)
        return render_prompt(self.template, self.fmt, dicts, think, tools, self.tool_fmt)

    def history_text(self, messages: Sequence[Message], think: bool, keep_reasoning: bool = False,
                     tools: Sequence[Tool] = ()) -> str:
        """The conversation so far, as the next turn's prompt will begin (no generation prompt)."""
        dicts = history.for_template(messages, self.fmt, keep_reasoning, self.tool_fmt)
        return render_history(self.template, self.fmt, dicts, think, tools, self.tool_fmt)

    def tokens(self, text: str) -> list[int]:
        tokens = self.tokenizer.tokenize(text, special=True)
        if self.add_bos and not text.startswith(self.bos_text):
            tokens = self.tokenizer.tokenize(self.bos_text, special=True) + tokens
        return tokens

    def next_history(self, prompt: Prompt, said: Message) -> list[int]:
        """Tokens the next turn's prompt starts with: this prompt's conversation and what the
        assistant said (its reasoning only while a tool loop goes on; what a warm-up evaluates)."""
        if not said.tool_calls:  # an answer ends the turn: the next one starts with a user message
            said = Message(Role.ASSISTANT, said.content)
        messages = [*prompt.messages, said]
        return self.tokens(self.history_text(messages, prompt.thinks, prompt.keep_reasoning, prompt.tools))

    def _render(self, messages: Sequence[Message], think: bool, keep: bool,
                tools: Sequence[Tool] = ()) -> tuple[list[int], int]:
        """(prompt tokens, how many of them are the history) from one render and one tokenize."""
        text = self.text(messages, think, keep, tools)
        suffix = self._generation_suffix(think, tools)
        tokens = self.tokens(text)
        if suffix is not None and text.endswith(suffix):
            return tokens, self._leading(tokens, text[: len(text) - len(suffix)])
        # A template that renders the last turns differently once it adds the generation prompt:
        # the history is what the two renders share.
        return tokens, common_prefix(tokens, self.tokens(self.history_text(messages, think, keep, tools)))

    def _generation_suffix(self, think: bool, tools: Sequence[Tool] = ()) -> str | None:
        """What the prompt adds after the conversation (assistant header, opened block), learnt
        once from a probe conversation; None if the template puts it elsewhere."""
        key = (think, bool(tools))
        if key not in self._suffixes:
            full, head = self.text(PROBE, think, tools=tools), self.history_text(PROBE, think, tools=tools)
            self._suffixes[key] = full[len(head):] if full.startswith(head) else None
        return self._suffixes[key]

    def _leading(self, tokens: list[int], head: str) -> int:
        """How many leading tokens spell no more than head (a token across its end is not history)."""
        limit, spelled = len(head.encode()), 0
        if self.add_bos and not head.startswith(self.bos_text):
            limit += len(self.bos_text.encode())  # the BOS ponder put before the text
        for index, token in enumerate(tokens):
            spelled += len(self.tokenizer.piece(token))
            if spelled > limit:
                return index
        return len(tokens)
