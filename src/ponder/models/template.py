"""Render a conversation to prompt text with the model's own chat template.

Templates come from the model file, so they are untrusted code: they run in jinja2's
immutable sandbox, with the few helpers Hugging Face templates expect (raise_exception,
strftime_now, tojson). A model without a template gets ChatML. This module knows nothing
about reasoning; callers pass plain role/content dicts.
"""

from __future__ import annotations

import datetime
import json
from functools import cached_property

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ponder.errors import TemplateError

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def _raise(message: str) -> None:
    raise TemplateError(f"the model's chat template refused the conversation: {message}")


def _strftime_now(fmt: str) -> str:
    return datetime.datetime.now().strftime(fmt)


class ChatTemplate:
    def __init__(self, source: str | None, bos_text: str = "", eos_text: str = ""):
        self.source = source or CHATML
        self.bos_text, self.eos_text = bos_text, eos_text

    @cached_property
    def _compiled(self) -> jinja2.Template:
        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
        env.globals.update(raise_exception=_raise, strftime_now=_strftime_now)
        env.filters["tojson"] = lambda value, indent=None: json.dumps(value, indent=indent, ensure_ascii=False)
        try:
            return env.from_string(self.source)
        except jinja2.TemplateError as error:
            raise TemplateError(f"the model's chat template does not compile: {error}") from None

    def render(self, messages: list[dict], add_generation_prompt: bool = True, **variables) -> str:
        try:
            return self._compiled.render(
                messages=messages,
                add_generation_prompt=add_generation_prompt,
                bos_token=self.bos_text,
                eos_token=self.eos_text,
                **variables,
            )
        except TemplateError:
            raise
        except Exception as error:  # a template is foreign code: any failure is its message
            raise TemplateError(f"the model's chat template failed: {error}") from None
