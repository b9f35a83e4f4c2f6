"""The upstream model's vocabulary and chat template, read from its own Hugging Face folder.

An upstream server tokenizes with the model's tokenizer.json; ponder loads the same file with
the `tokenizers` library, so the token ids it sends and the counts it reports are the ones the
server sees (the engine checks that against the server's /tokenize at startup). The template
comes from tokenizer_config.json or chat_template.jinja, the end tokens from the configs.
"""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import Tokenizer

from ponder.errors import ModelError


# Byte-level BPE (GPT-2, Llama 3, Qwen, SmolLM) writes each byte as a printable character.
def _byte_level_table() -> dict[str, int]:
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars, extra = {}, 0
    for byte in range(256):
        if byte in printable:
            chars[chr(byte)] = byte
        else:
            chars[chr(256 + extra)] = byte
            extra += 1
    return chars


BYTE_LEVEL = _byte_level_table()


class Vocabulary:
    def __init__(self, folder: Path):
        self.folder = folder
        file = folder / "tokenizer.json"
        if not file.is_file():
            raise ModelError(f"{folder} has no tokenizer.json: pass the upstream model's Hugging Face folder with --tokenizer")
        self._parsing = Tokenizer.from_file(str(file))  # control tokens in text become control tokens
        self._plain = Tokenizer.from_file(str(file))
        self._plain.encode_special_tokens = True  # control tokens in text stay text
        self._byte_level = "ByteLevel" in json.dumps(json.loads(file.read_text()).get("decoder"))
        self._added_text = {token: added.content for token, added in self._parsing.get_added_tokens_decoder().items()}
        self._pieces: dict[int, bytes] = {}
        config = _json(folder / "tokenizer_config.json")
        self.chat_template = _template(folder, config)
        self.bos_text = _token_content(config.get("bos_token"))
        self.eos_text = _token_content(config.get("eos_token"))
        self.add_bos = bool(config.get("add_bos_token")) and bool(self.bos_text)
        self.end_tokens = self._end_tokens(config)
        self.n_ctx_train = _json(folder / "config.json").get("max_position_embeddings")

    def tokenize(self, text: str, *, special: bool = True) -> list[int]:
        tokenizer = self._parsing if special else self._plain
        return tokenizer.encode(text, add_special_tokens=False).ids

    def piece(self, token: int) -> bytes:
        """The bytes a token stands for, as the server's detokenizer puts them together."""
        found = self._pieces.get(token)
        if found is None:
            found = self._pieces[token] = _piece(self, token)
        return found

    def is_eog(self, token: int) -> bool:
        return token in self.end_tokens

    def _end_tokens(self, config: dict) -> frozenset[int]:
        """The tokens that end a turn: the configs' eos ids, and the template's end-of-turn marks."""
        ids: set[int] = set()
        for source in (_json(self.folder / "generation_config.json"), _json(self.folder / "config.json")):
            value = source.get("eos_token_id")
            ids.update(value if isinstance(value, list) else [value] if isinstance(value, int) else [])
        named = [self.eos_text, "<|endoftext|>", "<|im_end|>", "<|eot_id|>", "<|end|>", "<|return|>", "<|call|>", "<end_of_turn>"]
        for text in named:
            token = self._parsing.token_to_id(text) if text else None
            if token is not None:
                ids.add(token)
        return frozenset(ids)


def _piece(vocab: Vocabulary, token: int) -> bytes:
    if token in vocab._added_text:
        return vocab._added_text[token].encode()
    text = vocab._parsing.id_to_token(token)
    if text is None:
        return b""
    if vocab._byte_level:
        return bytes(BYTE_LEVEL.get(char, 0) for char in text)
    if len(text) == 6 and text.startswith("<0x") and text.endswith(">"):  # SentencePiece byte fallback
        return bytes([int(text[3:5], 16)])
    return text.replace("\u2581", " ").encode()


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, json.JSONDecodeError) as error:
        raise ModelError(f"cannot read {path}: {error}") from None


def _template(folder: Path, config: dict) -> str | None:
    jinja = folder / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text()
    template = config.get("chat_template")
    if isinstance(template, list):  # several named templates: the default one
        template = next((t.get("template") for t in template if t.get("name") == "default"), None)
    return template


def _token_content(value) -> str:
    if isinstance(value, dict):
        return value.get("content", "")
    return value or ""
