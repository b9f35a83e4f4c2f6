"""The page in a real headless Chromium (Debian's, from scripts/browser-setup), driven by
Playwright's Python client, against a real `ponder serve` on 127.0.0.1 (with --api-key)."""

import pytest
from playwright.sync_api import sync_playwright

from support.browser import FLAGS, chromium_path, opened
from support.serving import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("page") / "ponder.db", "--expose-reasoning").start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(server):
    return server.client()


@pytest.fixture(scope="module")
def http(server):
    with server.http() as session:
        yield session


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread
# while it is open, and asyncio.run() in any later test of the session would refuse to start.
@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server):
    tab = opened(browser, server)
    yield tab
    assert tab.errors == []  # nothing the page did threw
    tab.context.close()
