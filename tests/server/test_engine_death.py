"""An engine thread that dies is reported, never hidden: the requests in flight end with a
503 naming it, /health answers 503, and a new request is refused at once instead of waiting on
a thread that will never answer."""

import threading

import pytest
from support.serving import InProcessServer

from ponder.config import EngineConfig
from ponder.runtime import Runtime

CHAT = "/v1/chat/completions"
LONG = {"model": "smollm2", "messages": [{"role": "user", "content": "Count from 1 to 400."}],
        "reasoning_effort": "none", "temperature": 0, "max_completion_tokens": 1500}


class Killed(BaseException):
    """What takes a thread down past `except Exception` (as a fatal error in a native call would)."""


@pytest.fixture()
def served(tmp_path):
    with Runtime.load(EngineConfig(n_ctx=2048, n_threads=2)) as runtime, \
            InProcessServer(runtime, tmp_path / "ponder.db") as server:
        yield runtime, server


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the death is the point
def test_a_dead_engine_thread_fails_its_requests_and_health(served):
    runtime, server = served
    engine = runtime.engine
    with server.http() as http:
        assert http.get("/health").status_code == 200
        plain: dict = {}
        waiter = threading.Thread(target=lambda: plain.update(reply=http.post(CHAT, json=LONG)))
        with http.stream("POST", CHAT, json={**LONG, "stream": True}) as stream:
            lines = stream.iter_lines()
            next(line for line in lines if '"content"' in line and '""' not in line)  # generating
            waiter.start()
            while engine.stats()["live_sequences"] < 2:
                pass  # both requests running

            def die():
                raise Killed("injected")
            engine._scheduler.step = die
            rest = [line for line in lines if line]
        waiter.join(timeout=30)
        assert not waiter.is_alive(), "the non-streaming request hung on the dead engine"
        assert plain["reply"].status_code == 503
        assert plain["reply"].json()["error"]["code"] == "engine_unavailable"
        assert any('"error"' in line and "the engine stopped" in line for line in rest), rest[-3:]
        health = http.get("/health")
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        assert "Killed" in health.json()["reason"]
        later = http.post(CHAT, json=LONG, timeout=10)
        assert later.status_code == 503 and later.json()["error"]["code"] == "engine_unavailable"
