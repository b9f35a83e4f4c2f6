"""Runtime: the one object that the CLI, the server, eval and benchmarks call.

respond() takes a conversation and turn options and returns a streaming Turn. It builds the
turn's Prompt once (context/prompt: old reasoning dropped, the window fitted with room for
reasoning and answer, rendered with the model's template, the reasoning block opened,
tokenized) and hands the engine that prompt with a TurnLoop that runs think -> answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ponder.channel import AsyncChannel, ThreadChannel
from ponder.config import EngineConfig, TurnOptions
from ponder.context.layout import prompt_layout
from ponder.context.prompt import Prompt, PromptBuilder
from ponder.engine.base import Engine, Handle, SamplingParams
from ponder.engine.grammar import GrammarError
from ponder.errors import InvalidOption, TemplateError
from ponder.models.registry import model_id_for, resolve_model
from ponder.models.template import ChatTemplate
from ponder.reasoning.codec import ForcedTextCodec
from ponder.reasoning.formats import ReasoningFormat, detect_format
from ponder.reasoning.loop import TurnLoop
from ponder.tools.formats import ToolFormat, detect_tool_format
from ponder.tools.plan import shape_of
from ponder.turn import Turn
from ponder.types import Message, Role


class Runtime:
    def __init__(
        self,
        engine: Engine,
        template: ChatTemplate | None = None,
        fmt: ReasoningFormat | None = None,
        model_id: str | None = None,
        tool_fmt: ToolFormat | None = None,
    ):
        info = engine.info
        self.engine = engine
        self.model_id = model_id or info.name  # the name clients use for this model
        self.template = template or ChatTemplate(info.chat_template, info.bos_text, info.eos_text)
        self.format = fmt or detect_format(self.template.source if template else info.chat_template)
        self.tool_format = tool_fmt or detect_tool_format(self.template.source if template else info.chat_template)
        self.prompts = PromptBuilder(self.template, self.format, engine, info.bos_text, info.add_bos,
                                     self.tool_format)
        self.codec = ForcedTextCodec(engine)

    @classmethod
    def load(cls, config: EngineConfig | None = None) -> Runtime:
        from ponder.engine.llama import LlamaEngine  # llama.cpp loads only when a model does

        config = config or EngineConfig()
        source = read_template(config.chat_template) if config.chat_template else None  # before any model loads
        if config.upstream is not None:
            from ponder.engine.upstream.engine import UpstreamEngine

            engine, model_id = UpstreamEngine(config.upstream, config.model, config.tokenizer, config.n_ctx,
                                              config.upstream_timeout, prewarm=config.prefix_cache), None
        else:
            engine, model_id = LlamaEngine(resolve_model(config.model), config), model_id_for(config.model)
        if source is None:
            return cls(engine, model_id=model_id)
        info = engine.info
        template = ChatTemplate(source, info.bos_text, info.eos_text, origin=f"the chat template {config.chat_template}")
        return cls(engine, template, model_id=model_id)  # its formats are detected from it

    @property
    def n_ctx(self) -> int:
        return self.engine.info.n_ctx

    def prompt(self, messages: Sequence[Message], options: TurnOptions) -> Prompt:
        """The next turn's prompt, built once: history, window, render, tokens, history length."""
        check_messages(messages)
        self.check_grammars(options)
        return self.prompts.build(messages, options, self.n_ctx)

    def check_grammars(self, options: TurnOptions) -> None:
        """Every grammar the turn's answer may be sampled under, as the engine will build it."""
        shape = shape_of(options.tools, self.tool_format, options.response_schema)
        for param, grammar in shape.grammars():
            try:
                refusal = self.engine.check_grammar(grammar)
            except GrammarError as error:  # the converter cannot express it (a reference it cannot resolve…)
                refusal = f"cannot constrain generation: {error}"
            if refusal is not None:
                raise InvalidOption(param, refusal)

    def layout(self, prompt: Prompt, new: int) -> dict:
        """The prompt's parts in tokens (system, carried over, new input), for drawing the window."""
        return prompt_layout(self.prompts, prompt, new)

    def render(self, messages: Sequence[Message], think: bool, keep_reasoning: bool = False) -> str:
        """The prompt text of the next turn: history without old reasoning, block opened."""
        return self.prompts.text(messages, think, keep_reasoning)

    def prompt_tokens(self, messages: Sequence[Message], think: bool, keep_reasoning: bool = False) -> list[int]:
        return self.prompts.tokens(self.render(messages, think, keep_reasoning))

    def history_tokens(self, messages: Sequence[Message], think: bool, keep_reasoning: bool = False) -> list[int]:
        """Tokens of the visible history that the next turn's prompt will start with."""
        return self.prompts.tokens(self.prompts.history_text(messages, think, keep_reasoning))

    def respond(
        self,
        messages: Sequence[Message] | Prompt,
        options: TurnOptions | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        strategy: StrategyLike | None = None,
    ) -> Turn:
        """Start the next assistant turn; with `loop`, the Turn is consumed with async for.

        messages: the conversation, or its Prompt already built with these options.
        strategy: a test-time strategy (ponder.strategies) that runs the turn as several
        sequences and combines them; None runs one sequence, as the single strategy does.
        """
        options = options or TurnOptions()
        prompt = messages if isinstance(messages, Prompt) else self.prompt(messages, options)
        if strategy is not None:
            return strategy.respond(self, prompt, options, loop)
        events = AsyncChannel(loop) if loop is not None else ThreadChannel()
        launched = self.launch(prompt, options, events.put)
        return Turn(events, launched.controller, launched.handle, prompt.dropped, self.n_ctx,
                    on_result=lambda result: launched.warm_next(result.message))

    def launch(self, prompt: Prompt, options: TurnOptions, emit: Callable[[object], None]) -> Launched:
        """Submit one sequence of prompt whose TurnLoop reports through emit; the parts of a Turn."""
        shape = shape_of(options.tools, self.tool_format, options.response_schema)
        controller = TurnLoop(self.format, prompt.budget, self.codec, emit, options.stop, options.handoff,
                              options.min_reasoning, options.continuation, shape)
        handle = self.engine.submit(list(prompt.tokens), sampling_of(options), controller, prompt.history,
                                    prompt.key, reserve=prompt.cells)
        return Launched(self, controller, handle, prompt)

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class StrategyLike(Protocol):
    def respond(self, runtime: Runtime, prompt: Prompt, options: TurnOptions,
                loop: asyncio.AbstractEventLoop | None) -> Turn: ...


