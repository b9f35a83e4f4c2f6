"""The eval harness: every setting's problems, through the one Runtime, many turns at a time.

Each setting runs on an asyncio loop: every problem is a task that waits at a TurnGate, then
makes ONE runtime.respond(..., loop=..., strategy=...) call, exactly as the server does: the
strategy (vote, best_of_n, ...) runs its sequences inside that turn, and the engine's
continuous batching serves up to --parallel sequences at once. A problem's outcome is
recorded as soon as its turn ends: Ctrl-C (KeyboardInterrupt) cancels the turns still
running and leaves every finished problem in the results, which run_eval returns marked
interrupted.

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
from ponder.eval.outcomes import failed_outcome, problem_outcome
from ponder.eval.results import ProblemOutcome, SettingResult
from ponder.eval.settings import Setting, sample_seed
from ponder.eval.sources import EvalTask, Item
from ponder.eval.strategies import build, reserved_cells, width
from ponder.runtime import Runtime
from ponder.types import Message, Role


@dataclass(frozen=True)
class RunOptions:
    seed: int = 0
    parallel: int = 8  # sequences in flight at once (the engine batches up to n_seq_max of them)
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
    gate = TurnGate(options.parallel, runtime.engine.info.kv_cells)
    problem = _ProblemRunner(runtime, task, result.setting, options, gate)

    async def one(index: int, item: Item) -> None:
        outcome = await problem.run(index, item)
        result.problems.append(outcome)  # recorded at once: an interrupt keeps it
        observer.problem_done(result.setting, outcome)

    await asyncio.gather(*(one(index, item) for index, item in enumerate(task.items)))


class _ProblemRunner:
    """Runs one problem as one strategy turn under the gate."""

    def __init__(self, runtime: Runtime, task: EvalTask, setting: Setting, options: RunOptions, gate: TurnGate):
        self.runtime, self.task, self.setting, self.options, self.gate = runtime, task, setting, options, gate

    async def run(self, index: int, item: Item) -> ProblemOutcome:
        messages, seed = self.messages(item), sample_seed(self.options.seed, index, 0)
        strategy = build(self.setting.strategy, self.setting.samples, self.task, item)
        options, started = self.turn_options(seed), time.perf_counter()
        try:
            prompt = self.runtime.prompt(messages, options)
        except ContextOverflow as error:  # this problem failed; the run goes on
            return failed_outcome(index, item, seed, error, time.perf_counter() - started)
        cells = reserved_cells(strategy, len(prompt.tokens), prompt.budget.completion)
        sequences = width(strategy)
        await self.gate.enter(cells, sequences)
        started = time.perf_counter()
        try:
            turn = self.runtime.respond(prompt, options, loop=asyncio.get_running_loop(), strategy=strategy)
            done = await turn.acollect()
        except (EngineFailure, ContextOverflow) as error:  # this problem failed; the run goes on
            return failed_outcome(index, item, seed, error, time.perf_counter() - started)
        finally:
            self.gate.leave(cells, sequences)
        return problem_outcome(self.task, index, item, seed, len(prompt.tokens), done)

    def messages(self, item: Item) -> list[Message]:
        system = [Message(Role.SYSTEM, self.task.system)] if self.task.system else []
        return [*system, Message(Role.USER, item.question)]

    def turn_options(self, seed: int) -> TurnOptions:
        return TurnOptions(effort=self.setting.effort, seed=seed, temperature=self.options.temperature,
                           max_completion_tokens=self.options.max_completion_tokens)
