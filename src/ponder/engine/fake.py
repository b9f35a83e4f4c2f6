"""A scripted engine for unit tests of the logic above the engine: no model, no threads.

It "samples" the tokens of a script in order, like a model that always says the same thing.
Like a real model, once the closing marker of a reasoning block has been forced into its
sequence, it skips to the part of its script after its own closing marker. Its tokenizer
splits text into tags, words, spaces and single characters; "</think>" becomes three tokens,
as it does in SmolLM2's vocabulary. Given several scripts, the i-th submission says the
i-th (cycling), each with its own log-probability per token, so strategies that sample
several sequences see them disagree; a `judge` function scripts the log-probabilities of
probed tokens from the prompt text. Never use it to claim anything about a real model.
"""

from __future__ import annotations

import re

from collections.abc import Callable, Sequence

from ponder.engine.base import Controller, EndReason, Engine, ModelInfo, SamplingParams, TokenLogprobs
from ponder.engine.cursor import SegmentCursor, Step

_PIECES = re.compile(r"<\|[a-z_]+\|>|</|\w+|\s+|.", re.DOTALL)
EOG_TEXT = "<|im_end|>"
FILLER = "filler"  # what the fake says when it may not end but its script has


class _Done:
    def cancel(self) -> None:  # the script has already run to its end
        pass


class FakeEngine(Engine):
    def __init__(self, script: str | Sequence[str] = "", n_ctx: int = 4096, chat_template: str | None = None,
                 close: str = "</think>", logprobs: Sequence[float] = (-1.0,),
                 judge: Callable[[str], dict[str, float]] | None = None, kv_cells: int | None = None):
        self.scripts = [script] if isinstance(script, str) else list(script)
        self.close, self.logprobs, self.judge = close, list(logprobs), judge
        self.info = ModelInfo("fake", "fake.gguf", n_ctx, n_ctx, kv_cells or n_ctx, chat_template, "", EOG_TEXT,
                              False)
        self._ids: dict[str, int] = {}
        self._texts: list[str] = []
        self.prompts: list[list[int]] = []  # every prompt submitted, for assertions
        self._cached: list[int] = []

    def tokenize(self, text: str, *, special: bool = True) -> list[int]:
        return self._split(text)

    def _split(self, text: str) -> list[int]:  # the fake's own use: callers' tokenize calls can be counted
        return [self._id(piece) for piece in _PIECES.findall(text)]

    def piece(self, token: int) -> bytes:
        return self._texts[token].encode()

    def is_eog(self, token: int) -> bool:
        return self._texts[token] == EOG_TEXT

    def detokenize(self, tokens: list[int]) -> str:
        return "".join(self._texts[t] for t in tokens)

    def submit(self, prompt: list[int], sampling: SamplingParams, controller: Controller,
               history: int | None = None, key: str | None = None, reserve: int | None = None) -> _Done:
        turn = len(self.prompts)
        self.prompts.append(list(prompt))
        cursor = SegmentCursor(controller, self)
        controller.on_prefilled(len(prompt), self._common_prefix(prompt))
        sequence = list(prompt) + list(cursor.start)
        script = self._split(self.scripts[turn % len(self.scripts)]) + [self._id(EOG_TEXT)]
        position, forbid_end = 0, cursor.forbid_end
        if cursor.start:  # the first segment forced tokens (a budget too small to sample in)
            position = self._after_forced(script, position, sequence)
        while True:
            if len(sequence) >= self.info.n_ctx:
                return self._end(controller, sequence, EndReason.CONTEXT_FULL)
            step, again = Step(resample=True, forbid_end=forbid_end), False
            while step.resample:
                if again and not step.forbid_end:  # the same logits again (under a grammar): the same token
                    position -= 1
                token, position = self._sample(script, position, step.forbid_end)
                again = True
                wanted = sampling.logprobs or sampling.probe
                step = cursor.on_sampled(token, self._logprobs(turn, sampling.probe, prompt) if wanted else None)
            if step.rewind:
                del sequence[len(sequence) - step.rewind:]
            sequence += step.append
            forbid_end = step.forbid_end
            if step.done:
                return self._end(controller, sequence, EndReason.DONE)
            if step.append and step.append != (token,):  # something was forced
                position = self._after_forced(script, position, sequence)

    def close(self) -> None:
        pass

    def _sample(self, script: list[int], cursor: int, forbid_end: bool) -> tuple[int, int]:
        """The script's next token; with ends forbidden, its next other one (or a filler)."""
        end = self._id(EOG_TEXT)
        while forbid_end and cursor < len(script) and script[cursor] == end:
            cursor += 1
        if cursor < len(script):
            return script[cursor], cursor + 1
        return (self._id(FILLER) if forbid_end else end), cursor

    def _logprobs(self, turn: int, probe: tuple[int, ...], prompt: list[int]) -> TokenLogprobs:
        judged = self.judge(self.detokenize(prompt)) if self.judge and probe else {}
        scripted = tuple(judged.get(self._texts[token], -30.0) for token in probe)
        return TokenLogprobs(self.logprobs[turn % len(self.logprobs)], scripted)

    def _end(self, controller: Controller, sequence: list[int], reason: EndReason) -> _Done:
        self._cached = sequence
        controller.on_end(reason)
        return _Done()

    def _after_forced(self, script: list[int], cursor: int, sequence: list[int]) -> int:
        """Once the block is closed by force, go on from the script's own answer."""
        if not self.detokenize(sequence).endswith(self.close):
            return cursor
        text = self.detokenize(script[cursor:])
        if self.close not in text:
            return cursor
        skipped = len(self._split(text[: text.index(self.close) + len(self.close)]))
        return cursor + skipped

    def _common_prefix(self, prompt: list[int]) -> int:
        size = 0
        for a, b in zip(prompt, self._cached):
            if a != b:
                break
            size += 1
        return size

    def _id(self, piece: str) -> int:
        if piece not in self._ids:
            self._ids[piece] = len(self._texts)
            self._texts.append(piece)
        return self._ids[piece]