@dataclass
class Launched:
    """One submitted sequence: its controller and handle, and the prompt it continues."""

    runtime: Runtime
    controller: TurnLoop
    handle: Handle
    prompt: Prompt

    def warm_next(self, said: Message) -> None:
        """The next turn sends this history and what the assistant said (without its reasoning,
        unless a tool loop goes on): have the engine hold it in idle time, answer at its true
        positions, so that turn prefills only its new message."""
        if said.content or said.tool_calls:
            self.runtime.engine.warm(self.runtime.prompts.next_history(self.prompt, said), self.prompt.key)


def read_template(path: str) -> str:
    """A --chat-template file's text, compiled once here so that a broken one fails at startup."""
    try:
        source = Path(path).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError(f"cannot read the chat template {path}: {error}") from None
    ChatTemplate(source, origin=f"the chat template {path}").check()
    return source


def sampling_of(options: TurnOptions) -> SamplingParams:
    return SamplingParams(temperature=options.temperature, top_p=options.top_p, top_k=options.top_k,
                          seed=options.seed, logprobs=options.logprobs)


def check_messages(messages: Sequence[Message]) -> None:
    if not messages:
        raise InvalidOption("messages", "the conversation is empty")
    last = messages[-1]
    if last.role not in (Role.USER, Role.TOOL):
        raise InvalidOption("messages", f"the last message must come from the user (or be a tool's result), "
                            f"not the {last.role.value}")
    if last.role is Role.USER and not last.content.strip():
        raise InvalidOption("messages", "the newest user message is empty")
    check_results(messages)


def check_results(messages: Sequence[Message]) -> None:
    """Every tool result answers a call the assistant made before it, once."""
    called: set[str] = set()
    for index, message in enumerate(messages):
        called.update(call.id for call in message.tool_calls)
        if message.role is Role.TOOL:
            if message.tool_call_id not in called:
                raise InvalidOption(f"messages[{index}].tool_call_id",
                                    f"{message.tool_call_id!r} answers no tool call of an earlier assistant message")
            called.discard(message.tool_call_id)
