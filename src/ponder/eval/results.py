"""What an eval measured: per sample, per problem, per setting, and the summary numbers.

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
    elapsed_s: float = 0.0
    error: str | None = None  # the turn failed (engine error); counted as no answer

    def to_dict(self) -> dict:
        return dict(self.__dict__, elapsed_s=round(self.elapsed_s, 4))


@dataclass(frozen=True)
class ProblemOutcome:
    index: int
    question: str
    expected: str
    answer: str | None  # the majority vote of the samples' answers
    correct: bool
    samples: tuple[SampleOutcome, ...]
    latency_s: float  # from its first sample starting to its last one ending

    @property
    def reasoning_tokens(self) -> int:
        return sum(s.reasoning_tokens for s in self.samples)

    @property
    def answer_tokens(self) -> int:
        return sum(s.answer_tokens for s in self.samples)

    def to_dict(self) -> dict:
        return {
            "index": self.index, "question": self.question, "expected": self.expected,
            "answer": self.answer, "correct": self.correct, "latency_s": round(self.latency_s, 4),
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
