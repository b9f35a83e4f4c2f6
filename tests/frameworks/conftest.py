"""A real `ponder serve` on 127.0.0.1 for the agent frameworks, which reach it as an OpenAI API."""

import os

import pytest
from support.serving import API_KEY, Server

# LiteLLM would fetch its model price list from the network at import; the copy it ships is enough
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    with Server(tmp_path_factory.mktemp("frameworks") / "ponder.db").start() as running:
        yield running


@pytest.fixture(scope="session")
def base_url(server):
    return server.url + "/v1"


@pytest.fixture(scope="session")
def api_key():
    return API_KEY
