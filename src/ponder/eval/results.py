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

from dataclasses import dataclass, field

from ponder.eval.settings import Setting


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
            "spent_tokens": self.spent_tokens, "strategy": self.report,
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
        }

    def to_dict(self) -> dict:
        ordered = sorted(self.problems, key=lambda p: p.index)
        return {**self.summary(), "problems": [p.to_dict() for p in ordered]}


def _mean(values: list) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0
