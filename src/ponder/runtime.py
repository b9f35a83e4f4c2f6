"""Runtime: the one object that the CLI, the server, eval and benchmarks call.

respond() takes a conversation and turn options and returns a streaming Turn. On the way it
drops old reasoning (context/history), fits the window with room for reasoning and answer
(context/window), renders with the model's template and opens the reasoning block
(reasoning/prompt), and hands the engine a TurnLoop that runs think -> answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ponder.channel import AsyncChannel, ThreadChannel
from ponder.config import EngineConfig, TurnOptions
from ponder.context import history, window
from ponder.engine.base import Engine, Handle, SamplingParams, ShiftPlan
from ponder.engine.kvcache import common_prefix
from ponder.errors import InvalidOption
from ponder.models.registry import model_id_for, resolve_model
from ponder.models.template import ChatTemplate
from ponder.reasoning.budget import settle_budget
from ponder.reasoning.formats import ReasoningFormat, detect_format
from ponder.reasoning.loop import TurnLoop
from ponder.reasoning.prompt import render_history, render_prompt
from ponder.turn import Turn
from ponder.types import Message, Role


class Runtime:
    def __init__(
        self,
        engine: Engine,
        template: ChatTemplate | None = None,
        fmt: ReasoningFormat | None = None,
        model_id: str | None = None,
    ):
        info = engine.info
        self.engine = engine
        self.model_id = model_id or info.name  # the name clients use for this model
        self.template = template or ChatTemplate(info.chat_template, info.bos_text, info.eos_text)
        self.format = fmt or detect_format(info.chat_template)

    @classmethod
    def load(cls, config: EngineConfig | None = None) -> Runtime:
        from ponder.engine.llama import LlamaEngine  # llama.cpp loads only when a model does

        config = config or EngineConfig()
        return cls(LlamaEngine(resolve_model(config.model), config), model_id=model_id_for(config.model))

    @property
    def n_ctx(self) -> int:
        return self.engine.info.n_ctx

    def render(self, messages: Sequence[Message], think: bool, keep_reasoning: bool = False) -> str:
        """The prompt text of the next turn: history without old reasoning, block opened."""
        dicts = history.for_template(messages, self.format, keep_reasoning)
        return render_prompt(self.template, self.format, dicts, think)

    def prompt_tokens(self, messages: Sequence[Message], think: bool, keep_reasoning: bool = False) -> list[int]:
        return self._tokens(self.render(messages, think, keep_reasoning))

    def history_tokens(self, messages: Sequence[Message], think: bool, keep_reasoning: bool = False) -> list[int]:
        """Tokens of the visible history that the next turn's prompt will start with."""
        dicts = history.for_template(messages, self.format, keep_reasoning)
        return self._tokens(render_history(self.template, self.format, dicts, think))

    def _tokens(self, text: str) -> list[int]:
        tokens = self.engine.tokenize(text, special=True)
        info = self.engine.info
        if info.add_bos and not text.startswith(info.bos_text):
            tokens = self.engine.tokenize(info.bos_text, special=True) + tokens
        return tokens

    def respond(
        self,
        messages: Sequence[Message],
        options: TurnOptions | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        strategy: StrategyLike | None = None,
    ) -> Turn:
        """Start the next assistant turn; with `loop`, the Turn is consumed with async for.

        strategy: a test-time strategy (ponder.strategies) that runs the turn as several
        sequences and combines them; None runs one sequence, as the single strategy does.
        """
        options = options or TurnOptions()
        if strategy is not None:
            return strategy.respond(self, messages, options, loop)
        events = AsyncChannel(loop) if loop is not None else ThreadChannel()
        launched = self.launch(messages, options, events.put)
        return Turn(events, launched.controller, launched.handle, launched.dropped, self.n_ctx,
                    on_result=lambda result: launched.warm_next(result.message.content, result.usage.reasoning_tokens))

    def launch(self, messages: Sequence[Message], options: TurnOptions, emit: Callable[[object], None]) -> Launched:
        """Submit one sequence whose TurnLoop reports through emit; the parts of a Turn."""
        check_messages(messages)
        budget = settle_budget(
            options.effort, options.reasoning_budget, options.max_completion_tokens, self.n_ctx
        )

        def count(candidate: Sequence[Message]) -> int:
            return len(self.prompt_tokens(candidate, budget.thinks, options.keep_reasoning))

        kept, dropped = window.fit(messages, count, self.n_ctx, budget.completion, options.truncation)
        prompt = self.prompt_tokens(kept, budget.thinks, options.keep_reasoning)
        # The conversation so far, without the generation prompt: the next turn shares it.
        history = common_prefix(prompt, self.history_tokens(kept, budget.thinks, options.keep_reasoning))
        controller = TurnLoop(self.format, budget, self.engine, emit, options.stop, options.handoff,
                              options.min_reasoning, options.continuation)
        handle = self.engine.submit(prompt, sampling_of(options), controller, history)
        return Launched(self, controller, handle, dropped, kept, prompt, options)

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class StrategyLike(Protocol):
    def respond(self, runtime: Runtime, messages: Sequence[Message], options: TurnOptions,
                loop: asyncio.AbstractEventLoop | None) -> Turn: ...


@dataclass
class Launched:
    """One submitted sequence: its controller and handle, and what its prompt was made of."""

    runtime: Runtime
    controller: TurnLoop
    handle: Handle
    dropped: int
    kept: list[Message]
    prompt: list[int]
    options: TurnOptions

    def warm_next(self, content: str, reasoning_tokens: int, shift: bool = True) -> None:
        """The next turn sends this history without the reasoning: evaluate it in idle time,
        answer at its true positions, so that turn prefills only its new message.

        shift=False re-prefills exactly even under kv_reuse="shift": after several sequences
        shared this prompt, the cells to cut might be another sequence's.
        """
        if not content:
            return
        runtime, thinks, keep = self.runtime, self.controller.budget.thinks, self.options.keep_reasoning
        canonical = runtime.history_tokens([*self.kept, Message(Role.ASSISTANT, content)], thinks, keep)
        plan = ShiftPlan(tuple(self.prompt), common_prefix(self.prompt, canonical), reasoning_tokens)
        runtime.engine.warm(canonical, plan, cut=thinks and shift)


def sampling_of(options: TurnOptions) -> SamplingParams:
    return SamplingParams(temperature=options.temperature, top_p=options.top_p, top_k=options.top_k,
                          seed=options.seed, logprobs=options.logprobs)


def check_messages(messages: Sequence[Message]) -> None:
    if not messages:
        raise InvalidOption("messages", "the conversation is empty")
    last = messages[-1]
    if last.role is not Role.USER:
        raise InvalidOption("messages", f"the last message must come from the user, not the {last.role.value}")
    if not last.content.strip():
        raise InvalidOption("messages", "the newest user message is empty")
