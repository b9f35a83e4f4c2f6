"""The eval harness: every setting's problems, through the one Runtime, many turns at a time.

Each setting runs on an asyncio loop: every sample of every problem is a task that waits at a
TurnGate, then calls runtime.respond(..., loop=...) exactly as the server does, so the
engine's continuous batching serves up to --parallel sequences at once. A problem's samples
are majority-voted as soon as the last one ends, and the outcome is recorded at once: Ctrl-C
(KeyboardInterrupt) cancels the turns still running and leaves every finished problem in the
results, which run_eval returns marked interrupted.

The harness knows nothing about terminals, files or plots; an Observer hears of progress.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ponder.config import TurnOptions
from ponder.errors import ContextOverflow, EngineFailure
from ponder.eval.gate import TurnGate
from ponder.eval.results import ProblemOutcome, SampleOutcome, SettingResult
from ponder.eval.settings import Setting, sample_seed
from ponder.eval.sources import EvalTask, Item
from ponder.eval.vote import majority_vote
from ponder.reasoning.budget import settle_budget
from ponder.runtime import Runtime
from ponder.types import Message, Role


@dataclass(frozen=True)
class RunOptions:
    seed: int = 0
    parallel: int = 8  # turns in flight at once (the engine batches up to n_seq_max of them)
    temperature: float = 0.6
    max_completion_tokens: int | None = None  # None: the effort's budget plus room for the answer


class Observer(Protocol):
    def setting_started(self, setting: Setting, n_problems: int) -> None: ...

    def problem_done(self, setting: Setting, outcome: ProblemOutcome) -> None: ...


class _Silent:
    def setting_started(self, setting: Setting, n_problems: int) -> None:
        pass

    def problem_done(self, setting: Setting, outcome: ProblemOutcome) -> None:
        pass


@dataclass
class EvalRun:
    results: list[SettingResult]  # the settings started, in grid order
    interrupted: bool = False


def run_eval(
    runtime: Runtime,
    tasks: dict[str, EvalTask],
    settings: Sequence[Setting],
    options: RunOptions,
    observer: Observer | None = None,
) -> EvalRun:
    """Run the settings one after another; on Ctrl-C, stop and return what finished."""
    observer = observer or _Silent()
    run = EvalRun([])
    try:
        for setting in settings:
            task = tasks[setting.task]
            result = SettingResult(setting, len(task.items))
            run.results.append(result)  # before it runs: an interrupt keeps what it finished
            observer.setting_started(setting, len(task.items))
            started = time.perf_counter()
            try:
                asyncio.run(_run_setting(runtime, task, result, options, observer))
            finally:
                result.wall_s = time.perf_counter() - started
    except KeyboardInterrupt:
        run.interrupted = True
    return run


async def _run_setting(runtime: Runtime, task: EvalTask, result: SettingResult, options: RunOptions,
                       observer: Observer) -> None:
    gate = TurnGate(options.parallel, runtime.n_ctx)
    problem = _ProblemRunner(runtime, task, result.setting, options, gate)

    async def one(index: int, item: Item) -> None:
        outcome = await problem.run(index, item)
        result.problems.append(outcome)  # recorded at once: an interrupt keeps it
        observer.problem_done(result.setting, outcome)

    await asyncio.gather(*(one(index, item) for index, item in enumerate(task.items)))


class _ProblemRunner:
    """Runs one problem's samples under the gate, and votes."""

    def __init__(self, runtime: Runtime, task: EvalTask, setting: Setting, options: RunOptions, gate: TurnGate):
        self.runtime, self.task, self.setting, self.options, self.gate = runtime, task, setting, options, gate
        self.budget = settle_budget(setting.effort, None, options.max_completion_tokens, runtime.n_ctx)

    async def run(self, index: int, item: Item) -> ProblemOutcome:
        messages = self.messages(item)
        # The most KV cells one sample can fill: its prompt plus its whole completion budget.
        cells = len(self.runtime.prompt_tokens(messages, self.budget.thinks)) + self.budget.completion
        spans: list[tuple[float, float]] = []
        samples = await asyncio.gather(
            *(self.sample(messages, item, sample_seed(self.options.seed, index, k), cells, spans)
              for k in range(self.setting.samples))
        )
        voted = majority_vote([s.answer for s in samples])  # samples in index order: ties go to the lowest
        latency = max(end for _, end in spans) - min(start for start, _ in spans)
        return ProblemOutcome(index, item.question, item.expected, voted, self.task.check(voted, item),
                              tuple(samples), latency)

    async def sample(self, messages: list[Message], item: Item, seed: int, cells: int,
                     spans: list[tuple[float, float]]) -> SampleOutcome:
        await self.gate.enter(cells)
        start = time.perf_counter()
        try:
            turn = self.runtime.respond(messages, self.turn_options(seed), loop=asyncio.get_running_loop())
            done = await turn.acollect()
        except (EngineFailure, ContextOverflow) as error:  # this sample failed; the run goes on
            return SampleOutcome(seed, "", None, False, error=str(error))
        finally:
            self.gate.leave(cells)
            spans.append((start, time.perf_counter()))
        answer = self.task.extract(done.message.content, item)
        usage = done.usage
        return SampleOutcome(
            seed, done.message.content, answer, self.task.check(answer, item), usage.prompt_tokens,
            usage.reasoning_tokens, usage.answer_tokens, done.finish_reason.value, done.budget_forced, done.elapsed_s,
        )

    def messages(self, item: Item) -> list[Message]:
        system = [Message(Role.SYSTEM, self.task.system)] if self.task.system else []
        return [*system, Message(Role.USER, item.question)]

    def turn_options(self, seed: int) -> TurnOptions:
        return TurnOptions(effort=self.setting.effort, seed=seed, temperature=self.options.temperature,
                           max_completion_tokens=self.options.max_completion_tokens)
