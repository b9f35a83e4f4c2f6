"""Write the reasoner as a GGUF file that llama.cpp (and so ponder) runs as any other model.

Architecture "llama", f16 weights (f32 norms), tokenizer and its metadata copied from
SmolLM2's GGUF, the reasoner's own chat template. The compact vocabulary is scattered into
the full 49,152-row embedding; all other rows are zero, so their logits are exactly 0,
which is what training assumed (train/vocab.py). Embeddings are tied, as in training:
llama.cpp uses token_embd as the output matrix when output.weight is absent.

HF Llama rotates query/key halves (NeoX style) while GGUF "llama" rotates adjacent pairs,
so q and k rows are permuted on the way out (and back in `read_gguf`).
"""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np
import torch

from ponder.models.registry import resolve_model
from ponder.train.chat import REASONER_TEMPLATE
from ponder.train.vocab import BASE_MODEL, CompactVocab

TOKENIZER_KEYS = ("tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.tokens", "tokenizer.ggml.token_type",
                  "tokenizer.ggml.merges", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
                  "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id",
                  "tokenizer.ggml.add_bos_token", "tokenizer.ggml.add_space_prefix")


def rope_permute(w: np.ndarray, heads: int) -> np.ndarray:
    return w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def rope_unpermute(w: np.ndarray, heads: int) -> np.ndarray:
    return w.reshape(heads, w.shape[0] // heads // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def full_embedding(model, vocab: CompactVocab) -> np.ndarray:
    compact = model.get_input_embeddings().weight.detach().float().numpy()
    full = np.zeros((vocab.full, compact.shape[1]), dtype=np.float32)
    full[vocab.ids] = compact
    return full


def export(model, vocab: CompactVocab, path: Path, name: str, dtype=np.float16) -> Path:
    cfg = model.config
    heads = cfg.num_attention_heads
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name(name)
    writer.add_context_length(cfg.max_position_embeddings)
    writer.add_embedding_length(cfg.hidden_size)
    writer.add_block_count(cfg.num_hidden_layers)
    writer.add_feed_forward_length(cfg.intermediate_size)
    writer.add_head_count(heads)
    writer.add_head_count_kv(cfg.num_key_value_heads)
    writer.add_rope_freq_base(float(cfg.rope_parameters["rope_theta"]) if getattr(cfg, "rope_parameters", None)
                              else float(cfg.rope_theta))
    writer.add_layer_norm_rms_eps(cfg.rms_norm_eps)
    writer.add_rope_dimension_count(cfg.hidden_size // heads)
    writer.add_vocab_size(vocab.full)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16 if dtype == np.float16 else gguf.LlamaFileType.ALL_F32)
    copy_tokenizer(writer)
    writer.add_chat_template(REASONER_TEMPLATE)

    def put(tensor_name: str, array: np.ndarray, matrix: bool = True) -> None:
        writer.add_tensor(tensor_name, array.astype(dtype if matrix else np.float32))

    state = {k: v.detach().float().numpy() for k, v in model.state_dict().items()}
    put("token_embd.weight", full_embedding(model, vocab))
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}."
        put(f"blk.{i}.attn_norm.weight", state[p + "input_layernorm.weight"], matrix=False)
        put(f"blk.{i}.attn_q.weight", rope_permute(state[p + "self_attn.q_proj.weight"], heads))
        put(f"blk.{i}.attn_k.weight", rope_permute(state[p + "self_attn.k_proj.weight"], cfg.num_key_value_heads))
        put(f"blk.{i}.attn_v.weight", state[p + "self_attn.v_proj.weight"])
        put(f"blk.{i}.attn_output.weight", state[p + "self_attn.o_proj.weight"])
        put(f"blk.{i}.ffn_norm.weight", state[p + "post_attention_layernorm.weight"], matrix=False)
        put(f"blk.{i}.ffn_gate.weight", state[p + "mlp.gate_proj.weight"])
        put(f"blk.{i}.ffn_up.weight", state[p + "mlp.up_proj.weight"])
        put(f"blk.{i}.ffn_down.weight", state[p + "mlp.down_proj.weight"])
    put("output_norm.weight", state["model.norm.weight"], matrix=False)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def copy_tokenizer(writer: gguf.GGUFWriter) -> None:
    reader = gguf.GGUFReader(str(resolve_model(BASE_MODEL)))
    for key in TOKENIZER_KEYS:
        field = reader.fields.get(key)
        if field is None:
            continue
        value = field.contents()
        types = field.types
        if types[0] == gguf.GGUFValueType.ARRAY:
            writer.add_array(key, value)
        else:
            writer.add_key_value(key, value, types[0])


