"""Strategies on the scripted engine: what each chooses, reports, streams and counts."""

import asyncio

import pytest

from ponder.config import TurnOptions
from ponder.engine.fake import FakeEngine
from ponder.errors import EngineFailure, InvalidOption
from ponder.runtime import Runtime
from ponder.strategies import BestOfN, FunctionVerifier, Refine, Single, TaskChecker, ThinkLonger, Vote
from ponder.strategies.tally import surest, tally
from ponder.turn import Turn
from ponder.types import ContentDelta, Message, ReasoningDelta, Role, TurnResult

ASK = [Message(Role.USER, "What is 2 + 3?")]  # one of ponder's add phrasings: the checker reads it
LOW = TurnOptions(effort="low", seed=7)


class Recording(FakeEngine):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.samplings = []

    def submit(self, prompt, sampling, controller, history=None, key=None, reserve=None):
        self.samplings.append(sampling)
        return super().submit(prompt, sampling, controller)


def runtime(scripts, **engine_args) -> Runtime:
    return Runtime(Recording(scripts, **engine_args))


def run(rt, strategy, options=LOW, messages=ASK):
    events = list(rt.respond(messages, options, strategy=strategy))
    result = events[-1]
    assert isinstance(result, TurnResult)
    return events, result


def test_vote_returns_the_majority_and_reports_every_candidate():
    rt = runtime(["a</think>The answer is 5.", "b</think>It is 6.", "c</think>So 5!"])
    events, result = run(rt, Vote(3))
    assert result.message.content == "So 5!" or result.message.content == "The answer is 5."
    report = result.strategy
    assert report["name"] == "vote" and report["answer"] == "5" and report["votes"] == {"5": 2, "6": 1}
    assert [c["answer"] for c in report["candidates"]] == ["5", "6", "5"]
    assert report["sequences"] == 3 and report["probes"] == 0
    # seeds one apart, and every candidate asked for log-probabilities (vote's tie-break)
    assert [s.seed for s in rt.engine.samplings] == [7, 8, 9]
    assert all(s.logprobs for s in rt.engine.samplings)


def test_vote_usage_sums_every_sequence():
    scripts = ["a b c</think>The answer is 5.", "d</think>It is 6.", "e f</think>So 5!"]
    rt = runtime(scripts)
    _, result = run(rt, Vote(3))
    singles = [Runtime(FakeEngine(s)).respond(ASK, LOW).collect().usage for s in scripts]
    assert result.usage.reasoning_tokens == sum(u.reasoning_tokens for u in singles)
    assert result.usage.answer_tokens == sum(u.answer_tokens for u in singles)
    assert result.usage.prompt_tokens == 3 * singles[0].prompt_tokens


def test_vote_stream_agrees_with_the_result():
    rt = runtime(["a</think>The answer is 5.", "b</think>It is 6.", "c</think>So 5!"])
    events, result = run(rt, Vote(3))
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    content = "".join(e.text for e in events if isinstance(e, ContentDelta))
    assert reasoning.strip() == result.message.reasoning
    assert content == result.message.content
    # each candidate is shown whole, in order, then the vote
    assert reasoning.index("[candidate 1/3]") < reasoning.index("[candidate 2/3]") < reasoning.index("[vote]")
    assert "5 ×2" in reasoning


@pytest.mark.parametrize("logprobs, winner", [([-1.0, -0.2], "6"), ([-0.2, -1.0], "5")])
def test_vote_ties_go_to_the_surer_answer(logprobs, winner):
    rt = runtime(["a</think>The answer is 5.", "b</think>The answer is 6."], logprobs=logprobs)
    _, result = run(rt, Vote(2))
    assert result.strategy["answer"] == winner
    assert result.message.content == f"The answer is {winner}."


