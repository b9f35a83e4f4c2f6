"""Find marker strings in text that arrives in arbitrary pieces.

A marker may be split across tokens ("</", "think", ">"), so text that could still be the
start of a marker is held back until the next piece decides it. The scanner knows nothing of
tokens, phases or budgets: it only says "this much text is safe, and here a marker matched".
"""

from __future__ import annotations

from collections.abc import Sequence


class MarkerScanner:
    def __init__(self, markers: Sequence[str]):
        assert all(markers), "an empty marker would match everywhere"
        self.markers = tuple(markers)
        self._held = ""

    def feed(self, text: str) -> tuple[str, str | None, str]:
        """Return (safe text, matched marker or None, text after the marker).

        After a match the scanner is empty again; the caller decides what the text after
        the marker belongs to (usually another scanner, in the next phase).
        """
        buffer = self._held + text
        found = self._earliest(buffer)
        if found is not None:
            index, marker = found
            self._held = ""
            return buffer[:index], marker, buffer[index + len(marker) :]
        keep = self._partial_suffix(buffer)
        self._held = buffer[len(buffer) - keep :]
        return buffer[: len(buffer) - keep], None, ""

    def flush(self) -> str:
        """The held-back text, once no more text will come."""
        held, self._held = self._held, ""
        return held

    def _earliest(self, buffer: str) -> tuple[int, str] | None:
        hits = [(buffer.find(m), m) for m in self.markers if m in buffer]
        return min(hits, key=lambda hit: hit[0]) if hits else None

    def _partial_suffix(self, buffer: str) -> int:
        """Length of the longest end of buffer that begins some marker."""
        longest = 0
        for marker in self.markers:
            for size in range(min(len(marker) - 1, len(buffer)), longest, -1):
                if marker.startswith(buffer[-size:]):
                    longest = size
                    break
        return longest
