"""A real vLLM server (its CPU build, set up by scripts/vllm-setup) with `ponder serve --upstream`
in front of it, both on 127.0.0.1. A missing vLLM fails the suite, it never skips."""

import socket
import threading

import pytest

from support.serving import Server
from support.vllm import MODEL_DIR, Vllm


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
