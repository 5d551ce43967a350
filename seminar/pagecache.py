"""Pages kept per person: a page's markup, rendered once, kept in the shared cache under
everything it was made from, and answered from there until one of those things changes.

The busiest pages (a seminar's readings, a reading with its discussion) are the same for one
person from one load to the next until something they show changes. Each view names what
its page depends on (the rows it shows, the person, their role, the versions of the lists,
what awaits them in the navigation bar, the day for due dates) and asks `kept` first; on a
miss, `render_kept` renders the page and keeps it. A key is a digest of those parts, of
the person, of the address the page is served at, and of the markup itself (every template
and the static files' manifest, `markup_stamp`), so a new release never answers an old
page. Nothing is kept in one worker's memory only: the cache is the project's shared one
(each worker also keeps the pages it served last, seminar/nearcache.py).

What a view does before asking, it does on every request: the access check (a 404 to
whoever may not see the thing), the role, the counts the key needs. Never kept:

- a response to a request that carries messages (they are shown once, by the page that
  renders them: such a request renders afresh, and is not kept);
- the CSRF token: the kept markup holds a placeholder, and each response gets the request's
  own token (`get_token`, which also sets the cookie as rendering would have);
- anything the view does not name: a page that depends on something without a version
  (a grader's scores) is not kept at all; the view renders it as before.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac

from seminar.nearcache import Near

# Bump when what a view puts in its pages changes without a template changing.
RELEASE = "1"
# A page is kept for the hour of a class: each new version of a busy reading makes one
# entry per person who reloads it, and the old ones need not wait a day to go.
SECONDS = 3600
# Pages each worker also keeps itself (seminar/nearcache.py: a key names the page's content,
# so a near copy is never stale): about 16 KiB each.
NEAR = Near(256, seconds=SECONDS)


@functools.cache
def csrf_placeholder() -> str:
    """What the kept markup holds where the CSRF token goes: the same in every worker, and
    not a string anyone could type into a post to have it replaced (it is keyed)."""
    return "csrf-" + salted_hmac("seminar.pagecache", "csrf").hexdigest()[:32]


@functools.cache
def markup_stamp() -> str:
    """The release's markup in a few characters: every template of the project's template
    folders and the static files' manifest (the hashed names the pages link to)."""
    digest = hashlib.sha256(RELEASE.encode())
    for folder in (Path(d) for t in settings.TEMPLATES for d in t.get("DIRS", ())):
        for path in sorted(folder.rglob("*.html")) + sorted(folder.rglob("*.txt")):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    digest.update(str(getattr(staticfiles_storage, "manifest_hash", "")).encode())
    return digest.hexdigest()[:16]


def row_of(instance) -> tuple:
    """The loaded field values of a model instance, for a key (deferred ones are left out,
    never loaded for it)."""
    deferred = instance.get_deferred_fields()
    return tuple(
        getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname not in deferred
    )


def page_key(request, name: str, parts) -> str:
    """The cache key of page `name` for the request's person, made of `parts` (anything
    with a stable repr: the rows and counts the page shows)."""
    user = request.user
    material = repr((markup_stamp(), request.scheme, request.get_host(), user.pk, user.name, parts))
    return f"page:{name}:{user.pk}:{hashlib.sha256(material.encode()).hexdigest()[:40]}"


def may_keep(request) -> bool:
    """Only a plain GET without messages waiting is answered from, or kept in, the cache."""
    return request.method == "GET" and not len(get_messages(request))


def _respond(request, markup: str, status: int = 200) -> HttpResponse:
    return HttpResponse(markup.replace(csrf_placeholder(), get_token(request)), status=status)


def kept(request, key: str) -> HttpResponse | None:
    """The kept page for `key`, with the request's CSRF token, or None."""
    if not may_keep(request):
        return None
    markup = NEAR.get(key)
    if markup is None:
        markup = cache.get(key)
        if markup is None:
            return None
        NEAR.put(key, markup)
    return _respond(request, markup)


def render_kept(request, key: str, template: str, context: dict) -> HttpResponse:
    """Render `template` and keep it under `key` (unless the request may not be kept, in
    which case it is rendered as `render` would)."""
    if not may_keep(request):
        return HttpResponse(render_to_string(template, context, request))
    markup = render_to_string(template, {**context, "csrf_token": csrf_placeholder()}, request)
    cache.set(key, markup, SECONDS)
    NEAR.put(key, markup)
    return _respond(request, markup)
