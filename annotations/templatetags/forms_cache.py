"""An empty form's fields, rendered once: `{% form_fields comment_form %}` writes what
`{{ comment_form|crispy }}` writes. A form nobody has filled in (unbound, no initial data
of its own) renders the same for everyone, so its markup is made once per process and kept
with the compiled templates; a bound form (a comment sent back with its error) is rendered
each time, with what was typed."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import template
from django.utils.safestring import mark_safe

register = template.Library()

_rendered = {}


@register.simple_tag
def form_fields(form):
    if form.is_bound or form.initial:
        return as_crispy_form(form)
    key = (type(form).__module__, type(form).__qualname__, form.prefix)
    if key not in _rendered:
        _rendered[key] = mark_safe(as_crispy_form(form))  # noqa: S308 - crispy's own escaping
    return _rendered[key]
