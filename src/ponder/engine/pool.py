"""The window and the KV pool: two numbers, settled once when a model loads.

The window is what one conversation may hold (prompt, reasoning and answer), at most what the
model was trained on. The pool is the cells of the unified KV cache that every live sequence
and cached prefix share. They differ because sequences share cells: n samples of one prompt
hold the prompt once and n completions, so a vote needs more cells than any one window, and a
small model's cells cost little. This module only does the arithmetic; it loads nothing.
"""

from __future__ import annotations

from ponder.errors import InvalidOption

F16_BYTES = 2  # llama.cpp's default KV type


def kv_bytes_per_cell(n_layer: int, n_head_kv: int, key_length: int, value_length: int) -> int:
    """Bytes one token's keys and values take, over every layer."""
    return n_layer * n_head_kv * (key_length + value_length) * F16_BYTES


def settle_window(requested: int | None, n_ctx_train: int) -> int:
    """The window asked for, or the training context; a window past it is refused by name."""
    if requested is None:
        return n_ctx_train
    if requested > n_ctx_train:
        raise InvalidOption("ctx", f"a window of {requested} tokens is over the model's training context of "
                            f"{n_ctx_train}; the KV pool shared by many sequences is sized apart (--kv-cells)")
    return requested


def settle_pool(window: int, n_seq_max: int, requested: int | None, memory: int, cell_bytes: int) -> int:
    """Cells of the shared pool: as asked, else n_seq_max windows or what `memory` bytes hold,
    whichever is less, and never under one window (a lone conversation must always fit)."""
    if requested is not None:
        if requested < window:
            raise InvalidOption("kv_cells", f"a pool of {requested} cells cannot hold one {window}-token window; "
                                f"give more cells or a smaller window (--ctx)")
        return requested
    affordable = memory // max(cell_bytes, 1)
    return max(window, min(n_seq_max * window, affordable))
