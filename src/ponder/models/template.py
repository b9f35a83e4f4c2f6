"""Render a conversation to prompt text with the model's own chat template.

Templates come from the model file (or a file the user names), so they are untrusted code:
they run in jinja2's sandbox, with the few helpers Hugging Face templates expect
(raise_exception, strftime_now, tojson with its keywords, the {% generation %} block), and within a budget: a render may loop over ranges
for at most MAX_STEPS items in all and may not repeat a string or list past MAX_SIZE, so a
template that loops without end or inflates its output is an error that names it, never a
hung server. A model without a template gets ChatML. This module knows nothing about
reasoning; callers pass plain role/content dicts.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import operator
from functools import cached_property

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import SandboxedEnvironment

from ponder.errors import TemplateError

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


MAX_STEPS = 1_000_000  # range() items one render may walk, over all its loops
MAX_SIZE = 1_000_000  # longest string or list one render may make by repeating
_steps: contextvars.ContextVar[list[int]] = contextvars.ContextVar("template_steps")


class OverBudget(Exception):
    pass


class _Refused(Exception):
    """The template's own raise_exception(): its message is for the user."""


def _raise(message: str) -> None:
    raise _Refused(message)


def _range(*args):
    """range() with the render's step budget: nested loops cannot multiply past it."""
    items = range(*args)
    left = _steps.get()
    left[0] -= len(items)
    if left[0] < 0:
        raise OverBudget(f"it loops over more than {MAX_STEPS:,} range items")
    return items


class _Generation(Extension):
    """Hugging Face's {% generation %} block (it marks the assistant's tokens for training
    masks): rendered as its body."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return nodes.Scope(body, lineno=lineno)


GROWING = {"append", "extend", "insert", "update", "setdefault"}


class _Sandbox(SandboxedEnvironment):
    """Templates may build lists and dicts of their own (Kimi's do), as transformers' may; each
    call that grows one counts against the render's step budget, so a loop over a list it keeps
    growing ends in an error."""
    intercepted_binops = frozenset(["*", "**"])

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (jinja's own signature)
        if getattr(__obj, "__name__", None) in GROWING and isinstance(getattr(__obj, "__self__", None), list | dict):
            left = _steps.get()
            left[0] -= 1
            if left[0] < 0 or len(__obj.__self__) >= MAX_SIZE:
                raise OverBudget(f"it grows a list or dict past {MAX_STEPS:,} steps")
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context, operator_name, left, right):
        if operator_name == "**":
            if isinstance(right, int) and abs(right) > 64:
                raise OverBudget(f"it raises a number to the power {right}")
            return operator.pow(left, right)
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and isinstance(count, int) and len(seq) * count > MAX_SIZE:
                raise OverBudget(f"it repeats a value past {MAX_SIZE:,} items")
        return operator.mul(left, right)


def _tojson(value, indent=None, ensure_ascii=False, separators=None, sort_keys=False):
    """transformers' tojson: its keyword arguments, unicode kept, and any iterable a list."""
    return json.dumps(value, indent=indent, ensure_ascii=ensure_ascii, separators=separators, sort_keys=sort_keys,
                      default=lambda item: list(item) if hasattr(item, "__iter__") else str(item))


def _strftime_now(fmt: str) -> str:
    return datetime.datetime.now().strftime(fmt)


class ChatTemplate:
    def __init__(self, source: str | None, bos_text: str = "", eos_text: str = "",
                 origin: str = "the model's chat template"):
        self.source = source or CHATML
        self.bos_text, self.eos_text = bos_text, eos_text
        self.origin = origin if source else "the ChatML template (the model has none)"

    @cached_property
    def _compiled(self) -> jinja2.Template:
        env = _Sandbox(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols, _Generation])
        env.globals.update(raise_exception=_raise, strftime_now=_strftime_now, range=_range)
        env.filters["tojson"] = _tojson
        try:
            return env.from_string(self.source)
        except jinja2.TemplateError as error:
            raise TemplateError(f"{self.origin} does not compile: {error}") from None

    def check(self) -> None:
        """Compile now: a template given at startup fails there, with its name."""
        self._compiled  # noqa: B018

    def render(self, messages: list[dict], add_generation_prompt: bool = True, **variables) -> str:
        budget = _steps.set([MAX_STEPS])
        try:
            return self._compiled.render(
                messages=messages,
                add_generation_prompt=add_generation_prompt,
                bos_token=self.bos_text,
                eos_token=self.eos_text,
                **variables,
            )
        except TemplateError:
            raise  # it does not compile: named already
        except _Refused as refusal:
            raise TemplateError(f"{self.origin} refused the conversation: {refusal}") from None
        except RecursionError:
            raise TemplateError(f"{self.origin} failed: it recurses without end") from None
        except Exception as error:  # a template is foreign code: any failure is its message
            raise TemplateError(f"{self.origin} failed: {error}") from None
        finally:
            _steps.reset(budget)
