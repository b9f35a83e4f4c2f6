import subprocess
import sys
from pathlib import Path

import pytest

PONDER = Path(sys.executable).with_name("ponder")


@pytest.fixture
def ponder():
    """Run the installed `ponder` command as a user would; return the finished process."""

    def run(*args: str, stdin: str | None = None, cwd: Path | None = None, timeout: int = 120):
        return subprocess.run(
            [str(PONDER), *args], input=stdin, capture_output=True, text=True, timeout=timeout, cwd=cwd
        )

    return run
