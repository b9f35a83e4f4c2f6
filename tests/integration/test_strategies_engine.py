"""What strategies need from the real engine: log-probabilities, probes, shared prompts."""

import math
import threading

import pytest

from ponder.config import TurnOptions
from ponder.engine.base import EndReason, SamplingParams, Segment, Stop
from ponder.strategies import BestOfN, Vote
from ponder.types import Message, Role

pytestmark = pytest.mark.model
ASK = [Message(Role.USER, "Name a colour.")]


class Recorder:
    """A controller that keeps every sampled token with its log-probabilities: one segment of n tokens."""

    def __init__(self, steps: int):
        self.steps, self.seen, self.ended = steps, [], threading.Event()

    def first_segment(self):
        return Segment(self.steps, min_tokens=self.steps)

    def on_prefilled(self, prompt_tokens, cached_tokens):
        pass

    def on_token(self, token, logprobs=None):
        self.seen.append((token, logprobs))

    def on_segment_end(self, end):
        self.end = end
        return None

    def on_end(self, reason, error=None):
        self.reason = reason
        self.ended.set()


def test_greedy_tokens_have_the_highest_log_probability(runtime):
    prompt = runtime.prompt_tokens(ASK, think=False)
    others = tuple(runtime.engine.tokenize(" the blue red green Blue", special=False))
    recorder = Recorder(steps=6)
    runtime.engine.submit(prompt, SamplingParams(temperature=0, logprobs=True, probe=others), recorder)
    assert recorder.ended.wait(60) and recorder.reason is EndReason.DONE
    assert recorder.end.reason is Stop.LENGTH and len(recorder.seen) == 6
    for token, logprobs in recorder.seen:
        assert logprobs.sampled <= 0 and len(logprobs.probe) == len(others)
        assert all(logprobs.sampled >= p - 1e-6 for p in logprobs.probe)  # greedy picked the most likely
        assert sum(math.exp(p) for p in logprobs.probe) <= 1 + 1e-6
        if token in others:  # the same token read two ways agrees
            assert logprobs.probe[others.index(token)] == pytest.approx(logprobs.sampled, abs=1e-5)


def test_vote_shares_the_prompt_and_reports_mean_log_probabilities(runtime):
    options = TurnOptions(effort="minimal", max_completion_tokens=40, seed=3)
    result = runtime.respond(ASK, options, strategy=Vote(3)).collect()
    report = result.strategy
    assert all(c["mean_logprob"] is not None and c["mean_logprob"] < 0 for c in report["candidates"])
    # the second and third sequences find the first one's prompt in the cache
    prompt = len(runtime.prompt_tokens(ASK, think=True))
    assert result.usage.prompt_tokens == 3 * prompt
    assert result.usage.cached_tokens >= 2 * (prompt - 1)


def test_the_model_judges_itself_with_probabilities(runtime):
    options = TurnOptions(effort="minimal", max_completion_tokens=40, seed=3)
    result = runtime.respond(ASK, options, strategy=BestOfN(2, "self")).collect()
    scores = result.strategy["scores"]
    # real logits: both words have some probability, so never 0 or 1, and never the 0.5 a judge
    # without probabilities falls back to
    assert len(scores) == 2 and all(0 < s < 1 and s != 0.5 for s in scores), scores
    assert scores[result.strategy["chosen"]] == max(scores)  # ties are settled as vote settles them
    assert result.strategy["probes"] == 2


def test_log_probabilities_follow_their_sequence_in_a_shared_batch(runtime):
    """Read in one pass for the whole batch, each sequence must still get its own row."""
    prompts = [runtime.prompt_tokens([Message(Role.USER, text)], think=False)
               for text in ("Name a colour.", "Count to five.", "Say hello in French.")]
    probe = tuple(runtime.engine.tokenize(" the Red One Hello 1 blue Bon", special=False))
    greedy = SamplingParams(temperature=0, logprobs=True, probe=probe)

    def run(indices):
        recorders = {i: Recorder(steps=5) for i in indices}
        for i in indices:
            runtime.engine.submit(prompts[i], greedy, recorders[i])
        for recorder in recorders.values():
            assert recorder.ended.wait(60)
        return {i: r.seen for i, r in recorders.items()}

    alone = {i: run([i])[i] for i in range(3)}
    together = run([0, 1, 2])

    def same_prefix_steps(a, b):
        """Steps read from the same context: up to and including the first differing token.
        A batch sums in another order, so a near-tie may flip greedy's pick; the distribution
        it was picked from is still comparable."""
        steps = 0
        for (x, _), (y, _) in zip(a, b):
            steps += 1
            if x != y:
                break
        return steps

    def distance(a, b, steps):
        """Mean absolute difference of the probe tokens' log-probabilities over the first steps."""
        pairs = [(p, q) for (_, la), (_, lb) in zip(a[:steps], b[:steps]) for p, q in zip(la.probe, lb.probe)]
        return sum(abs(p - q) for p, q in pairs) / len(pairs)

    for i in range(3):
        steps = same_prefix_steps(together[i], alone[i])
        own = distance(together[i], alone[i], steps)
        # the same up to summation order (measured: 0.04 and 0.12 mean, where another
        # sequence's rows are 4.5 to 5.7 away), and nearer its own sequence alone than any
        # other sequence: a row mixed up would be found here
        assert own < 1.0
        assert all(own < distance(together[i], alone[j], steps) for j in range(3) if j != i)
