"""page: what the page costs the server per streamed token, against the openai SDK alone.

One `ponder serve`; rounds alternate a turn streamed by the official SDK and the same turn
sent from the page in headless Chromium (which draws it as it streams: reasoning, markdown
once a frame, the timeline at the end). Both send the same request (background, streamed,
stored, effort minimal, the same cap). The server's own decode speed is read from its
/metrics (ponder_time_per_output_token_seconds: the mean seconds per token after the first,
summed per turn) around each turn, so the ratio is the server's tokens/s with the page open
over its tokens/s with the SDK alone; the HTTP requests each turn caused are counted too.
Chromium runs on the same cores as the server: its drawing, if it cost, would show here. The
server's own work per token is measured apart from that contention: the CPU seconds its process
spent (utime + stime from /proc) per generated token, SDK turn against page turn.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import summary, table
from playwright.sync_api import sync_playwright
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.browser import FLAGS, chromium_path, opened  # noqa: E402
from support.serving import Server  # noqa: E402

QUESTION = "Write a short story about a lighthouse keeper and the sea."


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far, user and system, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scrape(server: Server) -> tuple[float, float, float, float, float]:
    """(seconds per token summed, turns counted, HTTP requests served, tokens generated, CPU s)."""
    seconds = turns = requests = tokens = 0.0
    cpu = cpu_seconds(server.process.pid)
    with server.http() as http:
        text = http.get("/metrics").text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "ponder_time_per_output_token_seconds_sum":
                seconds += sample.value
            elif sample.name == "ponder_time_per_output_token_seconds_count":
                turns += sample.value
            elif sample.name == "ponder_requests_total" and sample.labels.get("path") not in ("/metrics", "/health"):
                requests += sample.value
            elif sample.name == "ponder_tokens_total" and sample.labels.get("kind") in ("reasoning", "answer"):
                tokens += sample.value
    return seconds, turns, requests, tokens, cpu


def settle(server: Server) -> None:
    """Wait until the server is idle: the turn's own after-work (the next turn's pre-warm, the
    store) belongs to the turn, not to whatever is measured next."""
    with server.http() as http:
        for _ in range(600):
            live = http.get("/health").json()
            if not (live["active_requests"] or live["live_sequences"] or live["warm_ups"]):
                time.sleep(0.1)  # a pre-warm is queued just after the turn's last event
                live = http.get("/health").json()
                if not (live["active_requests"] or live["live_sequences"] or live["warm_ups"]):
                    return
            time.sleep(0.05)
    raise RuntimeError("the server did not settle")


def measured(server: Server, run) -> tuple[float, int, float]:
    """The server's tokens/s over one turn that run() drives, the requests it made, and the
    server's CPU milliseconds per generated token."""
    before = scrape(server)
    run()
    settle(server)
    after = scrape(server)
    assert after[1] - before[1] == 1, "one turn per measurement"
    return 1 / (after[0] - before[0]), int(after[2] - before[2]), 1000 * (after[4] - before[4]) / (after[3] - before[3])


def by_sdk(server: Server, tokens: int) -> None:
    stream = server.client().responses.create(model="smollm2", input=QUESTION, background=True, stream=True,
                                              store=True, reasoning={"effort": "minimal", "summary": "auto"},
                                              max_output_tokens=tokens, metadata={"ponder_page": "chat"})
    assert any(event.type in ("response.completed", "response.incomplete") for event in stream)


def by_page(page, tokens: int) -> None:
    page.click("#new-chat")
    page.select_option("#effort", "minimal")
    page.fill("#max-tokens", str(tokens))
    page.fill("#input", QUESTION)
    page.press("#input", "Enter")
    page.wait_for_function("() => ['completed', 'incomplete'].includes("
                           "document.querySelector('article.turn')?.dataset.state)", timeout=300_000)
    page.wait_for_timeout(200)  # the lists' refresh after a turn belongs to the turn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--tiny", action="store_true", help="a smoke run for CI")
    args = parser.parse_args()
    tokens, rounds = (24, 1) if args.tiny else (args.tokens, args.rounds)
    cores = sorted(os.sched_getaffinity(0))
    layouts = ["shared"] + (["pinned"] if len(cores) > 1 else [])
    rows = [[layout, *row] for layout in layouts for row in compare(layout, cores, tokens, rounds)]
    table(["layout", "round", "SDK tok/s", "page tok/s", "ratio", "SDK server CPU ms/tok", "page server CPU ms/tok",
           "CPU ratio", "SDK requests", "page requests"], rows)
    result = {"tokens": tokens, "rounds": rounds}
    for layout in layouts:
        median = lambda column: statistics.median(r[column] for r in rows if r[0] == layout)  # noqa: E731
        result.update({f"{layout}_sdk_tokens_per_s": median(2), f"{layout}_page_tokens_per_s": median(3),
                       f"{layout}_ratio": median(4), f"{layout}_sdk_server_cpu_ms_per_token": median(5),
                       f"{layout}_page_server_cpu_ms_per_token": median(6), f"{layout}_server_cpu_ratio": median(7)})
    summary("page", **result, requests_per_turn_sdk=max(r[8] for r in rows),
            requests_per_turn_page=max(r[9] for r in rows))


def compare(layout: str, cores: list[int], tokens: int, rounds: int) -> list[list]:
    """Rounds of SDK turn against page turn on one fresh server. shared: server, browser and SDK
    on every core, as on a laptop; on a small machine the browser's own drawing then competes
    with the server's threads. pinned: the server on one core with one thread, the browser and
    the SDK on the others, so only work the page makes the server do can tell the two apart."""
    flags = ["--expose-reasoning"] + (["--threads", "1"] if layout == "pinned" else [])
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        if layout == "pinned":
            os.sched_setaffinity(0, cores[:1])  # the server inherits this; the clients what follows
        server = Server(Path(folder) / "bench.db", *flags).start()
        os.sched_setaffinity(0, cores[1:] if layout == "pinned" else cores)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
                page = opened(browser, server)
                by_sdk(server, 8)  # warm both paths once, unmeasured
                by_page(page, 8)
                for round_ in range(rounds):  # alternate, so drift in the machine hits both alike
                    sdk, sdk_requests, sdk_cpu = measured(server, lambda: by_sdk(server, tokens))
                    shown, page_requests, page_cpu = measured(server, lambda: by_page(page, tokens))
                    rows.append([round_ + 1, sdk, shown, shown / sdk, sdk_cpu, page_cpu, page_cpu / sdk_cpu,
                                 sdk_requests, page_requests])
                browser.close()
        finally:
            server.stop()
            os.sched_setaffinity(0, cores)
    return rows

if __name__ == "__main__":
    main()
