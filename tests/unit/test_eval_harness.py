"""The harness on a scripted engine: strategies, scoring, token accounting, failures and Ctrl-C."""

import asyncio

import pytest

from ponder.engine.fake import FakeEngine
from ponder.errors import ContextOverflow
from ponder.eval.builtin import builtin_task
from ponder.eval.gate import TurnGate
from ponder.eval.harness import RunOptions, run_eval
from ponder.eval.settings import Setting, sample_seed
from ponder.eval.sources import EvalTask, Item, numeric_check, numeric_extract
from ponder.eval.strategies import build, reserved_cells
from ponder.runtime import Runtime
from ponder.types import Effort, Message, Role

NONE, LOW = Effort.NONE, Effort.LOW


class SeededFake(FakeEngine):
    """A fake whose reply depends on the sequence's seed, so one problem's candidates can disagree."""

    def __init__(self, say):
        super().__init__()
        self.say, self.seeds = say, []

    def submit(self, prompt, sampling, controller, history=None, key=None, reserve=None):
        self.seeds.append(sampling.seed)
        self.scripts = [self.say(sampling.seed)] * (len(self.prompts) + 1)
        return super().submit(prompt, sampling, controller)


def task(*expected, system=None):
    items = [Item(f"What is {answer}?", answer) for answer in expected]
    return EvalTask("sums", items, numeric_extract, numeric_check, system)


def run(runtime, tasks, settings, **options):
    return run_eval(runtime, {t.name: t for t in tasks}, settings, RunOptions(**options))


def prompt_length(runtime, question, effort):
    return len(runtime.prompt_tokens([Message(Role.USER, question)], effort is not NONE))


