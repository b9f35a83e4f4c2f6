"""An independent count of prompt tokens: the GGUF's own template and tokenizer, no ponder code.

Renders the chat template stored in the model file with plain jinja2 and tokenizes with
llama-cpp-python's high-level Llama (vocabulary only), so a test can check that ponder sent
exactly the visible history, and nothing of the discarded reasoning.
"""

import functools
import json

import jinja2
import llama_cpp

from ponder.models.registry import resolve_model
from ponder.reasoning.formats import THINK_TAGS


@functools.cache
def vocab() -> llama_cpp.Llama:
    return llama_cpp.Llama(str(resolve_model(None)), vocab_only=True, verbose=False)


def expected_prompt_tokens(messages: list[dict], system: str | None = None) -> int:
    """Tokens of the prompt for the next reasoning turn of the embedded model.

    messages: the visible history (role/content dicts), newest user message last, without
    system message: the embedded model is not native-thinking, so ponder's instruction to
    think is the system message, after the caller's system text when there is one.
    """
    model = vocab()
    template = jinja2.Environment().from_string(model.metadata["tokenizer.chat_template"])
    instruction = THINK_TAGS.instruction()
    system = {"role": "system", "content": f"{system}\n\n{instruction}" if system else instruction}
    text = template.render(messages=[system] + messages, add_generation_prompt=True) + "<think>\n"
    return len(model.tokenize(text.encode(), add_bos=False, special=True))


def upstream_prompt_tokens(url: str, folder, messages: list[dict]) -> int:
    """The same count for a model served upstream: its Hugging Face folder's template, rendered
    with plain jinja2, and the upstream server's own /tokenize."""
    import httpx

    template = jinja2.Environment().from_string((folder / "chat_template.jinja").read_text())
    system = {"role": "system", "content": THINK_TAGS.instruction()}
    text = template.render(messages=[system] + messages, add_generation_prompt=True) + "<think>\n"
    body = {"prompt": text, "add_special_tokens": False}
    return httpx.post(url + "/tokenize", json=body, timeout=30).json()["count"]


def expected_tool_prompt_tokens(messages: list[dict], tools: list[dict]) -> int:
    """The same count when tools are offered to the embedded model, which has no tool format:
    ponder's tool instruction follows its instruction to think in the system message, and
    messages are already written as the model sees them (calls in the assistant's text, results
    as user messages in <tool_response>)."""
    from ponder.tools.dress import INSTRUCTION

    listed = "\n".join(json.dumps(tool["function"], ensure_ascii=False) for tool in tools)
    system = f"{THINK_TAGS.instruction()}\n\n{INSTRUCTION.format(tools=listed)}"
    model = vocab()
    template = jinja2.Environment().from_string(model.metadata["tokenizer.chat_template"])
    text = template.render(messages=[{"role": "system", "content": system}] + messages,
                           add_generation_prompt=True) + "<think>\n"
    return len(model.tokenize(text.encode(), add_bos=False, special=True))
