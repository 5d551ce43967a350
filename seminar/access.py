"""Fetching objects for a request: the object, or a 404 to whoever may not see it.

Each fetch asks for the user's role in the seminar in the same query (hand-written:
seminar/rawrows.py), so the rules asked next (`can_view_*`, `can_teach`, ...) answer it
without a query of their own.

Outsiders get 404, never 403, so that a seminar's existence does not leak. A member who may
see a thing but not change it gets 403. The teaching staff's own pages (grading, moderation,
exports, the roster's controls, settings, a reading's editor and history) are 404 to
students too: that such a page exists is the staff's business. A TA refused one of them
(releasing grades, editing the text) gets 403.
"""

import functools

from django.core.exceptions import PermissionDenied
from django.http import Http404

from seminar.models import Membership, Reading, ReadingRevision, Seminar
from seminar.permissions import (
    can_teach,
    can_view_reading,
    can_view_seminar,
    remember_role,
)
from seminar.rawrows import column, made, one_row, whole


def _role_join(on_seminar: str) -> str:
    return (
        f'LEFT JOIN "{Membership._meta.db_table}" m ON m.{column(Membership, "seminar_id")} = '
        f"{on_seminar} AND m.{column(Membership, 'user_id')} = %s"
    )


SEMINAR = whole(Seminar)
SEMINAR_SQL = (
    f"SELECT {', '.join(f's.{column(Seminar, n)}' for n in SEMINAR)}, "  # noqa: S608 (names)
    f"m.{column(Membership, 'role')} "
    f'FROM "{Seminar._meta.db_table}" s {_role_join("s.id")} '
    f"WHERE s.{column(Seminar, 'slug')} = %s"
)


def access_seminar(user, slug, *, allowed=None):
    # One hand-written query with the caller's role (seminar/rawrows.py: the ORM's cost
    # more to build than to run).
    row = one_row(SEMINAR_SQL, [user.pk, slug])
    if row is None:
        raise Http404("No such seminar.")
    seminar = made(Seminar, SEMINAR, row[: len(SEMINAR)])
    if user.is_authenticated:
        remember_role(user, seminar.pk, row[-1])
    if not can_view_seminar(user, seminar):
        raise Http404("No such seminar.")
    if allowed is not None and not allowed(user, seminar):
        raise PermissionDenied
    return seminar


READING = whole(Reading)


def _reading_sql(revision: tuple[str, ...], also: str) -> str:
    columns = [f"r.{column(Reading, n)}" for n in READING]
    columns += [f"s.{column(Seminar, n)}" for n in SEMINAR]
    columns += [f"v.{column(ReadingRevision, n)}" for n in revision]
    revisions = ReadingRevision._meta.db_table
    return (
        f"SELECT {', '.join(columns)}, {also + ', ' if also else ''}"  # noqa: S608 (names)
        f"m.{column(Membership, 'role')} "
        f'FROM "{Reading._meta.db_table}" r JOIN "{Seminar._meta.db_table}" s '
        f"ON s.id = r.{column(Reading, 'seminar_id')} "
        f'LEFT JOIN "{revisions}" v ON v.id = r.{column(Reading, "current_revision_id")} '
        f"{_role_join('s.id')} "
        f"WHERE s.{column(Seminar, 'slug')} = %s AND r.{column(Reading, 'slug')} = %s"
    )


@functools.cache
def _reading_query(leave: frozenset[str], also: str) -> tuple[tuple[str, ...], str]:
    revision = whole(ReadingRevision, leave=leave)
    return revision, _reading_sql(revision, also)


def access_reading(user, slug, reading_slug, *, allowed=None, defer=(), also=None):
    """The reading (with its seminar and current revision), or a 404. `defer`: fields the
    page does not need (the revision's text, beside its HTML, is as long again). `also`:
    (SQL, params) of more columns the page asks of the same row, by the reading's `r.id`,
    in the same round trip; their values are `reading.also`."""
    leave = frozenset(name.removeprefix("current_revision__") for name in defer)
    also_sql, also_params = also or ("", [])
    revision_fields, sql = _reading_query(leave, also_sql)
    row = one_row(sql, [*also_params, user.pk, slug, reading_slug])
    if row is None:
        raise Http404("No such reading.")
    reading = made(Reading, READING, row[: len(READING)])
    at = len(READING)
    reading.seminar = made(Seminar, SEMINAR, row[at : at + len(SEMINAR)])
    at += len(SEMINAR)
    if reading.current_revision_id is not None:
        revision = row[at : at + len(revision_fields)]
        reading.current_revision = made(ReadingRevision, revision_fields, revision)
    reading.also = row[at + len(revision_fields) : -1]
    if user.is_authenticated:
        remember_role(user, reading.seminar_id, row[-1])
    if not can_view_reading(user, reading):
        raise Http404("No such reading.")
    if allowed is not None and not allowed(user, reading):
        raise PermissionDenied
    return reading


def visible_readings(user, readings):
    """Those of `readings` that `user` may see, in their order: for a list read by hand
    (the seminar page's, annotations/agenda), after `access_seminar` found the role."""
    return [reading for reading in readings if can_view_reading(user, reading)]


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
