"""A real `ponder serve` process on 127.0.0.1, for the server and upstream suites."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from openai import OpenAI

PONDER = Path(sys.executable).with_name("ponder")
API_KEY = "test-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One `ponder serve` process; start() waits until /health answers."""

    def __init__(self, db: Path, *flags: str, env: dict | None = None, ctx: str | None = "2048"):
        self.db, self.flags, self.env = db, flags, env or {}
        self.ctx = ["--ctx", ctx] if ctx is not None else []  # None: the model's own window
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        command = [str(PONDER), "serve", "--port", str(self.port), "--db", str(self.db), "--api-key", API_KEY,
                   *self.ctx, *self.flags]
        # its log goes to a file beside the store: a pipe nobody reads would fill (a line per
        # request) and block the server
        self.log = Path(f"{self.db}.log")
        with self.log.open("a") as log:
            self.process = subprocess.Popen(command, env={**os.environ, **self.env}, stderr=log, text=True)
        for _ in range(300):
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 30 s")

    def kill(self) -> None:
        """SIGKILL: what a crash or an OOM kill does; nothing gets to clean up."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def client(self) -> OpenAI:
        return OpenAI(base_url=self.url + "/v1", api_key=API_KEY, max_retries=0, timeout=120)

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=120)


class InProcessServer:
    """ponder's app on a real uvicorn server in this process (a thread), for tests that reach
    into the runtime while requests run: a fault injected into the engine, say."""

    def __init__(self, runtime, db: Path, **config):
        import threading

        import uvicorn

        from ponder.config import ServerConfig
        from ponder.server.app import create_app
        from ponder.server.sealing import Sealer, load_key
        from ponder.server.state import ServerState
        from ponder.store.sqlite import Store

        self.port, self.store = free_port(), Store(str(db))
        state = ServerState(runtime, self.store, Sealer(load_key(None, Path(str(db) + ".key"))),
                            ServerConfig(db=str(db), **config))
        self.server = uvicorn.Server(uvicorn.Config(create_app(state), host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    url = Server.url

    def __enter__(self) -> "InProcessServer":
        self.thread.start()
        for _ in range(300):
            if self.server.started:
                return self
            time.sleep(0.1)
        raise RuntimeError("in-process server did not start in 30 s")

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.store.close()

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60)
