"""Shared by the benchmarks: machine facts, a plain table, the final one-line JSON summary,
and llama-cpp-python's high-level Llama loaded the way these CPUs need (repacking off)."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}


def table(headers: list[str], rows: list[list]) -> None:
    cells = [[str(h) for h in headers]] + [[fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        print("  ".join(c.rjust(w) for c, w in zip(row, widths)))
        if index == 0:
            print("  ".join("-" * w for w in widths))


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value)


def summary(name: str, **fields) -> None:
    print(json.dumps({"benchmark": name, "machine": machine(), **fields}))


def median(values) -> float:
    return statistics.median(values)


def percentile(values, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def high_level_llama(path: str, n_ctx: int, threads: int):
    """llama_cpp.Llama with weight repacking off: as built here, AMX matmul crashes without it."""
    import llama_cpp
    import llama_cpp.llama_cpp as low

    original = low.llama_model_default_params

    def repack_off():
        params = original()
        params.use_extra_bufts = False
        return params

    low.llama_model_default_params = repack_off
    try:
        return llama_cpp.Llama(path, n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, verbose=False)
    finally:
        low.llama_model_default_params = original
