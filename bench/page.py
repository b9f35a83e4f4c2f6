"""page: what the page costs the server per streamed token, against the openai SDK alone.

One `ponder serve`; rounds alternate a turn streamed by the official SDK and the same turn
sent from the page in headless Chromium (which draws it as it streams: reasoning, markdown
once a frame, the timeline at the end). Both send the same request (background, streamed,
stored, effort minimal, the same cap). The server's own decode speed is read from its
/metrics (ponder_time_per_output_token_seconds: the mean seconds per token after the first,
summed per turn) around each turn, so the ratio is the server's tokens/s with the page open
over its tokens/s with the SDK alone; the HTTP requests each turn caused are counted too.
Chromium runs on the same cores as the server: its drawing, if it cost, would show here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from common import summary, table
from playwright.sync_api import sync_playwright
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.browser import FLAGS, chromium_path, opened  # noqa: E402
from support.serving import Server  # noqa: E402

QUESTION = "Write a short story about a lighthouse keeper and the sea."


def scrape(server: Server) -> tuple[float, float, float]:
    """(seconds per token summed, turns counted, HTTP requests served) from /metrics."""
    seconds = turns = requests = 0.0
    with server.http() as http:
        text = http.get("/metrics").text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "ponder_time_per_output_token_seconds_sum":
                seconds += sample.value
            elif sample.name == "ponder_time_per_output_token_seconds_count":
                turns += sample.value
            elif sample.name == "ponder_requests_total" and sample.labels.get("path") != "/metrics":
                requests += sample.value
    return seconds, turns, requests


def measured(server: Server, run) -> tuple[float, int]:
    """The server's tokens/s over one turn that run() drives, and the requests it made."""
    before = scrape(server)
    run()
    after = scrape(server)
    assert after[1] - before[1] == 1, "one turn per measurement"
    return 1 / (after[0] - before[0]), int(after[2] - before[2])


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
    rows = []
    with tempfile.TemporaryDirectory() as folder, Server(Path(folder) / "bench.db", "--expose-reasoning").start() as server, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        page = opened(browser, server)
        by_sdk(server, 8)  # warm both paths once, unmeasured
        by_page(page, 8)
        for round_ in range(rounds):  # alternate, so drift in the machine hits both alike
            sdk, sdk_requests = measured(server, lambda: by_sdk(server, tokens))
            shown, page_requests = measured(server, lambda: by_page(page, tokens))
            rows.append([round_ + 1, sdk, shown, shown / sdk, sdk_requests, page_requests])
        browser.close()
    table(["round", "SDK tok/s", "page tok/s", "ratio", "SDK requests", "page requests"], rows)
    summary("page", tokens=tokens, rounds=rounds, sdk_tokens_per_s=statistics.median(r[1] for r in rows),
            page_tokens_per_s=statistics.median(r[2] for r in rows),
            ratio=statistics.median(r[3] for r in rows), requests_per_turn_sdk=max(r[4] for r in rows),
            requests_per_turn_page=max(r[5] for r in rows))


if __name__ == "__main__":
    main()
