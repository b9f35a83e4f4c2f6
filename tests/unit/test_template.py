"""Chat templates are untrusted code: each failure is an error that names the template, and a
template that loops without end or inflates its output is stopped, never hangs the caller."""

import time

import pytest

from ponder.errors import TemplateError
from ponder.models.template import ChatTemplate

HI = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize("source, words", [
    ("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}", "range items"),
    ("{% set n = messages | length + 1 %}{{ n ** 100000 }}", "power"),
    ("{{ 'x' * 999999999 }}", "repeats a value"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "recurses without end"),
    ("{{ raise_exception('roles must alternate') }}", "refused the conversation: roles must alternate"),
    ("{{ messages.__class__.__mro__ }}", "failed"),  # the sandbox's own refusal
    # a list a template grows while it loops over it (Kimi's templates build lists: allowed, budgeted)
    ("{% set l = [1] %}{% for x in l %}{% set _ = l.append(x) %}{% endfor %}", "grows a list"),
])
def test_a_hostile_template_is_an_error_naming_it(source, words):
    template = ChatTemplate(source, origin="the chat template bad.jinja")
    started = time.monotonic()
    with pytest.raises(TemplateError, match="the chat template bad.jinja") as caught:
        template.render(HI)
    assert words in str(caught.value)
    assert time.monotonic() - started < 10  # stopped by its budget, not left to run


def test_a_template_that_does_not_compile_is_named():
    with pytest.raises(TemplateError, match="the chat template x.jinja does not compile"):
        ChatTemplate("{% for %}", origin="the chat template x.jinja").check()


def test_ordinary_loops_stay_within_the_budget():
    many = [{"role": "user", "content": str(i)} for i in range(5000)]
    text = ChatTemplate("{% for m in messages %}{% for i in range(3) %}{{ m.content }}{% endfor %}{% endfor %}").render(many)
    assert text.startswith("000111222") and len(text) > 5000


def test_real_template_idioms_render():
    """What templates in llama.cpp's collection use: tojson's keywords, lists they build, and
    Hugging Face's {% generation %} block."""
    source = ("{% set seen = [] %}{% for m in messages %}{% set _ = seen.append(m.role) %}{% endfor %}"
              "{% generation %}{{ seen | tojson(ensure_ascii=False, separators=(',', ':')) }}{% endgeneration %}"
              "{{ {'é': 1} | tojson(indent=None) }}")
    text = ChatTemplate(source).render([{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}])
    assert text == '["user","assistant"]{"é": 1}'
