"""Reasoning formats are detected from chat templates, and the prompt opens the block."""

from ponder.models.template import ChatTemplate
from ponder.reasoning.formats import detect_format
from ponder.reasoning.prompt import render_prompt

CHATML_BODY = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
)
QWEN3_LIKE = CHATML_BODY + (
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}"
    "{%- if enable_thinking is defined and enable_thinking is false %}{{- '<think>\\n\\n</think>\\n\\n' }}{%- endif %}"
    "{%- endif %}{# reasoning_content goes in <think> and </think> #}"
)
R1_LIKE = CHATML_BODY + "{% if add_generation_prompt %}<|im_start|>assistant\n<think>\n{% endif %}{# </think> #}"
PLAIN = CHATML_BODY + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
USER = [{"role": "user", "content": "hi"}]


def test_detects_native_think_templates():
    assert detect_format(QWEN3_LIKE).native
    assert detect_format(R1_LIKE).native
    assert not detect_format(PLAIN).native
    assert not detect_format(None).native


def test_detects_other_families_by_their_markers():
    assert detect_format("[THINK] ... [/THINK]").close == "[/THINK]"
    assert detect_format("<seed:think> </seed:think>").open == "<seed:think>"


def test_non_native_model_is_instructed_and_finds_the_block_open():
    fmt = detect_format(PLAIN)
    text = render_prompt(ChatTemplate(PLAIN), fmt, USER, think=True)
    assert text.endswith("<|im_start|>assistant\n<think>\n")
    assert "think step by step inside <think> and </think>" in text


def test_native_template_gets_no_instruction_and_one_open_marker():
    fmt = detect_format(QWEN3_LIKE)
    text = render_prompt(ChatTemplate(QWEN3_LIKE), fmt, USER, think=True)
    assert text.endswith("assistant\n<think>\n")
    assert "step by step" not in text


def test_preopened_template_is_not_opened_twice():
    fmt = detect_format(R1_LIKE)
    text = render_prompt(ChatTemplate(R1_LIKE), fmt, USER, think=True)
    assert text.count("<think>") == 1 and text.endswith("<think>\n")


def test_no_thinking_on_native_templates_gets_an_empty_block():
    for template in (QWEN3_LIKE, R1_LIKE):
        text = render_prompt(ChatTemplate(template), detect_format(template), USER, think=False)
        assert text.endswith("<think>\n\n</think>\n\n"), template


def test_no_thinking_on_plain_templates_leaves_no_marker():
    text = render_prompt(ChatTemplate(PLAIN), detect_format(PLAIN), USER, think=False)
    assert "<think>" not in text and "step by step" not in text
