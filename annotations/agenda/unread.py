"""The version of a person's unread count: SQL columns that move whenever what
`notifications.services.unread_count` answers may move, for the key of a kept page
(seminar.pagecache).

Counting is the visibility query run over their notifications (`listed_notifications`), the
dearest query of a page: 30 ms to write in the ORM and 25 to plan and run on a lecture's
reading. The version is a few index reads. What the count depends on, and what moves:

- their unread notifications: the newest and how many (a new one, one read or removed);
- whether they may see the post of each, or the post it answered: every change to a post,
  a membership, a role, a group, a name or a reading's settings adds a change to the
  reading's log (annotations/listing/versions.py), so the readings the notifications are
  about have a list version that moves with it;
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
_CHANGES = f"{ListChange._meta.db_table} c WHERE c.reading_id IN ({_ABOUT})"
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
