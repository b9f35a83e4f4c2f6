"""The token codec a turn loop sees: the engine's, with the texts it forces tokenized once.

Every sequence forces the same few texts (the closing marker, the hand-off sentence, "Wait,"),
so a vote of 16 would otherwise tokenize them 48 times; a remote engine would pay a round trip
for each. Prompts are not cached here: each is tokenized once where it is built.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol


class TokenCodec(Protocol):
    def tokenize(self, text: str, *, special: bool = True) -> list[int]: ...

    def piece(self, token: int) -> bytes: ...

    def is_eog(self, token: int) -> bool: ...


class ForcedTextCodec:
    def __init__(self, codec: TokenCodec):
        self._codec = codec
        self.piece, self.is_eog = codec.piece, codec.is_eog
        self._plain = lru_cache(maxsize=256)(lambda text: tuple(codec.tokenize(text, special=False)))

    def tokenize(self, text: str, *, special: bool = True) -> list[int]:
        if special:
            return self._codec.tokenize(text, special=True)
        return list(self._plain(text))
