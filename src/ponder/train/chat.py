"""The reasoner's chat format, and a problem rendered exactly as ponder will prompt it.

The template is SmolLM2's ChatML (same tokenizer, same <|im_start|>/<|im_end|> turns)
without its default system prompt, made native to <think>: reasoning on, the assistant
turn opens the block; reasoning off, it holds an empty block, as Qwen3's template does.
Training renders prompts through ponder's own render_prompt, so what the model learns is
byte for byte what the runtime sends it.
"""

from __future__ import annotations

from ponder.config import DEFAULT_HANDOFF
from ponder.models.template import ChatTemplate
from ponder.reasoning.formats import detect_format
from ponder.reasoning.prompt import render_prompt

REASONER_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
    "{% if enable_thinking is defined and enable_thinking is false %}{{ '<think>\\n\\n</think>\\n\\n' }}"
    "{% else %}{{ '<think>\\n' }}{% endif %}{% endif %}"
)
EOS_TEXT = "<|im_end|>"
FORMAT = detect_format(REASONER_TEMPLATE)
HANDOFF = DEFAULT_HANDOFF  # what ponder injects when the thinking budget runs out


def prompt_text(question: str, think: bool, earlier: tuple[tuple[str, str], ...] = ()) -> str:
    """The prompt for `question`, after earlier (question, answer) turns whose reasoning is gone."""
    template = ChatTemplate(REASONER_TEMPLATE, "", EOS_TEXT)
    dicts = []
    for q, a in earlier:
        dicts += [{"role": "user", "content": q}, {"role": "assistant", "content": answer_text(a)}]
    return render_prompt(template, FORMAT, dicts + [{"role": "user", "content": question}], think)


def answer_text(answer: str) -> str:
    return f"The answer is {answer}."


def close_text() -> str:
    """What follows a finished trace: the marker, then the visible answer."""
    return f"{FORMAT.close}\n\n"
