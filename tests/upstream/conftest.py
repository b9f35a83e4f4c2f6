"""A real vLLM server (its CPU build, set up by scripts/vllm-setup) with `ponder serve --upstream`
in front of it, both on 127.0.0.1. A missing vLLM fails the suite, it never skips."""

import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from support.serving import Server, free_port

ROOT = Path(__file__).resolve().parents[2]
VLLM_PYTHON = ROOT / ".vllm" / "venv" / "bin" / "python"
MODEL_DIR = ROOT / ".vllm" / "smollm2"


class Vllm:
    """vLLM's OpenAI server as the issue measured it: prefix caching, cached counts in usage."""

    def __init__(self, log: Path):
        self.port, self.log = free_port(), log
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


class Relay:
    """A TCP relay in front of vLLM that a test can cut, as a dying upstream or network would."""

    def __init__(self, target_port: int):
        self.target = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut_after: int | None = None  # from when it is set: bytes from the upstream before every connection dies
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        """Refuse new connections and break the open ones."""
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone does not
        self.listener.close()
        for end in self._open:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self._open += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, True), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, cuttable: bool) -> None:
        sent = 0  # since the cut was set
        try:
            while data := source.recv(4096):
                limit = self.cut_after if cuttable else None
                if limit is None:
                    sent = 0
                elif sent + len(data) > limit:
                    sink.sendall(data[: limit - sent])
                    break
                else:
                    sent += len(data)
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()


@pytest.fixture(scope="session")
def vllm(tmp_path_factory):
    server = Vllm(tmp_path_factory.mktemp("vllm") / "vllm.log").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def relay(vllm):
    return Relay(vllm.port)


@pytest.fixture(scope="session")
def ponder(vllm, relay, tmp_path_factory):
    """ponder serve --upstream, through the relay (a cut there is the upstream dying mid-stream)."""
    running = Server(tmp_path_factory.mktemp("ponder") / "ponder.db", "--upstream",
                     f"http://127.0.0.1:{relay.port}", "--tokenizer", str(MODEL_DIR), ctx=None).start()
    yield running
    running.stop()
