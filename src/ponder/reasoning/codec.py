"""The token codec a turn loop sees: the engine's, with the texts it forces tokenized once.

Every sequence forces the same few texts (the closing marker, the hand-off sentence, "Wait,",
a tool format's opener and separator),
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
        self._cached = lru_cache(maxsize=256)(lambda text, special: tuple(codec.tokenize(text, special=special)))

    def tokenize(self, text: str, *, special: bool = True) -> list[int]:
        """Forced texts only (markers, hand-offs, a tool format's openers): cached, special or not."""
        return list(self._cached(text, special))
