"""A real `ponder serve` on 127.0.0.1, driven by the official openai SDK and raw HTTP."""

import pytest

from support.serving import API_KEY, PONDER, Server, free_port  # noqa: F401 (the suite imports them from here)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("server") / "ponder.db").start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def client(server):
    return server.client()


@pytest.fixture(scope="session")
def http(server):
    with server.http() as session:
        yield session
