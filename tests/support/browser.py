"""Headless Chromium for the page tests: Debian's browser (scripts/browser-setup) and a tab
opened on a server's page with its API key given at the prompt."""

import shutil

import pytest

from support.serving import API_KEY

# the flags a closed network needs: without them Chromium keeps dialling Google's hosts
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
DESKTOP = {"width": 1280, "height": 800}


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:  # a missing browser fails the suite, it never skips it
        pytest.fail("Debian's chromium is not installed: run scripts/browser-setup")
    return path


def opened(browser, server, viewport=DESKTOP, key=API_KEY):
    """A fresh tab on the page, the key given at its prompt; dialogs (alert, confirm) recorded."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.dialogs = []
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(server.url + "/")
    if key is not None:
        page.wait_for_selector("#key-dialog[open]")
        page.fill("#key", key)
        page.press("#key", "Enter")
        page.wait_for_selector("body[data-ready=true]")
    return page
