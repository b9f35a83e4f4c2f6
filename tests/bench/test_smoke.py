"""Each benchmark runs once at a tiny size and ends with its one-line JSON summary.

A smoke check only: benchmarks measure, tests do not time anything.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize("name", ["multiturn", "parallel", "concurrency", "overhead", "strategies", "interleaved",
                                  "upstream", "page"])
def test_benchmark_runs_and_summarises(name):
    done = subprocess.run([sys.executable, str(BENCH / f"{name}.py"), "--tiny"], capture_output=True, text=True,
                          timeout=600, cwd=BENCH)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["benchmark"] == name and summary["machine"]["cores"] == os.cpu_count()
