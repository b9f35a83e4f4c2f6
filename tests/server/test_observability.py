"""What an operator sees: Prometheus metrics, a request id in every answer and log line, the
store's location, and 500s that say where to look."""

import logging
import os
import subprocess
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families
from support.serving import PONDER, InProcessServer, free_port

from ponder.engine.fake import FakeEngine
from ponder.runtime import Runtime

CHAT = "/v1/chat/completions"


def samples(text: str) -> dict:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_count_requests_tokens_and_latency(server, http):
    reply = http.post(CHAT, json={"model": "smollm2", "reasoning_effort": "low", "max_completion_tokens": 60,
                                  "messages": [{"role": "user", "content": "What is 2+2?"}]}).json()
    scraped = httpx.get(server.url + "/metrics")  # no key: like vLLM's, for the scraper
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    values = samples(scraped.text)
    assert values[("ponder_requests_total", (("path", CHAT), ("status", "200")))] >= 1
    assert values[("ponder_tokens_total", (("kind", "reasoning"),))] >= reply["usage"]["completion_tokens_details"][
        "reasoning_tokens"] > 0
    assert values[("ponder_time_to_first_token_seconds_count", ())] >= 1
    assert values[("ponder_time_per_output_token_seconds_count", ())] >= 1
    assert values[("ponder_kv_cells", ())] >= 2048 and ("ponder_kv_cells_used", ()) in values
    assert values[("ponder_sequences_running", ())] == 0 and ("ponder_preemptions_total", ()) in values


def test_every_answer_carries_a_request_id_and_keeps_a_sane_one_given(http):
    mine = http.get("/health", headers={"x-request-id": "trace-42"})
    assert mine.headers["x-request-id"] == "trace-42"
    fresh = http.get("/health", headers={"x-request-id": "bad id\twith junk" * 10})
    assert fresh.headers["x-request-id"].startswith("req_")


class Buggy(FakeEngine):
    def submit(self, *args, **kwargs):
        raise KeyError("a bug in the engine")


def test_a_500_names_its_request_and_the_log_has_the_traceback(tmp_path, caplog):
    with InProcessServer(Runtime(Buggy("x"), model_id="fake"), tmp_path / "ponder.db") as served, served.http() as http:
        with caplog.at_level(logging.INFO, logger="ponder"):
            reply = http.post(CHAT, json={"model": "fake", "messages": [{"role": "user", "content": "hi"}]})
            for _ in range(100):  # the request's line is written once its last byte is sent
                if any("500" in r.getMessage() for r in caplog.records):
                    break
                time.sleep(0.02)
    assert reply.status_code == 500
    request_id = reply.headers["x-request-id"]
    message = reply.json()["error"]["message"]
    assert "KeyError" in message and request_id in message
    failed = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failed and failed[0].request_id == request_id and failed[0].exc_info is not None
    assert any(r.request_id == request_id and "500" in r.getMessage() for r in caplog.records)  # the request line


def test_the_store_defaults_to_the_users_data_folder_and_the_startup_line_says_so(tmp_path):
    data, elsewhere = tmp_path / "data", tmp_path / "cwd"
    elsewhere.mkdir()
    port = free_port()
    process = subprocess.Popen([str(PONDER), "serve", "--port", str(port), "--ctx", "512"], cwd=elsewhere,
                               env={**os.environ, "XDG_DATA_HOME": str(data)}, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        while "ponder serving" not in line:
            line = process.stderr.readline()
            assert line or process.poll() is None, "the server exited"
        store = data / "ponder" / "ponder.db"
        assert f"storing responses in {store}" in line
        assert store.exists() and not list(elsewhere.iterdir())  # nothing lands where it was started
    finally:
        process.terminate()
        process.wait(timeout=30)
