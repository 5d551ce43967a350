"""The reading of an annotation list request (the reading, its seminar, the caller's role in
it and the list's version, versions.py) or of a new post (the same, whole, without the
version), in one query, or a 404.

The same answer as `seminar.api.access_reading_api`, by the same rule (`can_view_reading`,
on the role read here), for the list's hottest path: a repeat load that changed nothing is
answered from this query alone. It is written as SQL because building it with the ORM cost
three times as much as running it (1.5 of 2 ms), which was half of a 304's time. Only the
columns the list asks for are read (`READING`, `SEMINAR`); the objects are made with
`from_db`, so any other field still loads on demand. A new post, where the same ORM query
cost 1.7 of the POST's 5 ms, reads every column of both (`access_reading_for_write`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from annotations.listing.versions import VERSION_COLUMNS, VERSION_JOIN
from seminar.models import Membership, Reading, Seminar
from seminar.permissions import can_view_reading, remember_role
from seminar.rawrows import column, made, one_row, whole

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from seminar.models import User

# What the list asks of a reading and its seminar: the rules, the presenter, the links.
READING = (
    "id",
    "slug",
    "status",
    "seminar_id",
    "current_revision_id",
    "peer_visibility",
    "due",
    "discussion",
)
SEMINAR = ("id", "slug", "anonymous_peers", "tas_moderate", "pseudonym_salt")
# What a write may ask of them: everything.
READING_WHOLE = whole(Reading)
SEMINAR_WHOLE = whole(Seminar)


def _sql(readings: tuple[str, ...], seminars: tuple[str, ...], *, version: bool) -> str:
    """Parameters: the user, (with `version`) the reading for the version, the reading."""
    reading, seminar, member = (
        Reading._meta.db_table,
        Seminar._meta.db_table,
        Membership._meta.db_table,
    )
    columns = [f"r.{column(Reading, name)}" for name in readings]
    columns += [f"s.{column(Seminar, name)}" for name in seminars]
    columns.append(f"m.{column(Membership, 'role')}")
    if version:
        columns.append(VERSION_COLUMNS)
    return (
        f"SELECT {', '.join(columns)} "  # noqa: S608 (names)
        f'FROM "{reading}" r JOIN "{seminar}" s ON s."id" = r.{column(Reading, "seminar_id")} '
        f'LEFT JOIN "{member}" m ON m.{column(Membership, "seminar_id")} = s."id" '
        f"AND m.{column(Membership, 'user_id')} = %s "
        f"{VERSION_JOIN if version else ''} "
        f'WHERE r."id" = %s'
    )


SQL = _sql(READING, SEMINAR, version=True)
WRITE_SQL = _sql(READING_WHOLE, SEMINAR_WHOLE, version=False)


def access_reading_for_list(user: User | AnonymousUser, reading_id: int) -> Reading:
    """The reading, with its seminar and `list_version` (versions.version); 404 unless the
    user may see it."""
    if not user.is_authenticated:
        raise Http404
    row = one_row(SQL, [user.pk, reading_id, reading_id])
    if row is None:
        raise Http404
    reading = made(Reading, READING, row[: len(READING)])
    seminar = made(Seminar, SEMINAR, row[len(READING) : len(READING) + len(SEMINAR)])
    role, newest, count = row[len(READING) + len(SEMINAR) :]
    reading.list_version = (newest, count)
    reading.seminar = seminar
    remember_role(user, seminar.pk, role)
    if not can_view_reading(user, reading):
        raise Http404
    return reading


def access_reading_for_write(user: User | AnonymousUser, reading_id: int) -> Reading:
    """The reading with its seminar, every column of both; 404 unless the user may see it
    (what `seminar.api.access_reading_api` gives with `select_related("seminar")`)."""
    if not user.is_authenticated:
        raise Http404
    row = one_row(WRITE_SQL, [user.pk, reading_id])
    if row is None:
        raise Http404
    count = len(READING_WHOLE)
    reading = made(Reading, READING_WHOLE, row[:count])
    reading.seminar = made(Seminar, SEMINAR_WHOLE, row[count : count + len(SEMINAR_WHOLE)])
    remember_role(user, reading.seminar.pk, row[-1])
    if not can_view_reading(user, reading):
        raise Http404
    return reading
