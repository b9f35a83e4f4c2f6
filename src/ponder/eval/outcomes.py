"""How one strategy turn's result becomes a ProblemOutcome: scored, with its samples.

The problem's answer is read from the turn's final content, so whatever the strategy chose is
what is scored. Its samples are the candidates the strategy reports (vote, best_of_n), each
scored on its own, with the seed it ran under (the turn's seed + i, as the strategies draw
them); a strategy without candidates (single, think_longer, refine) is one sample, the turn
itself, with the turn's whole usage. This module does not know how the turn was run.
"""

from __future__ import annotations

from ponder.eval.results import ProblemOutcome, SampleOutcome
from ponder.eval.sources import EvalTask, Item
from ponder.tasks.audit import audit
from ponder.tasks.problem import Problem
from ponder.types import TurnResult


def problem_outcome(task: EvalTask, index: int, item: Item, seed: int, prompt: int,
                    result: TurnResult) -> ProblemOutcome:
    """prompt: the tokens of the problem's own prompt, which each candidate was given."""
    answer = task.extract(result.message.content, item)
    report = result.strategy or {}
    candidates = report.get("candidates")
    if candidates:
        results = result.candidates or (None,) * len(candidates)
        samples = tuple(candidate_sample(task, item, seed + i, prompt, c, r)
                        for i, (c, r) in enumerate(zip(candidates, results)))
    else:
        samples = (turn_sample(task, item, seed, result),)
    usage = result.usage
    outcome = ProblemOutcome(
        index, item.question, item.expected, answer, task.check(answer, item), samples, result.elapsed_s,
        usage.prompt_tokens, usage.cached_tokens,
        {key: value for key, value in report.items() if key != "candidates"} if result.strategy else None,
        item.shape,
    )
    # Probes generate nothing, so the samples hold every generated token of the turn.
    assert (outcome.reasoning_tokens, outcome.answer_tokens) == (usage.reasoning_tokens, usage.answer_tokens)
    return outcome


def failed_outcome(index: int, item: Item, seed: int, error: Exception, elapsed_s: float) -> ProblemOutcome:
    """The turn failed (engine error, prompt too long): no answer, one sample that says why."""
    sample = SampleOutcome(seed, "", None, False, error=str(error), elapsed_s=elapsed_s)
    return ProblemOutcome(index, item.question, item.expected, None, False, (sample,), elapsed_s, shape=item.shape)


def candidate_sample(task: EvalTask, item: Item, seed: int, prompt: int, candidate: dict,
                     result: TurnResult | None = None) -> SampleOutcome:
    """A strategy's candidate, as its report describes it; with its own result (where the turn
    ran in process), its reasoning and the audit of it too."""
    answer = task.extract(candidate["content"], item)
    reasoning = result.message.reasoning if result is not None else None
    return SampleOutcome(
        seed, candidate["content"], answer, task.check(answer, item), prompt, candidate["reasoning_tokens"],
        candidate["answer_tokens"], candidate["finish_reason"], score=candidate.get("score"),
        reasoning=reasoning, audit=audited(item, reasoning), mean_logprob=candidate.get("mean_logprob"),
    )


def turn_sample(task: EvalTask, item: Item, seed: int, result: TurnResult) -> SampleOutcome:
    content, usage = result.message.content, result.usage
    answer = task.extract(content, item)
    return SampleOutcome(
        seed, content, answer, task.check(answer, item), usage.prompt_tokens, usage.reasoning_tokens,
        usage.answer_tokens, result.finish_reason.value, result.budget_forced, result.elapsed_s,
        reasoning=result.message.reasoning, audit=audited(item, result.message.reasoning),
    )


def audited(item: Item, reasoning: str | None) -> dict | None:
    """The reasoning's slips and corrections, where the item is one of ponder's own problems."""
    if not reasoning or not isinstance(item.entry, Problem) or not item.entry.trace:
        return None
    return audit(reasoning, item.entry.worked).to_dict()