def read_gguf(path: Path):
    """The exported file back as a full-vocabulary torch LlamaForCausalLM (for the logits test)."""
    from transformers import LlamaConfig, LlamaForCausalLM

    reader = gguf.GGUFReader(str(path))

    def meta(key):
        return reader.fields[key].contents()

    tensors = {t.name: np.array(t.data, dtype=np.float32) for t in reader.tensors}
    heads, kv_heads = meta("llama.attention.head_count"), meta("llama.attention.head_count_kv")
    embd = tensors["token_embd.weight"]
    config = LlamaConfig(vocab_size=embd.shape[0], hidden_size=meta("llama.embedding_length"),
                         intermediate_size=meta("llama.feed_forward_length"),
                         num_hidden_layers=meta("llama.block_count"), num_attention_heads=heads,
                         num_key_value_heads=kv_heads, max_position_embeddings=meta("llama.context_length"),
                         rope_theta=meta("llama.rope.freq_base"), rms_norm_eps=meta("llama.attention.layer_norm_rms_epsilon"),
                         tie_word_embeddings=True)
    model = LlamaForCausalLM(config)
    state = {"model.embed_tokens.weight": embd, "model.norm.weight": tensors["output_norm.weight"]}
    for i in range(config.num_hidden_layers):
        b, p = f"blk.{i}.", f"model.layers.{i}."
        state[p + "input_layernorm.weight"] = tensors[b + "attn_norm.weight"]
        state[p + "self_attn.q_proj.weight"] = rope_unpermute(tensors[b + "attn_q.weight"], heads)
        state[p + "self_attn.k_proj.weight"] = rope_unpermute(tensors[b + "attn_k.weight"], kv_heads)
        state[p + "self_attn.v_proj.weight"] = tensors[b + "attn_v.weight"]
        state[p + "self_attn.o_proj.weight"] = tensors[b + "attn_output.weight"]
        state[p + "post_attention_layernorm.weight"] = tensors[b + "ffn_norm.weight"]
        state[p + "mlp.gate_proj.weight"] = tensors[b + "ffn_gate.weight"]
        state[p + "mlp.up_proj.weight"] = tensors[b + "ffn_up.weight"]
        state[p + "mlp.down_proj.weight"] = tensors[b + "ffn_down.weight"]
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()}, strict=False)
    model.tie_weights()
    return model.eval()


def compact_from_gguf(path: Path, shape, seed: int):
    """An exported reasoner back as a trainable compact-vocabulary model and its vocabulary:
    the tokens it knows are the rows export left non-zero (to train further on its weights)."""
    from ponder.train.model import build
    from ponder.train.vocab import CompactVocab

    full = read_gguf(path)
    state = full.state_dict()
    embedding = state["model.embed_tokens.weight"]
    ids = torch.nonzero(embedding.abs().sum(dim=1)).flatten().tolist()
    vocab = CompactVocab(ids, embedding.shape[0])
    model = build(shape, vocab, seed)
    compact = {name: value for name, value in state.items() if name != "lm_head.weight"}
    compact["model.embed_tokens.weight"] = embedding[vocab.ids]
    model.load_state_dict(compact, strict=False)
    model.tie_weights()
    return model, vocab
