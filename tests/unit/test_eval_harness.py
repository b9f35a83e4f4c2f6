"""The harness on a scripted engine: scoring, voting, token accounting, failures and Ctrl-C."""

import asyncio

import pytest

from ponder.engine.fake import FakeEngine
from ponder.errors import ContextOverflow
from ponder.eval.gate import TurnGate
from ponder.eval.harness import RunOptions, run_eval
from ponder.eval.settings import Setting, sample_seed
from ponder.eval.sources import EvalTask, Item, numeric_check, numeric_extract
from ponder.runtime import Runtime
from ponder.types import Effort


class SeededFake(FakeEngine):
    """A fake whose reply depends on the sample's seed, so samples of one problem can disagree."""

    def __init__(self, say):
        super().__init__()
        self.say, self.seeds = say, []

    def submit(self, prompt, sampling, controller):
        self.seeds.append(sampling.seed)
        self.scripts = [self.say(sampling.seed)] * (len(self.prompts) + 1)
        return super().submit(prompt, sampling, controller)


def task(*expected, system=None):
    items = [Item(f"What is {answer}?", answer) for answer in expected]
    return EvalTask("sums", items, numeric_extract, numeric_check, system)


def run(runtime, tasks, settings, **options):
    return run_eval(runtime, {t.name: t for t in tasks}, settings, RunOptions(**options))


def test_accuracy_and_tokens_of_one_setting(scripted):
    runtime = scripted("The answer is 4.")
    done = run(runtime, [task("4", "5", "4")], [Setting("sums", Effort.NONE, 1)])
    assert not done.interrupted
    summary = done.results[0].summary()
    assert summary["n_done"] == 3 and not summary["partial"]
    assert summary["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    answer_tokens = len(runtime.engine.tokenize("The answer is 4."))
    assert summary["answer_tokens_per_sample"] == answer_tokens
    assert summary["reasoning_tokens_per_sample"] == 0
    assert summary["tokens_per_problem"] == answer_tokens
    assert summary["errors"] == 0 and summary["no_answer"] == 0


def test_reasoning_tokens_count_per_sample_and_per_problem(scripted):
    runtime = scripted("four</think>The answer is 4.")
    done = run(runtime, [task("4")], [Setting("sums", Effort.LOW, 3)])
    s = done.results[0].summary()
    assert s["reasoning_tokens_per_sample"] > 0
    assert s["reasoning_tokens_per_problem"] == pytest.approx(3 * s["reasoning_tokens_per_sample"])
    per_sample = s["reasoning_tokens_per_sample"] + s["answer_tokens_per_sample"]
    assert s["tokens_per_problem"] == pytest.approx(3 * per_sample)
    assert s["accuracy"] == 1.0


def test_samples_get_distinct_reproducible_seeds_and_are_voted():
    # seeds are pseudo-random: make the reply depend on which of the problem's samples it is
    by_seed = {sample_seed(7, 0, k): k for k in range(3)}
    replies = {0: "It is 5.", 1: "It is 4.", 2: "The answer is 4."}
    engine = SeededFake(lambda seed: replies[by_seed[seed]])
    done = run(Runtime(engine), [task("4")], [Setting("sums", Effort.NONE, 3)], seed=7)
    problem = done.results[0].problems[0]
    assert sorted(engine.seeds) == sorted(by_seed)
    assert [s.answer for s in problem.samples] == ["5", "4", "4"]  # in sample order
    assert problem.answer == "4" and problem.correct
    assert done.results[0].summary()["sample_accuracy"] == pytest.approx(2 / 3, abs=1e-4)


def test_system_message_goes_first(scripted):
    runtime = scripted("42")
    run(runtime, [task("42", system="Answer in <answer> tags.")], [Setting("sums", Effort.NONE, 1)])
    prompt = runtime.engine.detokenize(runtime.engine.prompts[-1])
    assert prompt.index("Answer in <answer> tags.") < prompt.index("What is 42?")


class Failing(Runtime):
    def respond(self, messages, options=None, loop=None):
        if "13" in messages[-1].content:
            raise ContextOverflow(100, 50, 120)
        return super().respond(messages, options, loop)


def test_a_failed_sample_is_recorded_and_the_run_goes_on():
    done = run(Failing(FakeEngine("It is 12.")), [task("12", "13")], [Setting("sums", Effort.NONE, 1)])
    s = done.results[0].summary()
    assert s["n_done"] == 2 and s["errors"] == 1 and s["accuracy"] == 0.5
    failed = next(p for p in done.results[0].problems if p.expected == "13")
    assert failed.answer is None and "context window exceeded" in failed.samples[0].error


class Interrupted(Runtime):
    """Ctrl-C arrives as the `at`-th turn starts."""

    def __init__(self, engine, at):
        super().__init__(engine)
        self.at, self.calls = at, 0

    def respond(self, messages, options=None, loop=None):
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return super().respond(messages, options, loop)


def test_ctrl_c_keeps_every_finished_problem():
    settings = [Setting("sums", Effort.NONE, 1), Setting("sums", Effort.LOW, 1), Setting("sums", Effort.HIGH, 1)]
    runtime = Interrupted(FakeEngine("four</think>The answer is 4."), at=4 + 3)  # second setting, third problem
    done = run(runtime, [task("4", "4", "5", "4")], settings, parallel=1)
    assert done.interrupted
    first, second = done.results  # the third setting never started
    assert first.n_done == 4 and not first.partial and first.summary()["accuracy"] == 0.75
    # problem 0 surely finished; problem 1 may have been voting as the interrupt came
    assert second.partial and 1 <= second.n_done <= 2 and second.summary()["n_done"] == second.n_done
    assert {p.index for p in second.problems} <= {0, 1} and all(p.correct for p in second.problems)
    assert second.to_dict()["problems"][0]["index"] == 0
    assert second.wall_s > 0


def run_gate(scenario):
    return asyncio.run(scenario())


def test_gate_admits_by_turns_and_cells_first_come_first_served():
    async def scenario():
        gate, order = TurnGate(max_turns=2, max_cells=100), []

        async def turn(name, cells, hold):
            await gate.enter(cells)
            order.append(name)
            await asyncio.sleep(hold)
            gate.leave(cells)

        await asyncio.gather(turn("a", 60, 0.02), turn("big", 60, 0), turn("small", 10, 0))
        return order, gate

    order, gate = run_gate(scenario)
    assert order == ["a", "big", "small"]  # "small" would fit beside "a" but does not overtake
    assert gate.turns == 0 and gate.cells == 0


def test_gate_admits_an_oversized_turn_alone_and_survives_cancellation():
    async def scenario():
        gate = TurnGate(max_turns=1, max_cells=100)
        await gate.enter(500)  # alone: admitted (the runtime has checked the window)
        waiter = asyncio.ensure_future(gate.enter(10))
        await asyncio.sleep(0)
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
        gate.leave(500)
        await asyncio.wait_for(gate.enter(10), 1)
        return gate

    gate = run_gate(scenario)
    assert gate.turns == 1 and gate.cells == 10
