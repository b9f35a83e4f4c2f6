"""Short model names: the embedded SmolLM2 and ponder's own shipped reasoner."""

import pytest

from ponder.errors import ModelError
from ponder.models.registry import model_id_for, resolve_model

MAX_SHIPPED_BYTES = 30 * 1024 * 1024


@pytest.mark.parametrize("name", ["ponder-reasoner", "ponder-reasoner-sft"])
def test_shipped_reasoners_resolve_by_short_name_and_fit_the_size_limit(name):
    path = resolve_model(name)
    assert path.name == f"{name}.gguf"
    assert path.read_bytes()[:4] == b"GGUF"
    assert path.stat().st_size <= MAX_SHIPPED_BYTES
    assert model_id_for(name) == name


def test_model_card_sits_next_to_the_weights():
    card = resolve_model("ponder-reasoner").with_name("ponder-reasoner.md").read_text()
    for heading in ("## Recipe", "## Evaluation", "## Targets"):
        assert heading in card


def test_unknown_short_name_lists_the_known_ones():
    with pytest.raises(ModelError, match="ponder-reasoner, ponder-reasoner-sft, smollm2"):
        resolve_model("no-such-model")
