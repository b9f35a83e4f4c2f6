"""The GGUF export: llama.cpp's logits for the file equal torch's on the same tokens."""

from pathlib import Path

import llama_cpp
import numpy as np
import pytest
import torch

from ponder.models.registry import resolve_model
from ponder.tasks import get_task
from ponder.train import chat
from ponder.train.export import compact_from_gguf, export, read_gguf
from ponder.train.model import Shape, build, full_logprobs
from ponder.train.vocab import CompactVocab, tokenize

pytestmark = pytest.mark.model


def sample_tokens() -> list[int]:
    problem = get_task("word").problems(1, seed=3, split="eval")[0]
    return tokenize(chat.prompt_text(problem.question, True) + problem.trace_text + "</think>\n\nThe answer is")


def llama_logits(path: Path, tokens: list[int]) -> np.ndarray:
    llm = llama_cpp.Llama(str(path), logits_all=True, n_ctx=512, n_batch=512, verbose=False)
    llm.eval(tokens)
    return np.array(llm.scores[: len(tokens)])


def test_shipped_reasoner_logits_match_torch():
    path = resolve_model("ponder-reasoner")
    tokens = sample_tokens()
    expected = read_gguf(path)(torch.tensor([tokens])).logits[0].detach().numpy()
    got = llama_logits(path, tokens)
    assert got.shape == expected.shape == (len(tokens), 49152)
    scale = np.abs(expected).max()
    assert np.abs(got - expected).max() < 2e-3 * scale
    assert (got.argmax(-1) == expected.argmax(-1)).all()


def test_fresh_export_matches_the_compact_training_model_and_zeroes_the_rest(tmp_path):
    tokens = sample_tokens()
    vocab = CompactVocab.covering([tokens])
    model = build(Shape(hidden=64, layers=2, heads=4, ffn=128), vocab, seed=0).eval()
    with torch.no_grad():
        for p in model.parameters():  # random weights of a trained-like scale, not the init's tiny ones
            p.normal_(0, 0.2)
    path = export(model, vocab, tmp_path / "m.gguf", "test", dtype=np.float32)
    got = llama_logits(path, tokens)
    compact = model(torch.tensor([vocab.compact(tokens)])).logits[0].detach().numpy()
    assert np.abs(got[:, vocab.ids] - compact).max() < 1e-3 * np.abs(compact).max()
    others = np.ones(vocab.full, bool)
    others[vocab.ids] = False
    assert np.abs(got[:, others]).max() == 0.0  # the exact softmax training assumed
    # and so the training loss's log-probabilities are llama.cpp's
    train_logp = full_logprobs(torch.tensor(compact), vocab)[:, :-1].numpy()
    llama_logp = got[:, vocab.ids] - np.logaddexp.reduce(got, axis=-1, keepdims=True)
    assert np.abs(train_logp - llama_logp).max() < 1e-3


def test_an_exported_reasoner_reads_back_as_the_same_trainable_compact_model(tmp_path):
    tokens = sample_tokens()
    vocab = CompactVocab.covering([tokens])
    shape = Shape(hidden=64, layers=2, heads=4, ffn=128)
    model = build(shape, vocab, seed=0).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.2)
    path = export(model, vocab, tmp_path / "m.gguf", "test", dtype=np.float32)
    again, read_vocab = compact_from_gguf(path, shape, seed=1)
    assert read_vocab.ids == vocab.ids and read_vocab.full == vocab.full
    ids = torch.tensor([vocab.compact(tokens)])
    expected, got = model(ids).logits, again.eval()(ids).logits
    assert (got - expected).abs().max() < 1e-4 * expected.abs().max()
    assert again.get_input_embeddings().weight.data_ptr() == again.get_output_embeddings().weight.data_ptr()
