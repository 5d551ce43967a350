"""The version of a person's unread count: SQL columns that move whenever what
`notifications.services.unread_count` answers may move, for the key of a kept page
(seminar.pagecache).

Counting is the visibility query run over their notifications (`listed_notifications`), the
dearest query of a page: 47 ms on a lecture's reading, most of it the ORM writing a query
of 9 KB. The version is a few index reads. What the count depends on, and what moves:

- their unread notifications: the newest and how many (a new one, one read or removed);
- whether they may see the post of each, or the post it answered: every change to a post
  adds a change of its thread to the reading's log (annotations/listing/versions.py), and
  every change to a membership, a role, a group, a name or a reading's settings a change
  of the whole reading: the changes of those threads and those readings;
- a due date passing, which shows classmates' posts held back until then (peers.rules):
  how many of those readings are past due;
- released grades, and reminders on readings they may see: the readings' grade releases.

How many and the newest come with the page's own query; the rest, only for someone with
unread notifications, in one query more.
"""

# ruff: noqa: S608 (every statement is made of the models' own table names)

from __future__ import annotations

import datetime

from django.db import connection

from annotations.listing.models import ListChange
from annotations.models import Annotation, GradeRelease, Notification
from seminar.models import Reading

_UNREAD = f"FROM {Notification._meta.db_table} n WHERE n.user_id = %s AND n.read IS NULL"
# The readings of their unread notifications: of the posts, and of the grades or reminders.
_ABOUT = (
    f"SELECT a.reading_id FROM {Annotation._meta.db_table} a "
    f"WHERE a.id IN (SELECT n.annotation_id {_UNREAD}) UNION SELECT n.reading_id {_UNREAD}"
)
# Their posts' threads: a post is seen or not by what is in its thread (its own and its
# ancestors' states, who started it), and by what resets the reading (roles, groups, names,
# settings: changes for no thread). Not every change of the reading: a lecture posts all
# the time, and each change would make every notified student's page again.
_THREADS = (
    f"SELECT a.reading_id, coalesce(a.thread_id, a.id) FROM {Annotation._meta.db_table} a "
    f"WHERE a.id IN (SELECT n.annotation_id {_UNREAD})"
)
_CHANGES = (
    f"{ListChange._meta.db_table} c WHERE (c.reading_id, c.thread_id) IN ({_THREADS}) "
    f"OR (c.thread_id IS NULL AND c.reading_id IN ({_ABOUT}))"
)
_RELEASES = f"{GradeRelease._meta.db_table} g WHERE g.reading_id IN ({_ABOUT})"
# With the page's own query: how many, and the newest. Most people have read everything,
# and then nothing else can move their count (0): the rest, which costs the page's query
# twice its time to plan, is asked only of those who have not, in a query of its own.
COLUMNS = f"(SELECT count(*) {_UNREAD}), (SELECT max(n.id) {_UNREAD})"
COUNT = 2  # columns, the first the number of unread notifications (what `any_unread` asks)
_REST = (
    f"SELECT (SELECT max(c.id) FROM {_CHANGES}), (SELECT count(*) FROM {_CHANGES}), "
    f"(SELECT max(g.id) FROM {_RELEASES}), (SELECT count(*) FROM {_RELEASES}), "
    f"(SELECT count(*) FROM {Reading._meta.db_table} d WHERE d.id IN ({_ABOUT}) "
    "AND d.due <= %s)"
)
_PEOPLE = _REST[: _REST.rindex("%s")].count("%s")  # the person's id, that many times


def unread_columns(user) -> tuple[str, list]:
    """(SQL, params): `COUNT` columns of a SELECT for the page's own query."""
    return COLUMNS, [user.pk, user.pk]


def unread_version(user, found: tuple, now: datetime.datetime) -> tuple:
    """The version of `user`'s unread count, from the values of `unread_columns` `found`:
    those alone for someone with nothing unread, else with the rest (one query)."""
    if not found[0]:
        return tuple(found)
    with connection.cursor() as cursor:
        cursor.execute(_REST, [user.pk] * _PEOPLE + [now])
        return (*found, *cursor.fetchone())
