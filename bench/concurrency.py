"""concurrency: 8 clients at once through `ponder serve`, against the same 8 requests one at a time.

A real server on 127.0.0.1, the official openai SDK, streaming chat completions with distinct
prompts (no shared prefix beyond the template). Reports aggregate throughput (completion
tokens / wall time) and time to first token (first streamed delta) at p50 and p95.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import percentile, summary, table

SUBJECTS = ["a lighthouse keeper", "a lost kite", "a mountain goat", "an old clock", "a night train",
            "a busy beehive", "a paper boat", "a snowy owl", "a desert well", "a city garden"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, folder: str) -> subprocess.Popen:
    ponder = Path(sys.executable).with_name("ponder")
    process = subprocess.Popen([str(ponder), "serve", "--port", str(port), "--db", ":memory:", "--ctx", "4096",
                                "--threads", "2"], stderr=subprocess.DEVNULL, cwd=folder)
    import httpx

    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("ponder serve did not start")


def one_request(client, index: int, tokens: int) -> tuple[float, int]:
    start = time.perf_counter()
    first, used = None, 0
    stream = client.chat.completions.create(
        model="smollm2", stream=True, stream_options={"include_usage": True}, reasoning_effort="none",
        max_completion_tokens=tokens, temperature=0.8, seed=index,
        messages=[{"role": "user", "content": f"Tell a story about {SUBJECTS[index % len(SUBJECTS)]}."}])
    for chunk in stream:
        if first is None and chunk.choices and (chunk.choices[0].delta.content or
                                                getattr(chunk.choices[0].delta, "reasoning_content", None)):
            first = time.perf_counter() - start
        if chunk.usage:
            used = chunk.usage.completion_tokens
    return first or time.perf_counter() - start, used


def run(client, clients: int, requests: int, tokens: int) -> tuple[float, list[float], int]:
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda i: one_request(client, i, tokens), range(requests)))
    wall = time.perf_counter() - start
    return wall, [r[0] for r in results], sum(r[1] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--tiny", action="store_true", help="a smoke run for CI")
    args = parser.parse_args()
    clients, tokens = (2, 8) if args.tiny else (args.clients, args.tokens)
    from openai import OpenAI

    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(port, folder)
        try:
            client = OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="none", max_retries=0, timeout=600)
            one_request(client, 0, 4)  # warm the process
            serial = run(client, 1, clients, tokens)
            concurrent = run(client, clients, clients, tokens)
        finally:
            server.terminate()
            server.wait(timeout=10)
    rows = []
    for name, (wall, ttfts, used) in (("one at a time", serial), (f"{clients} concurrent", concurrent)):
        rows.append([name, wall, used, used / wall, percentile(ttfts, 0.5), percentile(ttfts, 0.95)])
    table(["mode", "wall s", "tokens", "tokens/s", "ttft p50 s", "ttft p95 s"], rows)
    summary("concurrency", clients=clients, tokens_per_request=tokens,
            tokens_per_s={"serial": rows[0][3], "concurrent": rows[1][3]},
            speedup=rows[1][3] / rows[0][3],
            ttft_s={"serial_p50": rows[0][4], "serial_p95": rows[0][5],
                    "concurrent_p50": rows[1][4], "concurrent_p95": rows[1][5]},
            target_speedup_at_least=2.0)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