def test_accuracy_and_tokens_of_one_setting(scripted):
    runtime = scripted("The answer is 4.")
    done = run(runtime, [task("4", "5", "4")], [Setting("sums", NONE, 1)])
    assert not done.interrupted
    summary = done.results[0].summary()
    assert summary["n_done"] == 3 and not summary["partial"] and summary["strategy"] == "single"
    assert summary["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    answer_tokens = len(runtime.engine.tokenize("The answer is 4."))
    assert summary["answer_tokens_per_sample"] == answer_tokens
    assert summary["reasoning_tokens_per_sample"] == 0
    assert summary["tokens_per_problem"] == answer_tokens
    assert summary["errors"] == 0 and summary["no_answer"] == 0
    for problem in done.results[0].problems:
        assert problem.report is None and len(problem.samples) == 1
        assert problem.prompt_tokens == problem.samples[0].prompt_tokens > 0
        assert problem.spent_tokens == problem.prompt_tokens - problem.cached_tokens + answer_tokens


def test_vote_counts_every_candidate_and_spends_the_shared_prompt_once(scripted):
    runtime = scripted("four</think>The answer is 4.")
    done = run(runtime, [task("4")], [Setting("sums", LOW, 3, "vote")])
    s, (problem,) = done.results[0].summary(), done.results[0].problems
    assert s["strategy"] == "vote" and s["samples"] == 3 and len(problem.samples) == 3
    assert s["reasoning_tokens_per_sample"] > 0
    assert s["reasoning_tokens_per_problem"] == pytest.approx(3 * s["reasoning_tokens_per_sample"])
    completion = s["reasoning_tokens_per_sample"] + s["answer_tokens_per_sample"]
    assert s["tokens_per_problem"] == pytest.approx(3 * completion)
    # three prompts, two of them served from the cache the first one filled
    prompt = prompt_length(runtime, "What is 4?", LOW)
    assert (problem.prompt_tokens, problem.cached_tokens) == (3 * prompt, 2 * prompt)
    assert s["tokens_spent_per_problem"] == prompt + 3 * completion
    assert all(sample.prompt_tokens == prompt for sample in problem.samples)
    assert problem.report["name"] == "vote" and problem.report["votes"] == {"4": 3}
    assert "candidates" not in problem.report  # they are the samples
    assert s["accuracy"] == 1.0


def test_vote_candidates_get_the_problems_seed_plus_i_and_are_voted():
    base = sample_seed(7, 0, 0)
    replies = {base: "It is 5.", base + 1: "It is 4.", base + 2: "The answer is 4."}
    engine = SeededFake(lambda seed: replies[seed])
    done = run(Runtime(engine), [task("4")], [Setting("sums", NONE, 3, "vote")], seed=7)
    problem = done.results[0].problems[0]
    assert engine.seeds == [base, base + 1, base + 2]
    assert [(s.seed, s.answer, s.correct) for s in problem.samples] == [(base, "5", False), (base + 1, "4", True),
                                                                       (base + 2, "4", True)]
    assert problem.answer == "4" and problem.correct
    assert done.results[0].summary()["sample_accuracy"] == pytest.approx(2 / 3, abs=1e-4)


def test_vote_candidates_keep_their_own_reasoning_and_its_audit():
    item = builtin_task("mul:3x2", 1, 0).items[0]
    worked = item.entry.trace_text
    slipped = worked.replace("=", "=9", 1)  # the first equation's value gets a wrong leading 9
    replies = [worked, slipped, worked]
    engine = SeededFake(lambda seed: f"{replies[seed - sample_seed(0, 0, 0)]}</think>The answer is {item.expected}.")
    tasks = {"mul:3x2": EvalTask("mul:3x2", [item], numeric_extract, numeric_check)}
    done = run_eval(Runtime(engine), tasks, [Setting("mul:3x2", Effort.HIGH, 3, "vote")],
                    RunOptions(max_completion_tokens=1000))
    samples = done.results[0].problems[0].samples
    assert [s.reasoning for s in samples] == [r.strip() for r in replies]
    assert [s.audit["slips"] for s in samples] == [0, 1, 0] and samples[1].audit["departure"] == "value"
    # the report a client gets keeps no candidate's reasoning
    assert all("reasoning" not in c for c in done.results[0].problems[0].report.get("candidates", []))


def test_a_single_problem_keeps_the_seed_it_had_before_strategies():
    engine = SeededFake(lambda seed: "It is 4.")
    run(Runtime(engine), [task("4", "4")], [Setting("sums", NONE, 1)], seed=3, parallel=1)
    assert engine.seeds == [sample_seed(3, 0, 0), sample_seed(3, 1, 0)]


def test_the_checker_finds_the_right_answer_the_vote_outnumbers():
    runtime = Runtime(FakeEngine(["It is 5.", "It is 4.", "The answer is 5."]))
    settings = [Setting("sums", NONE, 3, "vote"), Setting("sums", NONE, 3, "best_of_n/checker")]
    voted, checked = run(runtime, [task("4")], settings).results
    assert voted.problems[0].answer == "5" and not voted.problems[0].correct
    problem = checked.problems[0]
    assert problem.answer == "4" and problem.correct
    assert [s.score for s in problem.samples] == [0.0, 1.0, 0.0]
    assert problem.report["verifier"] == "checker" and problem.report["scores"] == [0.0, 1.0, 0.0]
    summary = checked.summary()
    assert summary["accuracy"] == 1.0 and summary["sample_accuracy"] == pytest.approx(1 / 3, abs=1e-4)


def test_vote_surest_lets_the_surer_samples_outvote_the_many_and_records_each_ones_confidence():
    scripts = ["It is 5.", "It is 4.", "The answer is 5.", "It is 4.", "So 5."]
    logprobs = [-1.0, -0.1, -0.9, -0.2, -0.8]
    settings = [Setting("sums", NONE, 5, "vote"), Setting("sums", NONE, 5, "vote/surest")]
    voted, surest = run(Runtime(FakeEngine(scripts, logprobs=logprobs)), [task("4")], settings).results
    assert voted.problems[0].answer == "5" and not voted.problems[0].correct
    problem = surest.problems[0]
    assert problem.answer == "4" and problem.correct
    assert problem.report["voters"] == [1] and problem.report["votes"] == {"4": 1}  # a tenth of 5: at least one
    assert [s.mean_logprob for s in problem.samples] == logprobs
    assert surest.summary()["strategy"] == "vote/surest" and surest.setting.spec == "vote@5/surest"


def test_vote_consistent_leaves_out_the_samples_that_contradict_themselves():
    wrong, right = "9*9=81, so 9*9=71</think>It is 5.", "9*9=81, so 9*9=81</think>It is 4."
    settings = [Setting("sums", LOW, 5, "vote"), Setting("sums", LOW, 5, "vote/consistent")]
    runtime = Runtime(FakeEngine([wrong, right, wrong, right, wrong]))
    voted, consistent = run(runtime, [task("4")], settings).results
    assert voted.problems[0].answer == "5" and not voted.problems[0].correct
    problem = consistent.problems[0]
    assert problem.answer == "4" and problem.correct
    assert problem.report["contradicted"] == [0, 2, 4] and problem.report["votes"] == {"4": 2}
    assert [s.correct for s in problem.samples] == [False, True, False, True, False]  # every sample still counts
    assert consistent.summary()["strategy"] == "vote/consistent" and consistent.setting.spec == "vote@5/consistent"


def test_the_checker_asks_the_task_so_it_scores_any_source():
    spoken = EvalTask("words", [Item("Name the colour of the sky.", "blue")], lambda text, item: text.strip().lower(),
                      lambda answer, item: answer == item.expected)
    runtime = Runtime(FakeEngine(["green", "Blue", "red"]))
    (result,) = run(runtime, [spoken], [Setting("words", NONE, 3, "best_of_n/checker")]).results
    assert result.problems[0].answer == "blue" and result.problems[0].correct


def test_the_self_judges_probes_are_spent_tokens():
    def judge(prompt):  # the scripted model believes answers with a 4 in them
        return {"correct": -0.1, "wrong": -3.0} if "answer: It is 4" in prompt else {"correct": -3.0, "wrong": -0.1}

    runtime = Runtime(FakeEngine(["It is 5.", "It is 4.", "It is 5."], judge=judge))
    (result,) = run(runtime, [task("4")], [Setting("sums", NONE, 3, "best_of_n/self")]).results
    problem, s = result.problems[0], result.summary()
    assert problem.correct and problem.report["probes"] == 3 and problem.report["sequences"] == 3
    prompt = prompt_length(runtime, "What is 4?", NONE)
    assert problem.prompt_tokens > 3 * prompt  # the judges' prompts count too
    completion = problem.reasoning_tokens + problem.answer_tokens
    assert problem.spent_tokens == problem.prompt_tokens - problem.cached_tokens + completion
    assert s["tokens_spent_per_problem"] == problem.spent_tokens > prompt + completion


def test_think_longer_is_one_sample_with_its_whole_usage():
    # it would stop at once; forced on, it reasons past half the budget (128) and answers
    runtime = Runtime(FakeEngine("short</think>" + "more " * 80 + "</think>The answer is 4."))
    (result,) = run(runtime, [task("4")], [Setting("sums", LOW, 1, "think_longer")]).results
    problem = result.problems[0]
    (sample,) = problem.samples
    assert problem.correct and problem.report["name"] == "think_longer" and problem.report["continuations"] == 1
    assert sample.reasoning_tokens == problem.report["reasoning_tokens"]
    assert sample.reasoning_tokens >= problem.report["min_reasoning_tokens"] == 128
    assert result.summary()["tokens_spent_per_problem"] == problem.spent_tokens


def test_refine_counts_every_round_in_its_one_sample():
    runtime = Runtime(FakeEngine(["a</think>The answer is 5.", "b</think>Wrong: it is 4.", "c</think>The answer is 4.",
                                  "d</think>No mistakes."]))
    (result,) = run(runtime, [task("4")], [Setting("sums", LOW, 1, "refine")]).results
    problem = result.problems[0]
    (sample,) = problem.samples
    assert problem.answer == "4" and problem.correct and problem.report["rounds"] == 2
    assert problem.report["sequences"] == 4
    assert sample.answer_tokens == sum(len(runtime.engine.tokenize(s.split("</think>")[1])) for s in
                                       ["a</think>The answer is 5.", "b</think>Wrong: it is 4.",
                                        "c</think>The answer is 4.", "d</think>No mistakes."])


def test_system_message_goes_first(scripted):
    runtime = scripted("42")
    run(runtime, [task("42", system="Answer in <answer> tags.")], [Setting("sums", NONE, 1)])
    prompt = runtime.engine.detokenize(runtime.engine.prompts[-1])
    assert prompt.index("Answer in <answer> tags.") < prompt.index("What is 42?")


class Failing(Runtime):
    def prompt(self, messages, options):
        if "13" in messages[-1].content:
            raise ContextOverflow(100, 50, 120)
        return super().prompt(messages, options)


@pytest.mark.parametrize("setting", [Setting("sums", NONE, 1), Setting("sums", NONE, 2, "vote")])
def test_a_failed_problem_is_recorded_and_the_run_goes_on(setting):
    done = run(Failing(FakeEngine("It is 12.")), [task("12", "13")], [setting])
    s = done.results[0].summary()
    assert s["n_done"] == 2 and s["errors"] == 1 and s["accuracy"] == 0.5
    failed = next(p for p in done.results[0].problems if p.expected == "13")
    assert failed.answer is None and "context window exceeded" in failed.samples[0].error
    assert failed.spent_tokens == 0


class Interrupted(Runtime):
    """Ctrl-C arrives as the `at`-th turn starts."""

    def __init__(self, engine, at):
        super().__init__(engine)
        self.at, self.calls = at, 0

    def respond(self, messages, options=None, loop=None, strategy=None):
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return super().respond(messages, options, loop, strategy)


def test_ctrl_c_keeps_every_finished_problem():
    settings = [Setting("sums", NONE, 1), Setting("sums", LOW, 2, "vote"), Setting("sums", Effort.HIGH, 1)]
    runtime = Interrupted(FakeEngine("four</think>The answer is 4."), at=4 + 3)  # second setting, third problem
    done = run(runtime, [task("4", "4", "5", "4")], settings, parallel=2)
    assert done.interrupted
    first, second = done.results  # the third setting never started
    assert first.n_done == 4 and not first.partial and first.summary()["accuracy"] == 0.75
    # problem 0 surely finished; problem 1 may have been running as the interrupt came
    assert second.partial and 1 <= second.n_done <= 2 and second.summary()["n_done"] == second.n_done
    assert {p.index for p in second.problems} <= {0, 1} and all(p.correct for p in second.problems)
    assert second.to_dict()["problems"][0]["index"] == 0
    assert second.wall_s > 0


def test_a_problem_reserves_cells_for_every_sequence_it_runs_at_once():
    item, sums = Item("What is 4?", "4"), task("4")
    assert reserved_cells(build("single", 1, sums, item), 50, 300) == 350
    assert reserved_cells(build("vote", 8, sums, item), 50, 300) == 8 * 350
    assert reserved_cells(build("best_of_n/self", 4, sums, item), 50, 300) == 4 * 350
    assert reserved_cells(build("think_longer", 1, sums, item), 50, 300) == 350
    # refine's last revision holds the draft, two critiques and a revision before it
    assert reserved_cells(build("refine", 1, sums, item), 50, 300) == 50 + 5 * 300


def run_gate(scenario):
    return asyncio.run(scenario())


def test_gate_admits_by_sequences_and_cells_first_come_first_served():
    async def scenario():
        gate, order = TurnGate(max_sequences=2, max_cells=100), []

        async def turn(name, cells, hold):
            await gate.enter(cells)
            order.append(name)
            await asyncio.sleep(hold)
            gate.leave(cells)

        await asyncio.gather(turn("a", 60, 0.02), turn("big", 60, 0), turn("small", 10, 0))
        return order, gate

    order, gate = run_gate(scenario)
    assert order == ["a", "big", "small"]  # "small" would fit beside "a" but does not overtake
    assert gate.sequences == 0 and gate.cells == 0


def test_a_wide_turn_takes_one_slot_per_sequence():
    async def scenario():
        gate, order, peak = TurnGate(max_sequences=4, max_cells=1000), [], []

        async def turn(name, width, hold):
            await gate.enter(10 * width, width)
            order.append(name)
            peak.append(gate.sequences)
            await asyncio.sleep(hold)
            gate.leave(10 * width, width)
            order.append(f"{name} left")

        await asyncio.gather(turn("vote@3", 3, 0.02), turn("vote@2", 2, 0.01), turn("single", 1, 0))
        return order, max(peak), gate

    order, peak, gate = run_gate(scenario)
    assert order[:3] == ["vote@3", "vote@3 left", "vote@2"]  # 3 + 2 > 4: vote@2 waited
    assert set(order[3:]) == {"single", "single left", "vote@2 left"} and peak == 3
    assert gate.sequences == 0 and gate.cells == 0


def test_gate_admits_an_oversized_turn_alone_and_survives_cancellation():
    async def scenario():
        gate = TurnGate(max_sequences=1, max_cells=100)
        await gate.enter(500, 8)  # alone: admitted (the runtime has checked the window)
        waiter = asyncio.ensure_future(gate.enter(10))
        await asyncio.sleep(0)
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
        gate.leave(500, 8)
        await asyncio.wait_for(gate.enter(10), 1)
        return gate

    gate = run_gate(scenario)
    assert gate.sequences == 1 and gate.cells == 10
