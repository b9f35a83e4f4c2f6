"""The in-process engine under pressure and faults: a pool that runs out preempts the youngest
sequence instead of failing every one; a request that fails to start fails alone."""

import threading

import pytest

from ponder.config import EngineConfig
from ponder.engine.base import EndReason, SamplingParams, Segment
from ponder.runtime import Runtime
from ponder.types import Message, Role

pytestmark = pytest.mark.model
GREEDY = SamplingParams(temperature=0)


class Counting:
    """Samples exactly `tokens` tokens (no end before), then is done."""

    def __init__(self, tokens: int):
        self.want, self.tokens, self.done = tokens, [], threading.Event()
        self.prefilled = 0

    def first_segment(self):
        return Segment(self.want, min_tokens=self.want)

    def on_prefilled(self, prompt_tokens, cached_tokens):
        self.prefilled += 1

    def on_token(self, token, logprobs=None):
        self.tokens.append(token)

    def on_segment_end(self, end):
        return None

    def on_end(self, reason, error=None):
        self.reason, self.error = reason, error
        self.done.set()


class FailsToStart(Counting):
    def on_prefilled(self, prompt_tokens, cached_tokens):
        raise RuntimeError("a broken controller")


@pytest.fixture(scope="module")
def tight():
    """Four slots sharing a pool of 256 cells: four 120-token sequences cannot all fit."""
    with Runtime.load(EngineConfig(n_ctx=256, kv_cells=256, n_seq_max=4, n_threads=2)) as runtime:
        yield runtime


def prompt(runtime, topic):
    return runtime.prompt_tokens([Message(Role.USER, f"Write about {topic}.")], think=False)


def test_an_exhausted_pool_preempts_the_youngest_and_every_sequence_finishes(tight):
    # (Their greedy tokens are not compared with solo runs: on this engine even two solo runs
    # differ once the cached prefixes differ, around token 20-70, so equality would test noise.)
    topics = ["the sea", "mountains", "bread", "winter"]
    before = tight.engine._scheduler.preemptions
    # no reserve given: the engine admits all four at once and runs out of cells midway
    together = [Counting(100) for _ in topics]
    for topic, controller in zip(topics, together):
        tight.engine.submit(prompt(tight, topic), GREEDY, controller)
    for controller in together:
        assert controller.done.wait(240)
    assert [c.reason for c in together] == [EndReason.DONE] * 4  # none ended "context full"
    assert [len(c.tokens) for c in together] == [100] * 4
    assert tight.engine._scheduler.preemptions > before
    assert all(c.prefilled == 1 for c in together)  # a preempted sequence is not reported as a new one


def test_with_reserves_the_engine_queues_instead_of_preempting(tight):
    before = tight.engine._scheduler.preemptions
    controllers = [Counting(100) for _ in range(4)]
    for i, controller in enumerate(controllers):
        tokens = prompt(tight, f"the number {i}")
        tight.engine.submit(tokens, GREEDY, controller, reserve=len(tokens) + 100)
    for controller in controllers:
        assert controller.done.wait(240) and controller.reason is EndReason.DONE
    assert tight.engine._scheduler.preemptions == before


def test_a_request_that_fails_to_start_fails_alone(tight):
    broken, fine = FailsToStart(10), Counting(10)
    tight.engine.submit(prompt(tight, "glass"), GREEDY, broken)
    tight.engine.submit(prompt(tight, "sand"), GREEDY, fine)
    assert broken.done.wait(60) and broken.reason is EndReason.ERROR and "a broken controller" in broken.error
    assert fine.done.wait(60) and fine.reason is EndReason.DONE and len(fine.tokens) == 10
    stats = tight.engine.stats()
    assert stats["live_sequences"] == 0 and not any(s.busy for s in tight.engine._scheduler.slots.slots)
