"""The app on a scripted engine, over real HTTP: failures and cancellation, deterministically.

Each submission follows the engine's plan: "hold" waits until it is cancelled, "fail" ends at
once with an error, "fail late" streams its script and then fails. Logic only: nothing here is
a claim about a real model.
"""

import json
import threading

import pytest
from support.serving import InProcessServer

from ponder.engine.base import EndReason
from ponder.engine.fake import FakeEngine
from ponder.runtime import Runtime

CHAT = "/v1/chat/completions"
ASK = {"model": "fake", "messages": [{"role": "user", "content": "hi"}], "reasoning_effort": "none"}


class Held:
    def __init__(self, controller):
        self.controller, self.cancelled = controller, threading.Event()

    def cancel(self) -> None:
        if not self.cancelled.is_set():
            self.cancelled.set()
            self.controller.on_end(EndReason.CANCELLED)


class LateFailure:
    """Passes the script's tokens through, then reports an error where the script ended."""

    def __init__(self, controller):
        self.controller = controller

    def __getattr__(self, name):
        return getattr(self.controller, name)

    def on_end(self, reason, error=None):
        self.controller.on_end(EndReason.ERROR, "scripted failure after the answer began")


class Planned(FakeEngine):
    def __init__(self, plan: list[str]):
        super().__init__("The answer is 4.")
        self.plan, self.held = list(plan), []

    def submit(self, prompt, sampling, controller, history=None, key=None, reserve=None):
        step = self.plan.pop(0) if self.plan else "answer"
        if step == "hold":
            controller.on_prefilled(len(prompt), 0)
            self.held.append(Held(controller))
            return self.held[-1]
        if step == "fail":
            controller.on_prefilled(len(prompt), 0)
            controller.on_end(EndReason.ERROR, "scripted failure")
            return Held(controller)
        if step == "fail late":
            controller = LateFailure(controller)
        return super().submit(prompt, sampling, controller, history, key)


def serve(tmp_path, plan, **config):
    engine = Planned(plan)
    return engine, InProcessServer(Runtime(engine, model_id="fake"), tmp_path / "ponder.db", **config)


def test_one_failed_choice_of_n_cancels_its_siblings(tmp_path):
    engine, server = serve(tmp_path, ["hold", "fail", "hold"])
    with server, server.http() as http:
        reply = http.post(CHAT, json={**ASK, "n": 3})
        assert reply.status_code == 500 and reply.json()["error"]["code"] == "engine_failure"
        assert "scripted failure" in reply.json()["error"]["message"]
        assert len(engine.held) == 2 and all(h.cancelled.is_set() for h in engine.held)
        assert http.get("/health").json()["active_requests"] == 0


def test_a_failure_mid_stream_is_an_error_event_after_the_text(tmp_path):
    engine, server = serve(tmp_path, ["fail late"])
    with server, server.http() as http:
        with http.stream("POST", CHAT, json={**ASK, "stream": True}) as stream:
            events = [json.loads(line[6:]) for line in stream.iter_lines() if line.startswith("data: {")]
        text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events if e.get("choices"))
        assert text == "The answer is 4."
        assert events[-1]["error"]["message"].endswith("scripted failure after the answer began")
        assert http.post(CHAT, json=ASK).json()["choices"][0]["message"]["content"] == "The answer is 4."


def test_admission_is_refused_past_the_queue_and_freed_by_a_cancel(tmp_path):
    engine, server = serve(tmp_path, ["hold"], max_queue=1)
    with server, server.http() as http:
        with http.stream("POST", CHAT, json={**ASK, "stream": True}) as stream:
            lines = stream.iter_lines()  # kept: a dropped iterator would close the connection
            next(lines)  # admitted, held by the engine
            refused = http.post(CHAT, json=ASK)
            assert refused.status_code == 429 and refused.json()["error"]["code"] == "queue_full"
        # the client left: its turn is cancelled in the engine and its place given back
        for _ in range(100):
            if engine.held[0].cancelled.is_set() and http.get("/health").json()["active_requests"] == 0:
                break
            threading.Event().wait(0.05)
        assert engine.held[0].cancelled.is_set()
        assert http.post(CHAT, json=ASK).status_code == 200


@pytest.mark.parametrize("path, body", [(CHAT, ASK), ("/v1/responses", {"model": "fake", "input": "hi",
                                                                          "reasoning": {"effort": "none"}})])
def test_a_failed_turn_is_a_500_naming_it_and_the_server_goes_on(tmp_path, path, body):
    engine, server = serve(tmp_path, ["fail"])
    with server, server.http() as http:
        failed = http.post(path, json=body)
        assert failed.status_code == 500 and "scripted failure" in failed.json()["error"]["message"]
        assert http.post(path, json=body).status_code == 200
