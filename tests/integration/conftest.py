"""Fixtures on the real embedded model (SmolLM2-135M through llama.cpp), budgets kept tiny."""

import pytest

from ponder.config import EngineConfig
from ponder.models.registry import resolve_model
from ponder.runtime import Runtime


@pytest.fixture(scope="session")
def model_path():
    return resolve_model(None)


@pytest.fixture(scope="session")
def runtime():
    with Runtime.load(EngineConfig(n_ctx=4096, n_threads=2)) as loaded:
        yield loaded


@pytest.fixture(scope="session")
def small_runtime():
    """A 320-token window, to make conversations overflow."""
    with Runtime.load(EngineConfig(n_ctx=320, n_threads=2, n_seq_max=1)) as loaded:
        yield loaded
