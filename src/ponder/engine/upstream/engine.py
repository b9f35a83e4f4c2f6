"""UpstreamEngine: the Engine contract served by an OpenAI-compatible completions server (vLLM).

ponder keeps everything that makes a turn a reasoning turn (template, window, budget, hand-off,
discard, strategies) and sends the server token ids: one streamed request per segment, each
on a thread of its own, so the server batches all live sequences. Startup checks that the
server answers, which model it serves and its window, and that ponder's tokenizer (the
model's own files) splits text exactly as the server does.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

from ponder.engine.base import Controller, EndReason, Engine, ModelInfo, SamplingParams
from ponder.engine.cursor import SegmentCursor
from ponder.engine.upstream import vllm
from ponder.engine.upstream.client import Upstream
from ponder.engine.upstream.runner import Run
from ponder.engine.upstream.vocab import Vocabulary
from ponder.errors import InvalidOption, ModelError, PonderError

# the header a session-aware router (vllm-router's session routing) pins a conversation by
SESSION_HEADER = "x-session-id"
# checked at startup against the server's own tokenizer: plain text, a control token, digits
TOKENIZE_CHECK = "<|im_start|>user\nWhat is 12 + 30? Think, then answer.<|im_end|>\n"


class RunHandle:
    def __init__(self, run: Run):
        self._run = run

    def cancel(self) -> None:
        self._run.cancelled.set()


class UpstreamEngine(Engine):
    def __init__(self, url: str, model: str | None = None, tokenizer: str | None = None,
                 n_ctx: int | None = None, timeout: float = 60.0, prewarm: bool = True):
        self.prewarm = prewarm
        self.upstream = Upstream(url, timeout)
        try:
            served = self._served(model)
            self.model = served["id"]
            self.vocab = Vocabulary(self._tokenizer_folder(served, tokenizer))
            self._check_tokenizer()
        except PonderError:
            self.upstream.close()
            raise
        window = served.get("max_model_len") or self.vocab.n_ctx_train or 2048
        if n_ctx is not None and n_ctx > window:
            raise InvalidOption("ctx", f"the upstream serves {self.model} with a window of {window} tokens, "
                                       f"so the context window cannot be {n_ctx}")
        self.end_tokens = tuple(sorted(self.vocab.end_tokens))
        self.eos = self.vocab.tokenize(self.vocab.eos_text)[0] if self.vocab.eos_text else self.end_tokens[0]
        self.info = ModelInfo(name=self.model, path=self.upstream.url, n_ctx=n_ctx or window,
                              n_ctx_train=self.vocab.n_ctx_train or window, kv_cells=window,
                              chat_template=self.vocab.chat_template, bos_text=self.vocab.bos_text,
                              eos_text=self.vocab.eos_text, add_bos=self.vocab.add_bos)
        self._runs: set[Run] = set()
        self._lock = threading.Lock()
        self._warm: queue.Queue = queue.Queue(maxsize=64)
        self._warming = 0  # warm-ups queued or in flight
        self._closed = False
        self._warmer = threading.Thread(target=self._warm_loop, name="ponder-upstream-warm", daemon=True)
        self._warmer.start()

    # ---- startup ----

    def _served(self, wanted: str | None) -> dict:
        models = self.upstream.get("/v1/models").get("data") or []
        if not models:
            raise ModelError(f"upstream {self.upstream.url} serves no model")
        if wanted is None:
            return models[0]
        for entry in models:
            if entry.get("id") == wanted:
                return entry
        names = ", ".join(str(m.get("id")) for m in models)
        raise ModelError(f"upstream {self.upstream.url} does not serve {wanted!r} (it serves {names})")

    def _tokenizer_folder(self, served: dict, tokenizer: str | None) -> Path:
        folder = Path(tokenizer or served.get("root") or "").expanduser()
        if not (folder / "tokenizer.json").is_file():
            raise ModelError(f"no tokenizer for {served.get('id')!r}: pass --tokenizer with the model's "
                             f"Hugging Face folder (tried {str(folder) or 'nothing'})")
        return folder

    def _check_tokenizer(self) -> None:
        body = {"model": self.model, "prompt": TOKENIZE_CHECK, "add_special_tokens": False}
        theirs = self.upstream.post("/tokenize", body).get("tokens")
        ours = self.vocab.tokenize(TOKENIZE_CHECK)
        if theirs != ours:
            raise ModelError(f"the tokenizer in {self.vocab.folder} splits text unlike the upstream's "
                             f"({len(ours)} tokens against {len(theirs or [])}): token counts would be wrong")

    # ---- vocabulary ----

    def tokenize(self, text: str, *, special: bool = True) -> list[int]:
        return self.vocab.tokenize(text, special=special)

    def piece(self, token: int) -> bytes:
        return self.vocab.piece(token)

    def is_eog(self, token: int) -> bool:
        return self.vocab.is_eog(token)

    # ---- generation ----

    def submit(self, prompt: list[int], sampling: SamplingParams, controller: Controller,
               history: int | None = None, key: str | None = None, reserve: int | None = None) -> RunHandle:
        if not prompt:
            raise ValueError("an empty prompt has nothing to continue")
        headers = {SESSION_HEADER: key} if key else {}
        run = Run(self.upstream, self.model, list(prompt), sampling, SegmentCursor(controller, self),
                  self.end_tokens, self.eos, self.info.n_ctx, headers)
        if self._closed:
            controller.on_end(EndReason.CANCELLED, "the engine is closed")
            return RunHandle(run)
        with self._lock:
            self._runs.add(run)
        threading.Thread(target=self._serve, args=(run,), name="ponder-upstream", daemon=True).start()
        return RunHandle(run)

    def _serve(self, run: Run) -> None:
        try:
            run.run()
        finally:
            with self._lock:
                self._runs.discard(run)

    def warm(self, tokens: list[int], key: str | None = None) -> None:
        """Send the next turn's prompt start with one output token, so the server's prefix
        cache holds it when that turn comes (a full queue drops the warm-up, never waits)."""
        if not (tokens and self.prewarm) or self._closed:
            return
        with self._lock:
            self._warming += 1
        try:
            self._warm.put_nowait((list(tokens), key))
        except queue.Full:
            with self._lock:
                self._warming -= 1

    def _warm_loop(self) -> None:
        while True:
            item = self._warm.get()
            if item is None:
                return
            tokens, key = item
            try:
                self.upstream.post("/v1/completions", vllm.warm_body(self.model, tokens),
                                   {SESSION_HEADER: key} if key else None)
            except PonderError:
                pass  # a warm-up is a hint: the turn itself reports a failing upstream
            finally:
                with self._lock:
                    self._warming -= 1

    def stats(self) -> dict:
        with self._lock:
            live, warming = len(self._runs), self._warming
        return {"live_sequences": live, "waiting_requests": 0, "warm_ups": warming, "upstream": self.upstream.url}

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with self._lock:
            runs = list(self._runs)
        for run in runs:
            run.cancelled.set()
        self._warm.put(None)
        self._warmer.join(timeout=5)
        self.upstream.close()
