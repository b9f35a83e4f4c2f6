"""The window and the KV pool are two numbers: a conversation's limit, and the cells all share."""

import pytest

from ponder.config import EngineConfig
from ponder.engine.pool import kv_bytes_per_cell, settle_pool, settle_window
from ponder.errors import InvalidOption

MIB = 1024 * 1024


def test_the_window_defaults_to_the_training_context_and_may_not_pass_it():
    assert settle_window(None, 1024) == 1024
    assert settle_window(512, 1024) == 512
    with pytest.raises(InvalidOption, match=r"ctx: a window of 8192 tokens is over the model's training context "
                                            r"of 1024.*--kv-cells"):
        settle_window(8192, 1024)


def test_a_cheap_cell_gets_n_seq_max_windows():
    tiny = kv_bytes_per_cell(n_layer=4, n_head_kv=2, key_length=32, value_length=32)  # a 2.7M model: 1 KiB
    assert settle_pool(1024, 8, None, 512 * MIB, tiny) == 8 * 1024


def test_a_costly_cell_gets_what_the_memory_holds_but_never_less_than_a_window():
    smollm2 = kv_bytes_per_cell(n_layer=30, n_head_kv=3, key_length=64, value_length=64)
    assert smollm2 == 23040
    assert settle_pool(8192, 8, None, 512 * MIB, smollm2) == 512 * MIB // smollm2  # 23,301 cells, under 8 windows
    assert settle_pool(8192, 8, None, 1 * MIB, smollm2) == 8192  # one conversation must always fit


def test_an_explicit_pool_is_kept_unless_it_cannot_hold_one_window():
    assert settle_pool(1024, 8, 3000, 1, 1) == 3000
    with pytest.raises(InvalidOption, match="kv_cells: a pool of 512 cells cannot hold one 1024-token window"):
        settle_pool(1024, 8, 512, 512 * MIB, 1)


def test_config_refuses_a_tiny_pool_by_name():
    with pytest.raises(InvalidOption, match="kv_cells"):
        EngineConfig(kv_cells=10)
