"""`{% module_preloads "js/reading.js" %}`: a `<link rel="modulepreload">` for every module the
entry imports, at any depth, so a first visit fetches them all at once instead of one level
of imports after another (each found only once its importer has arrived and been parsed).

The graph is read from the static sources (static `import … from "./x.js"` only), once per
process; the links carry the same URLs as the imports (`static`: hashed in production).
"""

import posixpath
import re
from functools import cache

from django import template
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html_join

register = template.Library()

IMPORT = re.compile(r"""^\s*(?:import|export)\b[^"';]*?["'](\.{1,2}/[^"']+\.js)["']""", re.M)


def _imports(path):
    found = finders.find(path)
    if not found:
        return []
    with open(found, encoding="utf-8") as source:
        text = source.read()
    folder = posixpath.dirname(path)
    return [posixpath.normpath(posixpath.join(folder, rel)) for rel in IMPORT.findall(text)]


@cache
def dependencies(entry):
    """Every module `entry` imports, directly or not, in the order first met."""
    seen, todo = {}, [entry]
    while todo:
        for path in _imports(todo.pop()):
            if path != entry and path not in seen:
                seen[path] = None
                todo.append(path)
    return tuple(seen)


@register.simple_tag
def module_preloads(entry):
    return format_html_join(
        "\n", '<link rel="modulepreload" href="{}">', ((static(p),) for p in dependencies(entry))
    )