def test_vote_surest_lets_only_the_surer_half_vote():
    # all six vote: 6 wins three to two; the surest three (5, 7, 5) vote: 5 wins
    answers = ["6", "6", "5", "5", "6", "7"]
    logprobs = [-1.0, -1.2, -0.1, -0.2, -0.9, -0.15]
    rt = runtime([f"{i}</think>The answer is {a}." for i, a in enumerate(answers)], logprobs=logprobs)
    short = TurnOptions(effort="low", seed=7, max_completion_tokens=300)  # six sequences fit the pool
    events, result = run(rt, Vote(6, keep=0.5), short)
    report = result.strategy
    assert report["answer"] == "5" and report["votes"] == {"5": 2, "7": 1}
    assert report["keep"] == 0.5 and report["voters"] == [2, 3, 5]
    assert report["chosen"] == 2 and result.message.content == "The answer is 5."
    assert [c["mean_logprob"] for c in report["candidates"]] == logprobs
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    assert "[vote (the surest 3 of 6)] 5 ×2, 7 ×1 → 5" in reasoning
    # the same samples, all voting
    rt = runtime([f"{i}</think>The answer is {a}." for i, a in enumerate(answers)], logprobs=logprobs)
    assert run(rt, Vote(6), short)[1].strategy["answer"] == "6"


def test_vote_consistent_leaves_out_samples_that_contradict_themselves():
    # three samples recall 632*8 wrong (4056 against the 5056 they worked out) and answer 23016;
    # two stay consistent and answer 24016; one takes its slip back with "wait"
    wrong = "632*8=5056 then 632*8=4056</think>The answer is 23016."
    right = "632*8=5056 then 632*8=5056</think>The answer is 24016."
    taken_back = "632*8=4056 wait, 632*8=5056</think>The answer is 24016."
    scripts = [wrong, right, wrong, wrong, taken_back]
    short = TurnOptions(effort="low", seed=7, max_completion_tokens=300)
    assert run(runtime(scripts), Vote(5), short)[1].strategy["answer"] == "23016"  # all vote: the error wins
    events, result = run(runtime(scripts), Vote(5, consistent=True), short)
    report = result.strategy
    assert report["answer"] == "24016" and report["votes"] == {"24016": 2}
    assert report["consistent"] is True and report["contradicted"] == [0, 2, 3] and report["voters"] == [1, 4]
    assert report["chosen"] in (1, 4) and result.message.content == "The answer is 24016."
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    assert "[vote (3 contradicted themselves, left out)] 24016 ×2 → 24016" in reasoning


def test_vote_consistent_lets_everyone_vote_when_every_sample_contradicts_itself():
    wrong = "1+1=3 and 1+1=2</think>The answer is {}."
    scripts = [wrong.format(5), wrong.format(6), wrong.format(5)]
    events, result = run(runtime(scripts), Vote(3, consistent=True))
    assert result.strategy["answer"] == "5" and result.strategy["voters"] == [0, 1, 2]
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    assert "(3 contradicted themselves: no consistent sample answered, all voted)" in reasoning


def test_vote_consistent_needs_reasoning_to_read():
    with pytest.raises(InvalidOption, match="vote/consistent reads each sample's reasoning"):
        run(runtime(["It is 5."]), Vote(3, consistent=True), TurnOptions(effort="none", seed=7))


def test_surest_counts_only_samples_with_an_answer_and_needs_logprobs():
    answers = [None, "1", "2", None, "3", "4"]
    # the two with no answer are the surest, but take no place: half of the four answered vote
    assert surest(answers, [0.0, -0.5, -0.1, 0.0, -0.3, -0.9], 0.5) == [2, 4]
    assert surest(answers, [0.0, -0.5, -0.1, 0.0, -0.3, -0.9], 0.1) == [2]  # at least one
    assert surest(answers, [0.0, -0.5, -0.1, 0.0, -0.3, -0.9], 1.0) == [1, 2, 4, 5]
    assert surest(answers, [None] * 6, 0.5) == [1, 2, 4, 5]  # no confidence to rank by: all vote
    assert surest(answers, [None, None, -0.1, None, None, None], 0.5) == [1, 2]  # one without ranks last


def test_tally_never_lets_no_answer_win():
    assert tally([None, None, "3"]) == ("3", {"3": 1})
    assert tally([None, None])[0] is None


def test_best_of_n_takes_the_verifiers_favourite_even_in_the_minority():
    rt = runtime(["a</think>The answer is 5.", "b</think>It is 6.", "c</think>So 5!"])
    verifier = FunctionVerifier(lambda question, answer: 1.0 if "6" in answer else 0.0)
    _, result = run(rt, BestOfN(3, verifier))
    assert result.strategy["answer"] == "6" and result.strategy["scores"] == [0.0, 1.0, 0.0]
    assert result.message.content == "It is 6."


