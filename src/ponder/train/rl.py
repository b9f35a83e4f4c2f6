"""Stage 2: reinforcement learning with GRPO on fresh problems, reward = a correct answer.

For each problem, a group of samples is drawn with the reasoning phase on, at the runtime's
sampling temperature (the policy is the tempered softmax, in sampling and in the loss); each sample's
advantage is its reward minus the group's mean, over the group's standard deviation. One
policy-gradient step per batch of rollouts (on-policy, so PPO's ratio is 1 and clipping
never binds), no KL term, losses averaged over the completion tokens that carry an advantage
(all of them under outcome credit, as DAPO/Dr. GRPO recommend for long, uneven completions).

Reward: 1 for a finished turn whose reasoning closed and whose answer is exactly right,
0.1 for a finished, well-formed turn with a wrong answer (format), 0 otherwise. Credit
(credit.py): `outcome` gives each rollout's advantage to all its tokens; `departure` gives a
wrong rollout's only to its first error, which our tasks' step checker finds, and penalises
it even where the whole group failed.

Policy gradients on a few thousand rollouts are noisy, and the first reasoner's RL lowered
its accuracy. So every few steps the policy is checked on a fixed set of fresh problems
(training split, never the eval split; the same problems and sampling seed each time, so
checks compare like with like), and the run keeps the best checkpoint, the SFT model
included: RL can only be kept if it helped on problems it did not train on. The checks may
cover tasks RL does not train on (the fifth reasoner's RL, checked on 3-by-2 multiplication
only, lost 3 points of subtraction unseen); their score is the mean of the tasks' shares, so
a step that buys one task with another is not kept.
"""

from __future__ import annotations

import copy
import itertools
import random
import statistics
import time
from collections.abc import Callable, Iterator

import torch

from ponder.answers import is_correct
from ponder.tasks import Problem, get_task
from ponder.train import chat
from ponder.train.credit import CREDITS, assign
from ponder.train.model import full_logprobs
from ponder.train.sample import Rollout, sample
from ponder.train.vocab import CompactVocab, detokenize, eos_id, tokenize


def reward(problem: Problem, rollout: Rollout, vocab: CompactVocab) -> float:
    if not rollout.finished:
        return 0.0
    text = detokenize(vocab.expand(rollout.completion[:-1]))
    reasoning, closed, answer = text.partition(chat.FORMAT.close)
    if not closed or chat.FORMAT.close in answer or not answer.strip():
        return 0.0
    return 1.0 if is_correct(answer, problem.answer) else 0.1


