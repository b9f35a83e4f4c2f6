"""A real vLLM server (its CPU build, set up by scripts/vllm-setup) on 127.0.0.1, started and
stopped by the upstream tests and bench/upstream.py."""

import os
import subprocess
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from support.serving import free_port

ROOT = Path(__file__).resolve().parents[2]
VLLM_PYTHON = ROOT / ".vllm" / "venv" / "bin" / "python"
MODEL_DIR = ROOT / ".vllm" / "smollm2"


class Vllm:
    """vLLM's OpenAI server as the issue measured it: prefix caching, cached counts in usage."""

    def __init__(self, log: Path, dev_mode: bool = False):
        self.port, self.log, self.dev_mode = free_port(), log, dev_mode
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Vllm":
        assert VLLM_PYTHON.exists() and (MODEL_DIR / "config.json").exists(), "run scripts/vllm-setup first"
        command = [str(VLLM_PYTHON), "-m", "vllm.entrypoints.openai.api_server", "--model", str(MODEL_DIR),
                   "--served-model-name", "smollm2", "--host", "127.0.0.1", "--port", str(self.port),
                   "--enable-prefix-caching", "--enable-prompt-tokens-details", "--enforce-eager",
                   "--max-model-len", "2048", "--dtype", "bfloat16", "--max-num-seqs", "16"]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "VLLM_CPU_KVCACHE_SPACE": "2"}
        if self.dev_mode:  # mounts /reset_prefix_cache, which a benchmark needs between its runs
            env["VLLM_SERVER_DEV_MODE"] = "1"
        self.process = subprocess.Popen(command, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 480
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"vLLM exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(1)
        raise RuntimeError(f"vLLM did not start in 480 s: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


    def reset_prefix_cache(self) -> None:
        httpx.post(self.url + "/reset_prefix_cache", timeout=30).raise_for_status()

    def metrics(self) -> dict[str, float]:
        """vLLM's Prometheus counters and gauges, summed over their labels."""
        totals: dict[str, float] = {}
        for family in text_string_to_metric_families(httpx.get(self.url + "/metrics", timeout=30).text):
            for sample in family.samples:
                totals[sample.name] = totals.get(sample.name, 0.0) + sample.value
        return totals
