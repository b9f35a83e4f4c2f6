import pytest

from ponder.engine.fake import FakeEngine
from ponder.runtime import Runtime


@pytest.fixture
def scripted():
    """A Runtime on a fake engine that says `script`."""

    def make(script: str, **engine_args) -> Runtime:
        return Runtime(FakeEngine(script, **engine_args))

    return make
