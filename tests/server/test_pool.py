"""The window and the KV pool are two numbers: with defaults, the shipped reasoner (a 2,048-token
window, whose cells cost almost nothing) runs vote@8 with 512-token completions, which need
more cells than one window holds."""

import pytest

from conftest import Server


@pytest.fixture(scope="module")
def reasoner(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("pool") / "ponder.db", "--model", "ponder-reasoner", ctx=None).start()
    yield running
    running.stop()


def test_defaults_give_a_vote_of_eight_more_cells_than_one_window(reasoner):
    card = reasoner.http().get("/v1/models").json()["data"][0]
    assert card["context_window"] == 2048 and card["kv_cells"] >= 8 * 512 + 64
    reply = reasoner.client().chat.completions.create(
        model="ponder-reasoner", messages=[{"role": "user", "content": "What is 347 * 86?"}],
        max_completion_tokens=512, reasoning_effort="high", seed=3, extra_body={"strategy": "vote@8"})
    strategy = reply.choices[0].model_extra["strategy"]
    assert strategy["sequences"] == 8 and sum(strategy["votes"].values()) >= 1  # a sample without an answer does not vote
    assert reply.choices[0].message.content
    assert reply.usage.completion_tokens_details.reasoning_tokens > 8 * 50  # all eight reasoned


def test_a_vote_the_pool_cannot_hold_is_refused_by_name(tmp_path):
    small = Server(tmp_path / "ponder.db", "--model", "ponder-reasoner", "--kv-cells", "2048", ctx=None).start()
    try:
        response = small.http().post("/v1/chat/completions", json={
            "model": "ponder-reasoner", "messages": [{"role": "user", "content": "What is 3 * 4?"}],
            "max_completion_tokens": 512, "strategy": "vote@8"})
        assert response.status_code == 400
        assert "the pool holds 2048" in response.json()["error"]["message"]
    finally:
        small.stop()
