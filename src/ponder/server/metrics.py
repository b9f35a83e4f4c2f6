"""GET /metrics: Prometheus text, what vLLM's and llama-server's users read.

Counters and histograms are kept as requests and turns finish; gauges (queue, sequences, KV
cells, preemptions) are read from the server and the engine at scrape time, so they are never
stale. Names follow Prometheus conventions under a `ponder_` prefix.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from ponder.types import TurnResult

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
TOKEN_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28)


class Metrics:
    def __init__(self, live: Callable[[], dict]):
        """live(): the current counters (active_requests and the engine's stats)."""
        self.registry = CollectorRegistry()
        self.requests = Counter("ponder_requests", "HTTP requests served, by path and status",
                                ["path", "status"], registry=self.registry)
        self.tokens = Counter("ponder_tokens", "Tokens of finished turns: prompt, cached (prefix-cache hits), "
                              "reasoning, answer", ["kind"], registry=self.registry)
        self.ttft = Histogram("ponder_time_to_first_token_seconds", "From submission to the first sampled token",
                              buckets=LATENCY_BUCKETS, registry=self.registry)
        self.per_token = Histogram("ponder_time_per_output_token_seconds", "Mean seconds per token after the first",
                                   buckets=TOKEN_BUCKETS, registry=self.registry)
        self.registry.register(_Live(live))

    def request(self, path: str, status: int) -> None:
        known = path if path in KNOWN_PATHS else "other"  # ids in paths would make labels unbounded
        self.requests.labels(known, str(status)).inc()

    def turn(self, result: TurnResult) -> None:
        usage = result.usage
        for kind, count in (("prompt", usage.prompt_tokens), ("cached", usage.cached_tokens),
                            ("reasoning", usage.reasoning_tokens), ("answer", usage.answer_tokens)):
            self.tokens.labels(kind).inc(count)
        if usage.completion_tokens:
            self.ttft.observe(result.ttft_s)
        if usage.completion_tokens > 1:
            self.per_token.observe(max(0.0, result.elapsed_s - result.ttft_s) / (usage.completion_tokens - 1))

    def text(self) -> bytes:
        return generate_latest(self.registry)


KNOWN_PATHS = {"/v1/chat/completions", "/v1/responses", "/v1/models", "/health", "/metrics"}
GAUGES = {  # engine or server counter -> (metric, help)
    "active_requests": ("ponder_requests_active", "Requests admitted (running or queued), bounded by --max-queue"),
    "live_sequences": ("ponder_sequences_running", "Client sequences generating"),
    "waiting_requests": ("ponder_sequences_waiting", "Client sequences queued in the engine"),
    "warm_ups": ("ponder_warm_ups", "Idle-time warm-ups queued or running"),
    "cached_tokens": ("ponder_kv_cells_used", "KV cells in use (a shared prefix counted once)"),
    "kv_cells": ("ponder_kv_cells", "KV cells of the pool"),
}


class _Live:
    def __init__(self, live: Callable[[], dict]):
        self.live = live

    def collect(self):
        values = self.live()
        for key, (name, text) in GAUGES.items():
            if isinstance(values.get(key), int):
                yield GaugeMetricFamily(name, text, value=values[key])
        if isinstance(values.get("preemptions"), int):
            yield CounterMetricFamily("ponder_preemptions", "Sequences sent back to the queue for want of KV cells",
                                      value=values["preemptions"])
