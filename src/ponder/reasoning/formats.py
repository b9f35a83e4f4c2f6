"""Reasoning formats: the markers around a model's reasoning block, and how to find them.

A model family is one entry naming its markers. Detection reads the chat template: a
template that mentions a family's markers was trained to think in them ("native"); any
other model gets the default <think> block, opened by ponder and explained in the system
prompt. This module does not render templates or touch tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# Said to non-native models so that they fill the block ponder opens for them.
THINK_INSTRUCTION = (
    "Before you answer, think step by step inside {open} and {close}. "
    "After {close}, write only the final answer."
)


@dataclass(frozen=True)
class ReasoningFormat:
    name: str
    open: str
    close: str
    native: bool = False  # the chat template itself knows this block
    after_open: str = "\n"  # what ponder writes after an open marker it adds
    hidden: tuple[str, ...] = ()  # markers of the answer's own header, never shown (harmony's final channel)
    empty: str | None = None  # a block with nothing in it, for a turn that does not reason (None: none needed)

    def instruction(self) -> str:
        return THINK_INSTRUCTION.format(open=self.open, close=self.close)

    def as_native(self) -> ReasoningFormat:
        return replace(self, native=True)


THINK_TAGS = ReasoningFormat("think", "<think>", "</think>")  # Qwen3, DeepSeek-R1, QwQ…
SEED_TAGS = ReasoningFormat("seed", "<seed:think>", "</seed:think>")  # ByteDance Seed-OSS
MISTRAL_TAGS = ReasoningFormat("mistral", "[THINK]", "[/THINK]")  # Magistral, Ministral 3 Reasoning
COHERE_TAGS = ReasoningFormat("cohere", "<|START_THINKING|>", "<|END_THINKING|>")  # Command R7B, Command A
GEMMA_TAGS = ReasoningFormat("gemma", "<|channel>thought", "<channel|>")  # Gemma 4
MINIMAX_TAGS = ReasoningFormat("minimax", "<mm:think>", "</mm:think>")  # MiniMax-M3
# gpt-oss: the analysis channel is the reasoning; the answer comes on the final channel, whose
# header the model writes itself after <|end|> and nobody is shown
HARMONY = ReasoningFormat("harmony", "<|channel|>analysis<|message|>", "<|end|>", after_open="",
                          hidden=("<|start|>assistant", "<|channel|>final<|message|>"),
                          empty="<|channel|>analysis<|message|><|end|>")

# Most specific first: "<seed:think>" and "<mm:think>" templates also contain "think>".
KNOWN_FORMATS = (HARMONY, SEED_TAGS, MINIMAX_TAGS, MISTRAL_TAGS, COHERE_TAGS, GEMMA_TAGS, THINK_TAGS)


def detect_format(chat_template: str | None) -> ReasoningFormat:
    """The native format whose markers the template mentions, else <think> opened by ponder."""
    for fmt in KNOWN_FORMATS:
        if chat_template and fmt.open in chat_template and fmt.close in chat_template:
            return fmt.as_native()
    return THINK_TAGS
