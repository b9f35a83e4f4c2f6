"""EngineConfig refuses what llama.cpp would refuse later without a reason."""

import pytest

from ponder.config import EngineConfig
from ponder.errors import InvalidOption


def test_more_sequences_than_llama_cpp_holds_are_refused_by_name():
    assert EngineConfig(n_seq_max=256).scratch_sequences == 0
    with pytest.raises(InvalidOption, match="n_seq_max: llama.cpp holds at most 256 sequences, got 257"):
        EngineConfig(n_seq_max=257)


def test_shift_modes_scratch_sequence_counts_against_the_limit():
    assert EngineConfig(kv_reuse="shift", kv_shift_reeval=2).scratch_sequences == 1
    assert EngineConfig(kv_reuse="shift").scratch_sequences == 0  # nothing is evaluated again
    assert EngineConfig(n_seq_max=256, kv_shift_reeval=2).scratch_sequences == 0  # exact mode never shifts
    with pytest.raises(InvalidOption, match=r"256 sequences \(one is shift mode's scratch\), got 256"):
        EngineConfig(n_seq_max=256, kv_reuse="shift", kv_shift_reeval=2)
