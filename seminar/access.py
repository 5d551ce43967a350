"""Fetching objects for a request: the object, or a 404 to whoever may not see it.

Each fetch asks for the user's role in the seminar in the same query (`role_subquery`), so the
rules asked next (`can_view_*`, `can_teach`, ...) answer it without a query of their own.

Outsiders get 404, never 403, so that a seminar's existence does not leak. A member who may
see a thing but not change it gets 403. The teaching staff's own pages (grading, moderation,
exports, the roster's controls, settings, a reading's editor and history) are 404 to
students too: that such a page exists is the staff's business. A TA refused one of them
(releasing grades, editing the text) gets 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from seminar.models import Reading, Seminar
from seminar.permissions import (
    can_teach,
    can_view_reading,
    can_view_seminar,
    remember_role,
    role_subquery,
)


def _with_role(queryset, user, seminar_id):
    if not user.is_authenticated:
        return queryset
    return queryset.annotate(caller_role=role_subquery(user, seminar_id))


def _remember(user, seminar_id, found):
    if user.is_authenticated:
        remember_role(user, seminar_id, found.caller_role)


def access_seminar(user, slug, *, allowed=None):
    seminar = get_object_or_404(_with_role(Seminar.objects.all(), user, "pk"), slug=slug)
    _remember(user, seminar.pk, seminar)
    if not can_view_seminar(user, seminar):
        raise Http404("No such seminar.")
    if allowed is not None and not allowed(user, seminar):
        raise PermissionDenied
    return seminar


def access_reading(user, slug, reading_slug, *, allowed=None, defer=()):
    """The reading (with its seminar and current revision), or a 404. `defer`: fields the
    page does not need (the revision's text, beside its HTML, is as long again)."""
    readings = Reading.objects.select_related("seminar", "current_revision").defer(*defer)
    reading = get_object_or_404(
        _with_role(readings, user, "seminar_id"), seminar__slug=slug, slug=reading_slug
    )
    _remember(user, reading.seminar_id, reading)
    if not can_view_reading(user, reading):
        raise Http404("No such reading.")
    if allowed is not None and not allowed(user, reading):
        raise PermissionDenied
    return reading


def access_staff_seminar(user, slug, *, allowed=can_teach):
    """The seminar, for a page of the teaching staff's: 404 unless the user teaches it."""
    seminar = access_seminar(user, slug)
    if not can_teach(user, seminar):
        raise Http404("No such page.")
    if not allowed(user, seminar):
        raise PermissionDenied
    return seminar


def access_staff_reading(user, slug, reading_slug, *, allowed=None):
    """The reading, for a page of the teaching staff's: 404 unless the user teaches it."""
    reading = access_reading(user, slug, reading_slug)
    if not can_teach(user, reading.seminar):
        raise Http404("No such page.")
    if allowed is not None and not allowed(user, reading):
        raise PermissionDenied
    return reading