def test_best_of_n_with_the_task_checker_recomputes_the_answer():
    rt = runtime(["a</think>The answer is 6.", "b</think>The answer is 6.", "c</think>The answer is 5."])
    _, result = run(rt, BestOfN(3, TaskChecker()))
    assert result.strategy["answer"] == "5" and result.strategy["verifier"] == "checker"


def test_the_checker_refuses_questions_it_cannot_read():
    rt = runtime(["a</think>5"])
    with pytest.raises(InvalidOption, match="verifier"):
        rt.respond([Message(Role.USER, "Is the sky blue?")], LOW, strategy=BestOfN(2, "checker"))


def test_best_of_n_self_judge_scores_by_the_probability_of_correct():
    def judge(prompt):  # the scripted model believes answers with a 6 in them
        return {"correct": -0.1, "wrong": -3.0} if "answer: It is 6" in prompt else {"correct": -3.0, "wrong": -0.1}

    rt = runtime(["a</think>The answer is 5.", "b</think>It is 6."], judge=judge)
    _, result = run(rt, BestOfN(2, "self"))
    assert result.strategy["answer"] == "6" and result.strategy["probes"] == 2
    high, low = result.strategy["scores"][1], result.strategy["scores"][0]
    assert high > 0.9 and low < 0.1
    probes = [s for s in rt.engine.samplings if s.probe]
    assert len(probes) == 2 and all(s.temperature == 0 for s in probes)


def test_think_longer_replaces_an_early_close_with_wait():
    rt = runtime(["short</think>The answer is 5."])
    events, result = run(rt, ThinkLonger(min_tokens=12))
    assert result.continuations >= 1
    assert "Wait," in result.message.reasoning
    assert result.usage.reasoning_tokens >= 12
    assert result.message.content  # it still answers
    # the one sequence streams live: its reasoning as reasoning, its answer as content
    assert "".join(e.text for e in events if isinstance(e, ContentDelta)) == result.message.content


def test_think_longer_stops_forcing_at_the_budget():
    rt = runtime(["short</think>The answer is 5."])
    options = TurnOptions(reasoning_budget=20, seed=1)
    _, result = run(rt, ThinkLonger(min_tokens=20), options)
    assert result.usage.reasoning_tokens <= 20 and result.message.content


def test_refine_revises_until_the_critique_finds_nothing():
    rt = runtime([
        "x</think>The answer is 4.",  # draft
        "y</think>That is wrong: 2 + 3 is 5.",  # critique 1
        "z</think>The answer is 5.",  # revision 1
        "w</think>No mistakes.",  # critique 2
    ])
    _, result = run(rt, Refine(rounds=3))
    assert result.message.content == "The answer is 5."
    assert result.strategy["rounds"] == 2 and result.strategy["stopped"] == "the critique found nothing"
    assert result.strategy["sequences"] == 4
    # the critique saw the draft as a visible turn
    critique_prompt = rt.engine.detokenize(rt.engine.prompts[1])
    assert "The answer is 4." in critique_prompt


def test_single_is_the_plain_turn():
    rt = runtime(["a</think>The answer is 5."])
    turn = rt.respond(ASK, LOW, strategy=Single())
    assert isinstance(turn, Turn)
    assert turn.collect().strategy is None


def test_strategies_run_on_an_event_loop():
    async def main():
        rt = runtime(["a</think>The answer is 5.", "b</think>It is 5."])
        turn = rt.respond(ASK, LOW, loop=asyncio.get_running_loop(), strategy=Vote(2))
        return await turn.acollect()

    assert asyncio.run(main()).strategy["votes"] == {"5": 2}


def test_a_failing_verifier_names_the_strategy():
    rt = runtime(["a</think>The answer is 5."])
    turn = rt.respond(ASK, LOW, strategy=BestOfN(2, lambda q, a: 1 / 0))
    with pytest.raises(EngineFailure, match="best_of_n failed: ZeroDivisionError"):
        turn.collect()


