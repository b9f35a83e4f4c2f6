"""Stage 2: reinforcement learning with GRPO on fresh problems, reward = a correct answer.

For each problem, a group of samples is drawn with the reasoning phase on, at the runtime's
sampling temperature (the policy is the tempered softmax, in sampling and in the loss); each sample's
advantage is its reward minus the group's mean, over the group's standard deviation. One
policy-gradient step per batch of rollouts (on-policy, so PPO's ratio is 1 and clipping
never binds), no KL term, losses averaged over all completion tokens (as DAPO/Dr. GRPO
recommend for long, uneven completions).

Reward: 1 for a finished turn whose reasoning closed and whose answer is exactly right,
0.1 for a finished, well-formed turn with a wrong answer (format), 0 otherwise.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

import torch

from ponder.answers import is_correct
from ponder.tasks import Problem, get_task
from ponder.train import chat
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
                temperature: float) -> torch.Tensor:
    width = max(len(r.prompt) + len(r.completion) for r in rollouts)
    ids = torch.zeros((len(rollouts), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    weight = torch.zeros((len(rollouts), width), dtype=torch.float)
    for row, (r, a) in enumerate(zip(rollouts, advantages)):
        seq = r.prompt + r.completion
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
        weight[row, len(r.prompt) - 1 : len(seq) - 1] = a  # position t predicts token t+1
    logits = model(input_ids=ids, attention_mask=mask).logits
    # the policy that sampled: the full softmax at the rollout temperature
    logp = torch.log_softmax(full_logprobs(logits, vocab) / temperature, dim=-1)
    logp = logp[:, :-1].gather(-1, ids[:, 1:, None])[..., 0]
    w = weight[:, :-1]
    return -(w * logp).sum() / (w != 0).sum().clamp(min=1)


def train(model, vocab: CompactVocab, *, tasks: list[str], steps: int, prompts_per_step: int, group: int,
          lr: float, max_new: int, temperature: float, seed: int, log: Callable[[dict], None],
          time_limit_s: float | None = None) -> dict:
    rng = random.Random(seed)
    generator = torch.Generator().manual_seed(seed)
    pool = {name: iter(get_task(name).problems(steps * prompts_per_step, seed=seed + 1, split="train"))
            for name in tasks}
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0, betas=(0.9, 0.99))
    eos = vocab.index[eos_id()]
    started, history = time.perf_counter(), []
    for step in range(steps):
        problems = [next(pool[rng.choice(tasks)]) for _ in range(prompts_per_step)]
        prompts = [vocab.compact(tokenize(chat.prompt_text(p.question, True))) for p in problems]
        rollouts = sample(model, [p for p in prompts for _ in range(group)], vocab, eos,
                          max_new=max_new, temperature=temperature, generator=generator)
        rewards = [reward(problems[i // group], r, vocab) for i, r in enumerate(rollouts)]
        advantages = []
        for g in range(prompts_per_step):
            rs = rewards[g * group : (g + 1) * group]
            mean, std = statistics.fmean(rs), statistics.pstdev(rs)
            advantages += [(r - mean) / (std + 1e-4) if std > 0 else 0.0 for r in rs]
        model.train()
        loss = torch.zeros(())
        if any(advantages):
            loss = policy_loss(model, vocab, rollouts, advantages, temperature)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        solved = statistics.fmean(r == 1.0 for r in rewards)
        history.append(solved)
        log({"stage": "rl", "step": step + 1, "of": steps, "solved": solved, "mean_reward": statistics.fmean(rewards),
             "loss": float(loss), "mean_len": statistics.fmean(len(r.completion) for r in rollouts),
             "elapsed_s": time.perf_counter() - started})
        if time_limit_s and time.perf_counter() - started > time_limit_s:
            log({"stage": "rl", "stopped": "time limit", "step": step + 1})
            break
    return {"steps": len(history), "seconds": time.perf_counter() - started,
            "solved_first_10": statistics.fmean(history[:10]) if history else None,
            "solved_last_10": statistics.fmean(history[-10:]) if history else None}
