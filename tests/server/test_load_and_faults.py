"""Load and faults on a real server, bounded in time: many streams with random disconnects, a
noisy neighbour beside a normal request, a request that could never fit, and kill -9 while
Responses are being written. Each test prints its figures (run with -s to read them)."""

import random
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import Server

CHAT = "/v1/chat/completions"


def rss_mb(server: Server) -> float:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))) / 1024


def settle(http: httpx.Client, seconds: float = 60) -> dict:
    """/health once nothing runs for a client any more (or after seconds)."""
    deadline = time.monotonic() + seconds
    while True:
        health = http.get("/health").json()
        if (health["live_sequences"] == health["waiting_requests"] == health["active_requests"] == 0
                or time.monotonic() > deadline):
            return health
        time.sleep(0.1)


def stream_once(server: Server, body: dict, leave_after: int | None, outcome: list) -> None:
    with server.http() as http:
        with http.stream("POST", CHAT, json=body) as response:
            if response.status_code != 200:
                outcome.append(("refused", response.status_code))
                return
            for count, line in enumerate(response.iter_lines()):
                if leave_after is not None and count >= leave_after:
                    outcome.append(("left", count))
                    return  # leaving the with-blocks closes the connection mid-stream
                if line == "data: [DONE]":
                    outcome.append(("done", count))
                    return
    outcome.append(("cut", 0))


def test_rounds_of_streams_with_random_disconnects_leak_nothing(tmp_path):
    chooser = random.Random(15)
    with Server(tmp_path / "ponder.db").start() as server:
        with server.http() as http:
            http.post(CHAT, json={"model": "smollm2", "messages": [{"role": "user", "content": "hi"}],
                                  "max_completion_tokens": 8})  # first allocations before the baseline
            before = rss_mb(server)
            outcomes: list = []
            for round_ in range(3):
                threads = []
                for i in range(16):
                    body = {"model": "smollm2", "stream": True, "reasoning_effort": "low", "max_completion_tokens": 40,
                            "messages": [{"role": "user", "content": f"Round {round_}, client {i}: name a colour."}]}
                    leave = chooser.choice([None, None, 1, 3, 8, 15])
                    threads.append(threading.Thread(target=stream_once, args=(server, body, leave, outcomes)))
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=120)
                assert not any(t.is_alive() for t in threads), "a client hung"
                health = settle(http)
                assert health["live_sequences"] == 0 and health["active_requests"] == 0, health  # nothing leaked
            after = rss_mb(server)
            kinds = [kind for kind, _ in outcomes]
            print(f"\nload: {len(outcomes)} streams, {kinds.count('left')} disconnects, {kinds.count('done')} "
                  f"finished, {kinds.count('refused')} refused; leaked sequences 0; RSS {before:.0f} -> {after:.0f} MB")
            assert len(outcomes) == 48 and kinds.count("cut") == 0 and kinds.count("refused") == 0
            assert kinds.count("left") >= 10 and kinds.count("done") >= 10
            assert after - before < 100, f"RSS grew {after - before:.0f} MB over 48 streams"
            assert http.post(CHAT, json={"model": "smollm2", "messages": [{"role": "user", "content": "hi"}],
                                         "max_completion_tokens": 8}).status_code == 200


def test_a_noisy_neighbour_waits_its_turn_and_a_normal_request_finishes_normally(tmp_path):
    # a pool of two windows: the noisy request's eight sequences take most of it
    with Server(tmp_path / "ponder.db", "--kv-cells", "2048", ctx="1024").start() as server:
        with server.http() as http:
            noisy = {"model": "smollm2", "n": 8, "reasoning_effort": "high", "max_completion_tokens": 200,
                     "messages": [{"role": "user", "content": "Explain how tides work."}]}
            normal = {"model": "smollm2", "reasoning_effort": "low", "max_completion_tokens": 300, "temperature": 0,
                      "messages": [{"role": "user", "content": "What is 17+25? Answer with the number."}]}
            got: dict = {}

            def send(name, body):
                started = time.monotonic()
                reply = http.post(CHAT, json=body)
                got[name] = (reply, time.monotonic() - started)

            loud = threading.Thread(target=send, args=("noisy", noisy))
            loud.start()
            time.sleep(0.5)  # the noisy one is running
            send("normal", normal)
            loud.join(timeout=300)
            (noisy_reply, noisy_s), (normal_reply, normal_s) = got["noisy"], got["normal"]
            assert normal_reply.status_code == 200, normal_reply.text
            choice = normal_reply.json()["choices"][0]
            assert choice["finish_reason"] == "stop" and choice["message"]["content"]
            assert noisy_reply.status_code == 200, noisy_reply.text
            finishes = [c["finish_reason"] for c in noisy_reply.json()["choices"]]
            usage = noisy_reply.json()["usage"]
            print(f"\nnoisy neighbour: 8 choices in {noisy_s:.1f} s, finishes {finishes}, "
                  f"{usage['completion_tokens']} completion tokens; normal: {choice['finish_reason']} in {normal_s:.1f} s "
                  f"({normal_reply.json()['usage']['completion_tokens']} tokens)")
            # every noisy choice said something: none was cut off by the pool before it began
            assert all(c["message"]["content"] or c["message"]["reasoning_content"]
                       for c in noisy_reply.json()["choices"])
            assert usage["completion_tokens"] > 8 * 50


def test_a_request_that_could_never_fit_the_pool_is_a_400_naming_it(tmp_path):
    with Server(tmp_path / "ponder.db", "--kv-cells", "2048", ctx="2048").start() as server:
        with server.http() as http:
            long = "Here is a long story about a river. " * 180  # about 1,650 tokens
            reply = http.post(CHAT, json={"model": "smollm2", "n": 8, "max_completion_tokens": 40,
                                          "messages": [{"role": "user", "content": long}]})
            assert reply.status_code == 400, reply.text[:300]
            error = reply.json()["error"]
            assert error["param"] == "n" and "the pool holds 2048" in error["message"]
            assert http.get("/health").json()["status"] == "ok"


def test_kill_9_during_responses_writes_loses_no_acknowledged_response(tmp_path):
    db = tmp_path / "ponder.db"
    server = Server(db).start()
    received: list[str] = []
    stop = threading.Event()

    def writer(i):
        with server.http() as http:
            previous = None
            while not stop.is_set():
                try:
                    reply = http.post("/v1/responses", json={
                        "model": "smollm2", "input": f"Writer {i}: say a word.", "reasoning": {"effort": "none"},
                        "max_output_tokens": 6, "previous_response_id": previous})
                except httpx.TransportError:
                    return  # the server is gone
                if reply.status_code == 200:
                    previous = reply.json()["id"]
                    received.append(previous)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(received) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()  # mid-write, most likely: four writers never pause
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    acknowledged = list(received)
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    again = Server(db).start()
    try:
        with again.http() as http:
            missing = [rid for rid in acknowledged if http.get(f"/v1/responses/{rid}").status_code != 200]
            # a conversation continues across the crash from its last acknowledged response
            follow = http.post("/v1/responses", json={"model": "smollm2", "input": "And another?",
                                                      "reasoning": {"effort": "none"}, "max_output_tokens": 6,
                                                      "previous_response_id": acknowledged[-1]})
        print(f"\nkill -9: {len(acknowledged)} responses acknowledged before the kill, {len(missing)} missing after "
              f"restart, integrity_check ok")
        assert len(acknowledged) >= 20 and missing == []
        assert follow.status_code == 200
    finally:
        again.stop()