@pytest.mark.parametrize("strategy, options, match", [
    (ThinkLonger(), TurnOptions(effort="none"), "needs a reasoning phase"),
    (Refine(), TurnOptions(effort="none"), "needs a reasoning phase"),
    (ThinkLonger(min_tokens=5000), TurnOptions(effort="low"), "over the reasoning budget"),
    (Vote(65), TurnOptions(), "over this server's maximum of 64"),
])
def test_what_a_strategy_cannot_run_is_refused_before_it_starts(strategy, options, match):
    rt = runtime(["a</think>5"])
    with pytest.raises(InvalidOption, match=match):
        rt.respond(ASK, options, strategy=strategy)
    assert rt.engine.prompts == []  # nothing ran


def test_a_library_user_writes_a_strategy_in_a_few_lines():
    from ponder.strategies import Ask, Outcome, Strategy
    from ponder.strategies.base import seeded

    class Longest(Strategy):
        """Two samples; the longer answer wins; a second round asks again if both are empty."""

        name, width = "longest", 2

        def run(self, messages, options):
            dones = yield [Ask(messages, seeded(options, i), f"try {i + 1}") for i in range(2)]
            best = max(dones, key=lambda done: len(done.content))
            return Outcome(best, {"name": self.name, "lengths": [len(d.content) for d in dones]}, "[longest]")

    rt = runtime(["a</think>Five.", "b</think>It is five, since 2 + 3 = 5."])
    events, result = run(rt, Longest())
    assert result.message.content == "It is five, since 2 + 3 = 5."
    assert result.strategy == {"name": "longest", "lengths": [5, len(result.message.content)], "sequences": 2,
                               "probes": 0}
    assert "[try 1]" in result.message.reasoning and result.message.reasoning.endswith("[longest]")


def test_a_round_that_cannot_start_cancels_what_it_started():
    from ponder.errors import ContextOverflow
    from ponder.strategies import Ask, Outcome, Strategy

    class OneTooLong(Strategy):
        name, width = "one_too_long", 2

        def run(self, messages, options):
            long = (Message(Role.USER, "word " * 5000),)
            dones = yield [Ask(messages, options, "fits"), Ask(long, options, "overflows")]
            return Outcome(dones[0], {"name": self.name})

    cancelled = []

    class Watching(FakeEngine):
        def submit(self, prompt, sampling, controller, history=None, key=None, reserve=None):
            super().submit(prompt, sampling, controller)
            handle = type("H", (), {"cancel": lambda self: cancelled.append(True)})()
            return handle

    rt = Runtime(Watching("a</think>5", n_ctx=512))
    with pytest.raises(ContextOverflow):
        rt.respond(ASK, TurnOptions(effort="minimal", max_completion_tokens=32, truncation="disabled"),
                   strategy=OneTooLong())
    assert cancelled == [True]


def test_a_width_that_could_outgrow_the_shared_pool_is_refused():
    rt = runtime(["a</think>5"], n_ctx=1024, kv_cells=1024)
    with pytest.raises(InvalidOption, match=r"vote@8 may fill \d+ KV cells .* the pool holds 1024"):
        rt.respond(ASK, TurnOptions(effort="low"), strategy=Vote(8))
    assert rt.engine.prompts == []
    # the same width fits once each completion (and its hand-off room) is capped
    rt.respond(ASK, TurnOptions(effort="low", max_completion_tokens=80), strategy=Vote(8)).collect()


def test_the_pool_not_the_window_bounds_a_strategys_width():
    rt = runtime(["a</think>5"], n_ctx=1024, kv_cells=8 * 1024)  # the same window, a pool of 8 windows
    result = rt.respond(ASK, TurnOptions(effort="low"), strategy=Vote(8)).collect()
    assert result.strategy["sequences"] == 8 and len(rt.engine.prompts) == 8


def test_a_judge_that_tells_nothing_apart_is_reported_and_settles_as_vote():
    rt = runtime(["a</think>The answer is 5.", "b</think>It is 6.", "c</think>So 5!"],
                 judge=lambda prompt: {"correct": -1.0, "wrong": -1.0})
    _, result = run(rt, BestOfN(3, "self"))
    assert result.strategy["scores"] == [0.5, 0.5, 0.5] and result.strategy["verifier_decided"] is False
    assert result.strategy["answer"] == "5"  # the majority, as vote would pick
    assert "settled as vote" in result.message.reasoning
