"""The version of a person's unread count: SQL columns that move whenever what
`notifications.services.unread_count` answers may move, for the key of a kept page
(seminar.pagecache).

Counting is the visibility query run over their notifications (`listed_notifications`), the
dearest query of a page: 30 ms to write in the ORM and 25 to plan and run on a lecture's
reading. The version is a few index reads. What the count depends on, and what moves:

- their unread notifications: the newest and how many (a new one, one read or removed);
- whether they may see the post of each, or the post it answered: every change to a post
  adds a change of its thread to the reading's log (annotations/listing/versions.py), and
  every change to a membership, a role, a group, a name or a reading's settings a change
  of the whole reading: the changes of those threads and those readings;
- a due date passing, which shows classmates' posts held back until then (peers.rules):
  how many of those readings are past due;
- released grades, and reminders on readings they may see: the readings' grade releases.

A column for each, in one SELECT with the page's own (no query more).
"""

# ruff: noqa: S608 (every statement is made of the models' own table names)

from __future__ import annotations

import datetime

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
_COLUMNS = (
    f"(SELECT count(*) {_UNREAD}), (SELECT max(n.id) {_UNREAD}), "
    f"(SELECT max(c.id) FROM {_CHANGES}), (SELECT count(*) FROM {_CHANGES}), "
    f"(SELECT max(g.id) FROM {_RELEASES}), (SELECT count(*) FROM {_RELEASES}), "
    f"(SELECT count(*) FROM {Reading._meta.db_table} d WHERE d.id IN ({_ABOUT}) "
    "AND d.due <= %s)"
)
COUNT = 7  # columns, the first of them the number of unread notifications
_PEOPLE = _COLUMNS[: _COLUMNS.rindex("%s")].count("%s")  # the person's id, that many times


def unread_version_columns(user, now: datetime.datetime) -> tuple[str, list]:
    """(SQL, params): `COUNT` columns of a SELECT, the first the person's unread
    notifications (what `any_unread` asks), the rest with it the version of their count."""
    return _COLUMNS, [user.pk] * _PEOPLE + [now]