def policy_loss(model, vocab: CompactVocab, rollouts: list[Rollout], advantages: list[float],
                temperature: float, spans: list[tuple[int, int]] | None = None) -> torch.Tensor:
    """spans: per rollout, the completion tokens [start, end) that carry its advantage (credit.py);
    None: all of them."""
    width = max(len(r.prompt) + len(r.completion) for r in rollouts)
    ids = torch.zeros((len(rollouts), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    weight = torch.zeros((len(rollouts), width), dtype=torch.float)
    for row, (r, a) in enumerate(zip(rollouts, advantages)):
        seq = r.prompt + r.completion
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
        start, end = spans[row] if spans else (0, len(r.completion))
        weight[row, len(r.prompt) - 1 + start : len(r.prompt) - 1 + end] = a  # position t predicts token t+1
    logits = model(input_ids=ids, attention_mask=mask).logits
    # the policy that sampled: the full softmax at the rollout temperature
    logp = torch.log_softmax(full_logprobs(logits, vocab) / temperature, dim=-1)
    logp = logp[:, :-1].gather(-1, ids[:, 1:, None])[..., 0]
    w = weight[:, :-1]
    return -(w * logp).sum() / (w != 0).sum().clamp(min=1)


def train(model, vocab: CompactVocab, *, tasks: list[str], steps: int, prompts_per_step: int, group: int,
          lr: float, max_new: int, temperature: float, seed: int, log: Callable[[dict], None],
          time_limit_s: float | None = None, check_every: int = 5, check_per_task: int = 32,
          credit: str = "outcome", check_temperature: float | None = None,
          check_tasks: tuple[str, ...] | list[str] | None = None, screen: int = 0, spare_way: bool = False) -> dict:
    """check_temperature: the checks' sampling temperature (0: greedy, as `ponder eval` scores);
    None: the rollouts' own. check_tasks: the task specs the checks score; None: `tasks`.
    screen: train only on those of this many fresh problems per task that the model gets
    wrong greedily, round and round (0: fresh problems, each once). spare_way: no advantage on
    the token that chose a problem's way (credit.py)."""
    if credit not in CREDITS:
        raise ValueError(f"credit {credit!r}: one of {', '.join(CREDITS)}")
    check_temperature = temperature if check_temperature is None else check_temperature
    rng = random.Random(seed)
    generator = torch.Generator().manual_seed(seed)
    # No steps (an SFT-only run, as the sft-control recipe): no problems to draw, only the check.
    if screen and steps:
        pool = screened(model, vocab, tasks, screen, max_new, seed, log)
    else:
        pool = {name: iter(get_task(name).problems(steps * prompts_per_step, seed=seed + 1, split="train") if steps else ())
                for name in tasks}
    check_set = {name: get_task(name).problems(check_per_task, seed=seed + 2, split="train")
                 for name in (check_tasks or tasks)}
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0, betas=(0.9, 0.99))
    eos = vocab.index[eos_id()]
    started, history = time.perf_counter(), []
    best = Best(check(model, vocab, check_set, max_new, check_temperature, seed), 0, model)
    log({"stage": "rl-check", "step": 0, "solved": best.score, "tasks": best.shares})
    for step in range(steps):
        problems = [next(pool[rng.choice(tasks)]) for _ in range(prompts_per_step)]
        rollouts = sample(model, [prompt(p, vocab) for p in problems for _ in range(group)], vocab, eos,
                          max_new=max_new, temperature=temperature, generator=generator)
        rewards = [reward(problems[i // group], r, vocab) for i, r in enumerate(rollouts)]
        credits = [assign(problems[i // group], r.completion, rewards[i] == 1.0, a, vocab, credit, spare_way)
                   for i, (r, a) in enumerate(zip(rollouts, group_advantages(rewards, group)))]
        advantages, spans = [a for a, _ in credits], [s for _, s in credits]
        model.train()
        loss = torch.zeros(())
        if any(advantages):
            loss = policy_loss(model, vocab, rollouts, advantages, temperature, spans)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        solved = statistics.fmean(r == 1.0 for r in rewards)
        history.append(solved)
        placed = sum(e < len(r.completion) for (_, e), r in zip(spans, rollouts))  # first errors credited
        log({"stage": "rl", "step": step + 1, "of": steps, "solved": solved, "mean_reward": statistics.fmean(rewards),
             "first_errors": placed,
             "loss": loss.item(), "mean_len": statistics.fmean(len(r.completion) for r in rollouts),
             "elapsed_s": time.perf_counter() - started})
        out_of_time = bool(time_limit_s and time.perf_counter() - started > time_limit_s)
        if (step + 1) % check_every == 0 or step + 1 == steps or out_of_time:
            shares = check(model, vocab, check_set, max_new, check_temperature, seed)
            best.offer(shares, step + 1, model)
            log({"stage": "rl-check", "step": step + 1, "solved": score(shares), "tasks": shares, "best": best.score})
        if out_of_time:
            log({"stage": "rl", "stopped": "time limit", "step": step + 1})
            break
    model.load_state_dict(best.state)
    log({"stage": "rl-kept", "step": best.step, "solved": best.score})
    return {"steps": len(history), "seconds": time.perf_counter() - started, "kept_step": best.step,
            "check_problems": sum(map(len, check_set.values())), "check_solved_sft": score(best.first),
            "check_solved_kept": best.score, "check_tasks_sft": best.first, "check_tasks_kept": best.shares,
            "solved_first_10": statistics.fmean(history[:10]) if history else None,
            "solved_last_10": statistics.fmean(history[-10:]) if history else None}


def prompt(problem: Problem, vocab: CompactVocab) -> list[int]:
    return vocab.compact(tokenize(chat.prompt_text(problem.question, True)))


def group_advantages(rewards: list[float], group: int) -> list[float]:
    """Each reward against its group's mean, over the group's spread; 0 where the group agrees."""
    out = []
    for g in range(0, len(rewards), group):
        rs = rewards[g : g + group]
        mean, std = statistics.fmean(rs), statistics.pstdev(rs)
        out += [(r - mean) / (std + 1e-4) if std > 0 else 0.0 for r in rs]
    return out


def check(model, vocab: CompactVocab, problems: dict[str, list[Problem]], max_new: int, temperature: float,
          seed: int) -> dict[str, float]:
    """Each task's share of its `problems` solved, one sample each, with the same sampling seed
    every time."""
    generator = torch.Generator().manual_seed(seed + 3)
    return {name: statistics.fmean(solved(model, vocab, ps, max_new, temperature, generator))
            for name, ps in problems.items()}


def screened(model, vocab: CompactVocab, tasks: list[str], n: int, max_new: int, seed: int,
             log: Callable[[dict], None]) -> dict[str, Iterator[Problem]]:
    """Per task, the problems of n fresh ones that the model gets wrong greedily, in a cycle.
    GRPO learns only where a group disagrees, or (under departure credit) from wrong rollouts;
    on problems the model already solves greedily, most groups are all right and teach nothing."""
    pool = {}
    for name in tasks:
        problems = get_task(name).problems(n, seed=seed + 1, split="train")
        right = solved(model, vocab, problems, max_new, 0.0, torch.Generator())
        wrong = [p for p, ok in zip(problems, right) if not ok]
        log({"stage": "rl-screen", "task": name, "screened": n, "wrong": len(wrong)})
        pool[name] = itertools.cycle(wrong or problems)
    return pool


def solved(model, vocab: CompactVocab, problems: list[Problem], max_new: int, temperature: float,
           generator: torch.Generator, batch: int = 128) -> list[bool]:
    """Whether one sample of each problem is right. A batch runs as long as its longest trace,
    so callers pass one task's problems at a time."""
    eos = vocab.index[eos_id()]
    out = []
    for i in range(0, len(problems), batch):
        chunk = problems[i : i + batch]
        rollouts = sample(model, [prompt(p, vocab) for p in chunk], vocab, eos, max_new=max_new,
                          temperature=temperature, generator=generator)
        out += [reward(p, r, vocab) == 1.0 for p, r in zip(chunk, rollouts)]
    return out


class Best:
    """The best-checking weights so far (a copy), starting from the model as RL found it.
    shares: a check's share of problems solved per task; its score is their mean."""

    def __init__(self, shares: dict[str, float], step: int, model):
        self.first = shares
        self.shares, self.step, self.state = shares, step, copy.deepcopy(model.state_dict())

    @property
    def score(self) -> float:
        return score(self.shares)

    def offer(self, shares: dict[str, float], step: int, model) -> None:
        if score(shares) > self.score:
            self.shares, self.step, self.state = shares, step, copy.deepcopy(model.state_dict())


def score(shares: dict[str, float]) -> float:
    """A check's score: the mean of its tasks' shares, each task alike."""
    return statistics.fmean(shares.values())
