"""What each reading asks of a person now: when it is due, how many posts they wrote on it,
what others wrote since they last opened it (seminar.models.ReadingVisit) and the replies
they have not read; and, for the staff, what awaits them in each seminar (open moderation
items, posts nobody has scored).

Counted in a fixed number of queries whatever the number of readings, posts or seminars:
the readings with their own counts, one grouped query for new posts, one for unread replies,
and, for staff, one each for moderation and scoring. "New" counts what the person may see
(`Annotation.objects.visible_to`), never their own posts nor deleted ones; unread replies
are the unread ones of their Notifications list, so the two pages never disagree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from annotations.grading.gradebook import unscored_counts
from annotations.models import Annotation, Status, Visibility
from annotations.moderation.services import open_item_counts
from annotations.notifications.services import unread_by_reading
from seminar.models import Membership, Reading, ReadingVisit
from seminar.permissions import can_teach, remember_roles

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from seminar.models import Seminar, User

# Before any post: "since the last visit" for a reading never opened.
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
SOON = 2  # days: a reading due within this many days is marked as soon


@dataclass(frozen=True)
class Due:
    """When a reading's discussion is due, in words: "Due in 3 days", "Due today", "Overdue"
    (past, and the person wrote nothing) or "Past due"."""

    when: datetime.datetime
    label: str
    state: str  # "later", "soon", "overdue" or "past": how the page marks it


def due_of(when: datetime.datetime | None, *, now: datetime.datetime, posted: bool) -> Due | None:
    if when is None:
        return None
    if when <= now:
        return Due(when, "Past due", "past") if posted else Due(when, "Overdue", "overdue")
    # Calendar days where the class is, not 24-hour spans: due tomorrow at 9 is "tomorrow".
    days = (timezone.localdate(when) - timezone.localdate(now)).days
    if days == 0:
        label = "Due today"
    elif days == 1:
        label = "Due tomorrow"
    else:
        label = f"Due in {days} days"
    return Due(when, label, "soon" if days <= SOON else "later")


@dataclass
class ReadingRow:
    reading: Reading
    due: Due | None
    my_posts: int
    new_posts: int
    unread_replies: int
    visited: bool


def _with_counts(readings: QuerySet[Reading], user: User) -> QuerySet[Reading]:
    # A private note is the writer's own: "your posts" are what they gave the discussion.
    mine = (
        Annotation.objects.filter(reading=OuterRef("pk"), author=user)
        .exclude(status=Status.DELETED)
        .exclude(visibility=Visibility.PRIVATE)
        .order_by()
        .values("reading")
        .annotate(n=Count("pk"))
        .values("n")
    )
    seen = ReadingVisit.objects.filter(user=user, reading=OuterRef("pk")).values("seen")[:1]
    return readings.annotate(
        my_posts=Coalesce(Subquery(mine, output_field=IntegerField()), 0),
        last_seen=Subquery(seen),
    )


def new_posts_by_reading(user: User, reading_ids: list[int]) -> dict[int, int]:
    """{reading id: posts `user` may see, by others, written since they last opened it}."""
    if not reading_ids:
        return {}
    seen = ReadingVisit.objects.filter(user=user, reading=OuterRef("reading_id")).values("seen")
    rows = (
        Annotation.objects.visible_to(user)
        .filter(reading_id__in=reading_ids)
        .exclude(author=user)
        .exclude(status=Status.DELETED)
        .alias(since=Coalesce(Subquery(seen[:1]), Value(EPOCH)))
        .filter(created__gt=F("since"))
        .order_by()
        .values("reading_id")
        .annotate(n=Count("pk"))
        .values_list("reading_id", "n")
    )
    return dict(rows)


def _soonest_first(row: ReadingRow, now: datetime.datetime) -> tuple:
    # Upcoming (soonest first), then undated (in the instructor's order), then past (the
    # latest first): what a student should do next comes first.
    due = row.reading.due
    if due is not None and due > now:
        return (0, due.timestamp(), row.reading.position, row.reading.pk)
    if due is None:
        return (1, 0, row.reading.position, row.reading.pk)
    return (2, -due.timestamp(), row.reading.position, row.reading.pk)


def reading_rows(
    *,
    user: User,
    readings: QuerySet[Reading],
    by_due: bool,
    now: datetime.datetime | None = None,
) -> list[ReadingRow]:
    """The readings of `readings` that `user` may see, with what each asks of them; by due
    date when `by_due` (a student's view), else in the instructor's order. Three queries."""
    now = now or timezone.now()
    visible = _with_counts(
        readings.visible_to(user).distinct().select_related("seminar").order_by("position", "id"),
        user,
    )
    found = list(visible)
    ids = [reading.pk for reading in found]
    new = new_posts_by_reading(user, ids)
    unread = unread_by_reading(user) if ids else {}
    rows = [
        ReadingRow(
            reading=reading,
            due=due_of(reading.due, now=now, posted=bool(reading.my_posts)),
            my_posts=reading.my_posts,
            new_posts=new.get(reading.pk, 0),
            unread_replies=unread.get(reading.pk, 0),
            visited=reading.last_seen is not None,
        )
        for reading in found
    ]
    if by_due:
        rows.sort(key=lambda row: _soonest_first(row, now))
    return rows


def next_due(rows: list[ReadingRow]) -> ReadingRow | None:
    """The first reading of `rows` (in due order) whose due date is still to come."""
    return next((row for row in rows if row.due and row.due.state in ("soon", "later")), None)


@dataclass
class SeminarCard:
    """One seminar on the dashboard, as this person takes part in it."""

    membership: Membership
    rows: list[ReadingRow] = field(default_factory=list)
    teaching: bool = False
    open_items: int | None = None  # moderators only
    unscored: int | None = None  # graders only

    @property
    def seminar(self) -> Seminar:
        return self.membership.seminar

    @property
    def learning(self) -> bool:
        return not self.teaching

    @property
    def next_due(self) -> ReadingRow | None:
        return None if self.teaching else next_due(self.rows)

    @property
    def new_posts(self) -> int:
        return sum(row.new_posts for row in self.rows)

    @property
    def unread_replies(self) -> int:
        return sum(row.unread_replies for row in self.rows)


def dashboard(*, user: User, now: datetime.datetime | None = None) -> list[SeminarCard]:
    """Every seminar of `user`, newest first, with its readings as `reading_rows` gives them
    (by due date for a student) and, where they teach, what awaits them. Six queries at most,
    whatever the number of seminars, readings and posts."""
    now = now or timezone.now()
    memberships = list(
        Membership.objects.filter(user=user).select_related("seminar").order_by("-seminar__created")
    )
    remember_roles(user, memberships)
    cards = {m.seminar_id: SeminarCard(membership=m) for m in memberships}
    for card in cards.values():
        card.teaching = can_teach(user, card.seminar)
    rows = reading_rows(
        user=user,
        readings=Reading.objects.filter(seminar_id__in=list(cards)),
        by_due=False,
        now=now,
    )
    for row in rows:
        cards[row.reading.seminar_id].rows.append(row)
    for card in cards.values():
        if not card.teaching:
            card.rows.sort(key=lambda row: _soonest_first(row, now))
    seminars = [m.seminar for m in memberships]
    for seminar_id, count in open_item_counts(moderator=user, seminars=seminars).items():
        cards[seminar_id].open_items = count
    for seminar_id, count in unscored_counts(grader=user, seminars=seminars).items():
        cards[seminar_id].unscored = count
    return list(cards.values())
