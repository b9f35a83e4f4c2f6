"""What an eval measured: per sample, per problem, per setting, and the summary numbers.

A problem is one strategy turn; its samples are the candidates the strategy drew (vote,
best_of_n) or the turn itself (single, think_longer, refine). Tokens spent count what the
compute really was: every sequence and probe the strategy ran, prompts not served from the
cache included, so strategies that spend differently can share one axis.

Outcomes are recorded as each problem finishes, so an interrupted run still holds every
finished problem; a setting that stopped early is `partial`, with its `n_done`. The summary
(and the JSON written from it) is the contract other tools read: keep its keys stable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ponder.eval.settings import Setting
from ponder.tasks.audit import KINDS


@dataclass(frozen=True)
class SampleOutcome:
    seed: int
    content: str  # the visible reply
    answer: str | None  # what the task's extractor read from it
    correct: bool
    prompt_tokens: int = 0
    reasoning_tokens: int = 0
    answer_tokens: int = 0
    finish_reason: str | None = None
    budget_forced: bool = False
    elapsed_s: float = 0.0  # 0 for a strategy's candidate: it reports none of its own
    error: str | None = None  # the turn failed (engine error); counted as no answer
    score: float | None = None  # best_of_n's verifier score of this candidate
    reasoning: str | None = None  # the turn's reasoning text, or a strategy candidate's own
    audit: dict | None = None  # ponder.tasks.audit of the reasoning against the worked trace
    mean_logprob: float | None = None  # a strategy's candidate: per sampled token (what vote/surest ranks by)

    def to_dict(self) -> dict:
        return dict(self.__dict__, elapsed_s=round(self.elapsed_s, 4))


@dataclass(frozen=True)
class ProblemOutcome:
    index: int
    question: str
    expected: str
    answer: str | None  # read from the strategy's final answer
    correct: bool
    samples: tuple[SampleOutcome, ...]
    latency_s: float  # the whole strategy turn, from submission to its answer
    # Over every sequence and probe the strategy ran (a probe has a prompt and nothing else):
    prompt_tokens: int = 0
    cached_tokens: int = 0  # of prompt_tokens, those whose KV was reused, not evaluated again
    report: dict | None = None  # what the strategy did (votes, scores, rounds), less its candidates
    shape: str | None = None  # the problem's operand shape ("3x2"), where its source knows it

    @property
    def reasoning_tokens(self) -> int:
        return sum(s.reasoning_tokens for s in self.samples)

    @property
    def answer_tokens(self) -> int:
        return sum(s.answer_tokens for s in self.samples)

    @property
    def spent_tokens(self) -> int:
        """Tokens the engine evaluated or sampled for this problem."""
        return self.prompt_tokens - self.cached_tokens + self.reasoning_tokens + self.answer_tokens

    def to_dict(self) -> dict:
        return {
            "index": self.index, "question": self.question, "expected": self.expected,
            "answer": self.answer, "correct": self.correct, "latency_s": round(self.latency_s, 4),
            "prompt_tokens": self.prompt_tokens, "cached_tokens": self.cached_tokens,
            "spent_tokens": self.spent_tokens, "strategy": self.report, "shape": self.shape,
            "samples": [s.to_dict() for s in self.samples],
        }


@dataclass
class SettingResult:
    setting: Setting
    n_planned: int
    problems: list[ProblemOutcome] = field(default_factory=list)  # in the order they finished
    wall_s: float = 0.0

    @property
    def n_done(self) -> int:
        return len(self.problems)

    @property
    def partial(self) -> bool:
        return self.n_done < self.n_planned

    def summary(self) -> dict:
        """The setting's numbers; means are over finished problems (0 when there are none)."""
        problems, samples = self.problems, [s for p in self.problems for s in p.samples]
        completion = sum(p.reasoning_tokens + p.answer_tokens for p in problems)
        return {
            "task": self.setting.task,
            "effort": self.setting.effort.value,
            "samples": self.setting.samples,
            "strategy": self.setting.strategy,
            "n_planned": self.n_planned,
            "n_done": self.n_done,
            "partial": self.partial,
            "accuracy": _mean([p.correct for p in problems]),
            "sample_accuracy": _mean([s.correct for s in samples]),
            "reasoning_tokens_per_sample": _mean([s.reasoning_tokens for s in samples]),
            "answer_tokens_per_sample": _mean([s.answer_tokens for s in samples]),
            "reasoning_tokens_per_problem": _mean([p.reasoning_tokens for p in problems]),
            "answer_tokens_per_problem": _mean([p.answer_tokens for p in problems]),
            "tokens_per_problem": _mean([p.reasoning_tokens + p.answer_tokens for p in problems]),
            "tokens_spent_per_problem": _mean([p.spent_tokens for p in problems]),
            "latency_s_per_problem": _mean([p.latency_s for p in problems]),
            "tokens_per_s": round(completion / self.wall_s, 2) if self.wall_s > 0 else 0.0,
            "wall_s": round(self.wall_s, 3),
            "no_answer": sum(s.answer is None for s in samples),
            "errors": sum(s.error is not None for s in samples),
            "by_shape": by_shape(problems),
            "self_correction": self_correction(samples),
        }

    def to_dict(self) -> dict:
        ordered = sorted(self.problems, key=lambda p: p.index)
        return {**self.summary(), "problems": [p.to_dict() for p in ordered]}


def by_shape(problems: list[ProblemOutcome]) -> dict[str, dict]:
    """{shape: {"n", "correct", "accuracy"}} over the problems that have a shape, shapes in
    order of size (3x2 after 2x2, 10-digit after 9)."""
    counts: dict[str, list[int]] = {}
    for problem in problems:
        if problem.shape is not None:
            count = counts.setdefault(problem.shape, [0, 0])
            count[0] += 1
            count[1] += problem.correct
    return {shape: {"n": n, "correct": right, "accuracy": round(right / n, 4)}
            for shape, (n, right) in sorted(counts.items(), key=lambda item: shape_order(item[0]))}


def self_correction(samples: list[SampleOutcome]) -> dict | None:
    """Per 100 audited traces: traces with a slip, slips, slips corrected, corrections that are
    right, false alarms; and how many traces first departed from the worked one, by kind, and
    how many went the second way (audit.Audit.way)."""
    audits = [s.audit for s in samples if s.audit is not None]
    if not audits:
        return None
    per_100 = lambda key: round(100 * sum(a[key] for a in audits) / len(audits), 2)  # noqa: E731
    departures = {kind: sum(a["departure"] == kind for a in audits) for kind in KINDS}
    return {
        "traces": len(audits),
        "traces_with_a_slip": round(100 * sum(a["slips"] > 0 for a in audits) / len(audits), 2),
        "slips": per_100("slips"), "corrected": per_100("corrected"),
        "right_corrections": per_100("right_corrections"), "false_alarms": per_100("false_alarms"),
        "departures": {**departures, "none": sum(a["departure"] is None for a in audits)},
        # traces that multiplied from the tens digit (a model trained both ways; older results: 0)
        "tens_first": sum(a.get("way", 0) == 1 for a in audits),
    }


def shape_order(shape: str) -> tuple:
    numbers = [int(part) for part in re.split(r"\D", shape) if part]
    return (sum(numbers), numbers)


def _mean(values: list) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0
