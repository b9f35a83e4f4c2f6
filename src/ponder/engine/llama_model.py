"""Load a GGUF file into llama.cpp: model, context, vocabulary and metadata.

This is the only module that knows how llama.cpp wants to be loaded on these machines:
weight repacking ("extra buffer types") is turned off because ggml's AMX matmul crashes
llama_decode on the Xeons ponder runs on, and the KV cache is unified: one pool of cells
(engine/pool.py sizes it) that every sequence draws from. It knows nothing about scheduling or reasoning.
"""

from __future__ import annotations

import ctypes
import functools
from dataclasses import dataclass
from pathlib import Path

import llama_cpp as ll

from ponder.config import EngineConfig
from ponder.engine.base import ModelInfo
from ponder.engine.pool import kv_bytes_per_cell, settle_pool, settle_window
from ponder.errors import InvalidOption, ModelError

GGUF_MAGIC = b"GGUF"


@ll.llama_log_callback
def _quiet(level, text, user_data):  # llama.cpp logs every tensor at load; keep stderr for ponder
    pass


@functools.cache
def _init_backend(verbose: bool) -> None:
    if not verbose:
        ll.llama_log_set(_quiet, ctypes.c_void_p(0))
    ll.llama_backend_init()


def check_gguf(path: Path) -> None:
    """Fail with a clear message before llama.cpp sees a file it cannot read."""
    if not path.exists():
        raise ModelError(f"model file not found: {path}")
    if not path.is_file():
        raise ModelError(f"model path is not a file: {path}")
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as error:
        raise ModelError(f"cannot read model file {path}: {error.strerror}") from None
    if magic != GGUF_MAGIC:
        raise ModelError(f"not a GGUF model file (wrong magic bytes): {path}")


@dataclass
class LoadedModel:
    model: ll.llama_model_p
    ctx: ll.llama_context_p
    vocab: ll.llama_vocab_p
    info: ModelInfo

    def free(self) -> None:
        ll.llama_free(self.ctx)
        ll.llama_model_free(self.model)


def load(path: Path, config: EngineConfig) -> LoadedModel:
    check_gguf(path)
    _init_backend(config.verbose)
    params = ll.llama_model_default_params()
    params.use_extra_bufts = False  # the AMX crash remedy; also skips weight repacking
    model = ll.llama_model_load_from_file(str(path).encode(), params)
    if not model:
        raise ModelError(f"llama.cpp could not load the model (corrupt or unsupported GGUF): {path}")
    n_ctx_train = ll.llama_model_n_ctx_train(model)
    try:
        window = settle_window(config.n_ctx, n_ctx_train)
        cells = settle_pool(window, config.n_seq_max, config.kv_cells, config.kv_memory, _cell_bytes(model))
    except InvalidOption:
        ll.llama_model_free(model)
        raise
    ctx = ll.llama_init_from_model(model, _context_params(config, cells))
    if not ctx:
        ll.llama_model_free(model)
        raise ModelError(f"llama.cpp could not create a KV pool of {cells} cells for {path}")
    vocab = ll.llama_model_get_vocab(model)
    # llama.cpp pads the cache (320 becomes 512); ponder enforces the sizes that were asked for.
    info = _model_info(model, vocab, path, window, n_ctx_train, min(cells, ll.llama_n_ctx(ctx)))
    return LoadedModel(model, ctx, vocab, info)


def _cell_bytes(model: ll.llama_model_p) -> int:
    """KV bytes per token, from the model's shape (heads may name their own key/value length)."""
    arch = meta(model, "general.architecture") or "llama"
    n_head = max(ll.llama_model_n_head(model), 1)
    head = ll.llama_model_n_embd(model) // n_head
    key = int(meta(model, f"{arch}.attention.key_length") or head)
    value = int(meta(model, f"{arch}.attention.value_length") or head)
    return kv_bytes_per_cell(ll.llama_model_n_layer(model), ll.llama_model_n_head_kv(model), key, value)


def _context_params(config: EngineConfig, cells: int) -> ll.llama_context_params:
    params = ll.llama_context_default_params()
    params.n_ctx = cells  # with a unified cache, llama.cpp's n_ctx is the pool every sequence shares
    params.n_batch = config.n_batch
    params.n_ubatch = min(config.n_ubatch, config.n_batch)  # see EngineConfig.n_ubatch: exactness
    params.n_seq_max = config.n_seq_max + config.scratch_sequences
    params.n_threads = params.n_threads_batch = config.n_threads
    params.kv_unified = True  # one pool of cells: any sequence may fill the window
    params.no_perf = True
    return params


def meta(model: ll.llama_model_p, key: str) -> str | None:
    size = 1 << 16
    while True:
        buf = ctypes.create_string_buffer(size)
        written = ll.llama_model_meta_val_str(model, key.encode(), buf, size)
        if written < 0:
            return None
        if written < size:
            return buf.value.decode("utf-8", errors="replace")
        size = written + 1


def token_text(vocab: ll.llama_vocab_p, token: int) -> bytes:
    size = 64
    while True:
        buf = ctypes.create_string_buffer(size)
        written = ll.llama_token_to_piece(vocab, token, buf, size, 0, True)
        if written >= 0:
            return buf.raw[:written]
        size = -written


def _model_info(model, vocab, path: Path, n_ctx: int, n_ctx_train: int, kv_cells: int) -> ModelInfo:
    bos, eos = ll.llama_vocab_bos(vocab), ll.llama_vocab_eos(vocab)
    return ModelInfo(
        name=meta(model, "general.name") or path.stem,
        path=str(path),
        n_ctx=n_ctx,
        n_ctx_train=n_ctx_train,
        kv_cells=kv_cells,
        chat_template=meta(model, "tokenizer.chat_template"),
        bos_text=token_text(vocab, bos).decode(errors="replace") if bos >= 0 else "",
        eos_text=token_text(vocab, eos).decode(errors="replace") if eos >= 0 else "",
        add_bos=bool(ll.llama_vocab_get_add_bos(vocab)) and bos >= 0,
    )
