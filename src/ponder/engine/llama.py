"""LlamaEngine: llama.cpp in-process, one model and context, generating on its own thread.

Callers submit and return at once; the engine thread owns every llama_decode and sampler
call, so llama.cpp is never entered from two threads. Tokenizing only reads the vocabulary
and is done on the caller's thread.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import llama_cpp as ll

from ponder.config import EngineConfig
from ponder.engine.base import Controller, EndReason, Engine, Grammar, SamplingParams
from ponder.engine.cursor import SegmentCursor
from ponder.engine.llama_model import load, token_text
from ponder.engine.sampler import grammar_refusal
from ponder.engine.scheduler import Scheduler
from ponder.engine.sequence import Request, WarmUp
from ponder.errors import EngineStopped

_CLOSE = object()


class RequestHandle:
    def __init__(self, request: Request):
        self._request = request

    def cancel(self) -> None:
        self._request.cancelled.set()


class LlamaEngine(Engine):
    def __init__(self, path: Path, config: EngineConfig):
        self.loaded = load(path, config)
        self.info = self.loaded.info
        self._vocab = self.loaded.vocab
        self._pieces: dict[int, bytes] = {}
        self._scheduler = Scheduler(self.loaded, config.n_batch, config.n_seq_max, self._end_tokens(),
                                    reuse=config.prefix_cache,
                                    shift_reeval=config.kv_shift_reeval if config.scratch_sequences else 0)
        self.prefix_cache, self.kv_reuse = config.prefix_cache, config.kv_reuse
        self._inbox: queue.Queue = queue.Queue()
        self._closed = False
        self._gate = threading.Lock()
        self._stopped: EngineStopped | None = None
        self._thread = threading.Thread(target=self._serve, name="ponder-engine", daemon=True)
        self._thread.start()

    # ---- vocabulary (any thread) ----

    def tokenize(self, text: str, *, special: bool = True) -> list[int]:
        data = text.encode("utf-8")
        size = len(data) + 16
        while True:
            buf = (ll.llama_token * size)()
            count = ll.llama_tokenize(self._vocab, data, len(data), buf, size, False, special)
            if count >= 0:
                return list(buf[:count])
            size = -count

    def piece(self, token: int) -> bytes:
        text = self._pieces.get(token)
        if text is None:
            text = self._pieces[token] = token_text(self._vocab, token)
        return text

    def is_eog(self, token: int) -> bool:
        return bool(ll.llama_vocab_is_eog(self._vocab, token))

    def check_grammar(self, grammar: Grammar) -> str | None:
        return grammar_refusal(self._vocab, grammar)  # reads the vocabulary only, as tokenizing does

    def _end_tokens(self) -> tuple[int, ...]:
        count = ll.llama_vocab_n_tokens(self._vocab)
        return tuple(t for t in range(count) if ll.llama_vocab_is_eog(self._vocab, t))

    # ---- generation ----

    def submit(self, prompt: list[int], sampling: SamplingParams, controller: Controller,
               history: int | None = None, key: str | None = None, reserve: int | None = None) -> RequestHandle:
        if not prompt:
            raise ValueError("an empty prompt has nothing to continue")
        request = Request(list(prompt), sampling, SegmentCursor(controller, self), history=history,
                          reserve=reserve or 0)
        with self._gate:  # against the thread dying between the check and the put
            stopped, closed = self._stopped, self._closed
            if not (stopped or closed):
                self._inbox.put(request)
        if stopped:
            controller.on_end(EndReason.ERROR, stopped)
        elif closed:
            controller.on_end(EndReason.CANCELLED, "the engine is closed")
        return RequestHandle(request)

    def warm(self, tokens: list[int], key: str | None = None) -> None:
        """Evaluate tokens into the cache when the engine is idle, for a turn yet to come."""
        if self.prefix_cache and tokens and not self._closed:
            cut = self.kv_reuse == "shift"
            self._inbox.put(Request(list(tokens), SamplingParams(), WarmUp(), warm=True, cut=cut))

    def stats(self) -> dict:
        scheduler = self._scheduler  # plain counters, read without a lock: a snapshot
        with self._inbox.mutex:
            queued = list(self._inbox.queue)
        live = list(scheduler.live)
        waiting = [r for r in list(scheduler.waiting) + queued if isinstance(r, Request)]
        return {"live_sequences": sum(not s.request.warm for s in live),
                "waiting_requests": sum(not r.warm for r in waiting),
                "warm_ups": sum(s.request.warm for s in live) + sum(r.warm for r in waiting),
                "cached_tokens": scheduler.slots.cached_cells(), "preemptions": scheduler.preemptions}

    def failure(self) -> str | None:
        return str(self._stopped) if self._stopped else None

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._inbox.put(_CLOSE)
        self._thread.join()
        self.loaded.free()

    def _serve(self) -> None:
        try:
            while self._take_inbox(block=not self._scheduler.busy):
                try:
                    self._scheduler.step()
                except Exception as error:  # a bad step fails what it ran; the engine goes on
                    self._scheduler.fail_all(f"engine step failed: {type(error).__name__}: {error}")
        except BaseException as error:  # the thread is going: nobody may wait on it
            self._abandon(EngineStopped(f"the engine stopped ({type(error).__name__}: {error}); "
                                        "restart the server"))
            raise
        self._scheduler.close()

    def _abandon(self, stopped: EngineStopped) -> None:
        """End everything live, waiting or still in the inbox with the error, and refuse
        whatever comes after."""
        with self._gate:
            self._stopped = stopped
        scheduler = self._scheduler
        ending = [s.request for s in scheduler.live] + scheduler.waiting
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, Request):
                ending.append(item)
        scheduler.live, scheduler.waiting = [], []
        for request in ending:
            try:
                request.controller.on_end(EndReason.ERROR, stopped)
            except Exception:  # one broken controller must not keep the others waiting
                pass

    def _take_inbox(self, block: bool) -> bool:
        """Move new requests to the scheduler; False once close() was called."""
        while True:
            try:
                item = self._inbox.get(block=block)
            except queue.Empty:
                return True
            if item is _CLOSE:
                return False
            self._scheduler.submit(item)
            block = False
