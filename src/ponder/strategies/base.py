"""The strategy contract: a test-time strategy is a generator of rounds of sequences.

A strategy's run() yields a list of Asks (sequences to run at once, sharing the engine's
batch and, where their prompts agree, its KV cells), receives their Dones in the same order,
and may yield again (refine critiques, best_of_n's self-judge scores) until it returns an
Outcome: which Done answers, and a report of what it did. The driver (driver.py) owns
everything else: submitting, streaming, usage, cancellation. A strategy never touches the
engine, threads or channels, so a library user can write one in a few lines.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from abc import ABC, abstractmethod
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from ponder.config import TurnOptions
from ponder.errors import InvalidOption
from ponder.reasoning.budget import requested_reasoning
from ponder.types import Message, TurnResult

if TYPE_CHECKING:
    from ponder.context.prompt import Prompt
    from ponder.runtime import Runtime
    from ponder.turn import Turn


class Shown(enum.Enum):
    LIVE = "live"  # the sequence's reasoning and answer stream as the turn's own
    AS_REASONING = "as_reasoning"  # everything it says streams as reasoning, under its label
    HIDDEN = "hidden"  # says nothing (probes)


@dataclass(frozen=True)
class Ask:
    """One sequence a strategy wants run."""

    messages: tuple[Message, ...]
    options: TurnOptions
    label: str  # heads its text in the reasoning stream ("candidate 2/8")
    shown: Shown = Shown.AS_REASONING
    # Words whose probability as the first answer token is wanted (a judge): no text is
    # generated; Done.probe gets each word's probability instead.
    probe: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.probe:
            object.__setattr__(self, "shown", Shown.HIDDEN)


@dataclass(frozen=True)
class Done:
    ask: Ask
    result: TurnResult  # for a probe: usage only, empty message
    probe: dict[str, float] = field(default_factory=dict)

    @property
    def content(self) -> str:
        return self.result.message.content


@dataclass(frozen=True)
class Outcome:
    chosen: Done  # whose answer the turn gives
    report: dict  # what the strategy did, for the caller (name, votes, scores, ...)
    summary: str = ""  # one line for the reasoning stream, after every candidate's text
    # the Dones the report's "candidates" describe, in its order: their results (reasoning
    # included) reach the turn's caller in process, never a client (types.TurnResult.candidates)
    candidates: tuple[Done, ...] = ()


MAX_N = 64  # library callers' limit; a server sets its own (ServerConfig.max_samples)

Run = Generator[list[Ask], list[Done], Outcome]


class Strategy(ABC):
    name: ClassVar[str]
    width: int = 1  # sequences it runs at once, at most (callers reserve KV cells for them)
    needs_reasoning: ClassVar[bool] = False  # it cannot run at effort none

    @abstractmethod
    def run(self, messages: tuple[Message, ...], options: TurnOptions) -> Run:
        """Yield rounds of Asks, receive their Dones, return the Outcome."""

    def check(self, messages: Sequence[Message], options: TurnOptions, max_n: int) -> None:
        """Refuse, before anything runs, what this strategy cannot do (InvalidOption)."""
        if self.width > max_n:
            raise InvalidOption("strategy.n", f"{self.name} with n={self.width} is over this server's maximum of {max_n}")
        if self.needs_reasoning and not reasoning_tokens(options):
            raise InvalidOption("strategy", f"{self.name} needs a reasoning phase, and effort none has none")

    def respond(self, runtime: Runtime, prompt: Prompt, options: TurnOptions,
                loop: asyncio.AbstractEventLoop | None) -> Turn:
        from ponder.strategies.driver import StrategyTurn  # the driver imports the runtime's parts

        self.check(prompt.messages, options, max_n=MAX_N)
        if self.width > 1:
            check_cells(runtime.engine.info.kv_cells, prompt, self.width, self.spec, "strategy.n")
        return StrategyTurn(runtime, self, prompt, options, loop)

    @property
    def count(self) -> int | None:
        """Its main number, the short form's @COUNT (registry.py): samples, rounds, a floor."""
        return None

    @property
    def spec(self) -> str:
        """The short form that names it (model suffix, CLI, eval), which parses back to it: "vote@8"."""
        return self.name if self.count is None else f"{self.name}@{self.count}"


def check_cells(pool: int, prompt: Prompt, sequences: int, what: str, param: str) -> None:
    """Refuse sequences of one prompt that could never fit the KV pool together.

    The engine's pool is one set of cells (kv_unified), apart from the window: the prompt is
    stored once and shared, but every sequence fills its own completion. The engine admits a
    request only once its reserve fits, so sequences that could not fit even alone together
    would wait forever, or run one after another and each be preempted: a clear error up front.
    """
    size = len(prompt.tokens)
    completion = prompt.cells - size
    need = size + sequences * completion
    if need > pool:
        raise InvalidOption(param, f"{what} may fill {need} KV cells (a {size}-token prompt and {sequences} "
                            f"completions of up to {completion} tokens) but the pool holds {pool}; lower n or "
                            f"max_completion_tokens, or start with a larger pool (--kv-cells)")


def reasoning_tokens(options: TurnOptions) -> int:
    """The reasoning budget the options ask for (before the window may shrink it); 0: none."""
    return requested_reasoning(options.effort, options.reasoning_budget)


def question_of(messages: Sequence[Message]) -> str:
    return messages[-1].content if messages else ""


def seeded(options: TurnOptions, index: int, **changes) -> TurnOptions:
    """Sample i of a seeded request uses seed + i: samples differ, and a rerun repeats them."""
    seed = options.seed + index if options.seed is not None else None
    return dataclasses.replace(options, seed=seed, **changes)


def check_count(param: str, value: object, low: int = 1) -> int:
    """A strategy's count (n, rounds, min_tokens) as given by a caller: an int, big enough."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidOption(f"strategy.{param}", f"must be an integer, got {value!r}")
    if value < low:
        raise InvalidOption(f"strategy.{param}", f"must be at least {low}, got {value}")
    return value
