"""What each reading asks of a person now: when it is due, how many posts they wrote on it,
what others wrote since they last opened it (seminar.models.ReadingVisit) and the replies
they have not read; and, for the staff, what awaits them in each seminar (open moderation
items, posts nobody has scored).

Counted in a fixed number of queries whatever the number of readings, posts or seminars:
the readings with their own counts, one grouped query for new posts, one for unread replies,
and, for staff, one each for moderation and scoring. On busy readings the new posts are kept in
the cache per person, under each reading's list version (annotations/listing: it moves
with every change to what anyone may see of it) and the person's last visit, so a count is
made again only when something it counts could have changed; unread replies are not counted for
whoever has no unread notification at all. "New" counts what the person may see
(`Annotation.objects.visible_to`), never their own posts nor deleted ones; unread replies
are the unread ones of their Notifications list, so the two pages never disagree.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from annotations.agenda.unread import COUNT as UNREAD_COLUMNS
from annotations.agenda.unread import unread_columns
from annotations.grading.gradebook import unscored_counts
from annotations.listing.models import ListChange
from annotations.listing.versions import COMMENTS_VERSION_COLUMNS
from annotations.models import Annotation, Notification, Status, Visibility
from annotations.moderation.services import open_item_counts
from annotations.notifications.services import unread_by_reading, unread_count
from seminar.access import visible_readings
from seminar.models import Membership, Reading, ReadingVisit
from seminar.permissions import can_teach, remember_roles
from seminar.rawrows import column, made, whole
from seminar.services import reading_visit_record

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from seminar.models import Seminar, User

# Before any post: "since the last visit" for a reading never opened.
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
SOON = 2  # days: a reading due within this many days is marked as soon
NEW_POSTS_SECONDS = 24 * 3600  # a kept count: found again by the same version and visit
KEEP_FROM = 200  # list changes: a reading this busy has its new posts kept in the cache


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


@dataclass(frozen=True)
class Counts:
    """What `reading_counts` finds of one reading for one person."""

    my_posts: int
    last_seen: object  # when they last opened it (as the database gives it), or None
    list_version: tuple[int, int]  # as annotations.listing.versions.version gives it


def reading_counts(user: User, reading_ids: list[int]) -> dict[int, Counts]:
    """{reading id: `Counts`} in one plain query (the ORM would spend longer writing it
    than the database answering it), which also answers `any_unread` for the request. A
    private note is the writer's own: "your posts" are what they gave the discussion."""
    if not reading_ids:
        return {}
    marks = ", ".join(["%s"] * len(reading_ids))
    changes = ListChange._meta.db_table
    sql = (
        f"SELECT r.id, (SELECT count(*) FROM {Annotation._meta.db_table} a "  # noqa: S608
        "WHERE a.reading_id = r.id AND a.author_id = %s AND a.status <> %s "
        "AND a.visibility <> %s), "
        f"(SELECT v.seen FROM {ReadingVisit._meta.db_table} v "
        "WHERE v.reading_id = r.id AND v.user_id = %s), "
        f"(SELECT max(c.id) FROM {changes} c WHERE c.reading_id = r.id), "
        f"(SELECT count(*) FROM {changes} c WHERE c.reading_id = r.id), "
        f"EXISTS (SELECT 1 FROM {Notification._meta.db_table} n "
        "WHERE n.user_id = %s AND n.read IS NULL) "
        f"FROM {Reading._meta.db_table} r WHERE r.id IN ({marks})"
    )
    params = [user.pk, Status.DELETED, Visibility.PRIVATE, user.pk, user.pk, *reading_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    user.__dict__["_any_unread"] = bool(rows[0][5])  # what `any_unread` asks
    return {
        pk: Counts(my_posts=mine, last_seen=seen, list_version=(newest or 0, count))
        for pk, mine, seen, newest, count, _ in rows
    }


def seminar_stamp(*, user: User, seminar: Seminar, now: datetime.datetime) -> tuple:
    """What a seminar's page shows of its readings for `user`, in one plain query, for the
    key of the kept page (seminar.pagecache): every reading's own columns (drafts too: who
    sees them is the role's, which the key holds), whether it is past due, the person's
    posts and last visit, its list version (which moves with every post, vote, flag,
    moderation, role or name that anyone may see of it), and the version of the person's
    unread count (agenda.unread), which the unread replies follow too."""
    readings = Reading._meta.db_table
    columns = ", ".join(f"r.{column(Reading, name)}" for name in whole(Reading))
    changes = ListChange._meta.db_table
    unread, unread_params = unread_columns(user)
    sql = (
        f"SELECT {columns}, r.due <= %s, "  # noqa: S608 (the models' own names)
        f"(SELECT count(*) FROM {Annotation._meta.db_table} a WHERE a.reading_id = r.id "
        "AND a.author_id = %s AND a.status <> %s AND a.visibility <> %s), "
        f"(SELECT v.seen FROM {ReadingVisit._meta.db_table} v "
        "WHERE v.reading_id = r.id AND v.user_id = %s), "
        f"(SELECT max(c.id) FROM {changes} c WHERE c.reading_id = r.id), "
        f"(SELECT count(*) FROM {changes} c WHERE c.reading_id = r.id), "
        f"{unread} "
        # One row at least: a seminar without readings still has its person's notifications.
        f"FROM (SELECT 1) AS one LEFT JOIN {readings} r ON r.{column(Reading, 'seminar_id')} = %s "
        "ORDER BY r.id"
    )
    params = [now, user.pk, Status.DELETED, Visibility.PRIVATE, user.pk, *unread_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, seminar.pk])
        rows = cursor.fetchall()
    user.__dict__["_any_unread"] = bool(rows[0][-UNREAD_COLUMNS])  # what `any_unread` asks
    return tuple(rows)


def stamp_unread(stamp: tuple) -> tuple:
    """How many unread notifications, the newest, as `seminar_stamp` read them: for
    agenda.unread.unread_version."""
    return stamp[0][-UNREAD_COLUMNS:]


def kept_new_posts(user: User, counts: dict[int, Counts]) -> dict[int, int]:
    """`new_posts_by_reading` for the readings of `counts`. Those with a long history
    (KEEP_FROM changes or more: a busy discussion, where counting is what costs) are kept
    in the cache together, under what the counts depend on: each one's list version and
    the person's last visit; one cache read, and a count and a write when not found."""
    busy = [pk for pk, c in counts.items() if c.list_version[1] >= KEEP_FROM]
    counted = new_posts_by_reading(user, [pk for pk in counts if pk not in busy])
    if not busy:
        return counted
    facts = ",".join(f"{pk}:{counts[pk].last_seen}:{counts[pk].list_version}" for pk in busy)
    key = f"agenda:new:{user.pk}:{hashlib.sha256(facts.encode()).hexdigest()[:32]}"
    kept = cache.get(key)
    if kept is None:
        kept = new_posts_by_reading(user, busy)
        cache.set(key, kept, NEW_POSTS_SECONDS)
    return counted | kept


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


@dataclass(frozen=True)
class ReadingFacts:
    """What the reading page needs to know besides the reading: whether the person opened
    it before, whether anything was posted on it since, its list version and the version
    of its page comments alone."""

    visited: bool
    posted_since: bool
    list_version: tuple[int, int]  # as annotations.listing.versions.version gives it
    comments_version: tuple[int, int]  # versions.COMMENTS_VERSION_COLUMNS
    # How many unread notifications, the newest: for agenda.unread.unread_version.
    unread: tuple


def _facts_columns() -> str:
    visit = f"SELECT v.seen FROM {ReadingVisit._meta.db_table} v "  # noqa: S608 (names)
    visit += "WHERE v.user_id = %s AND v.reading_id = r.id"
    changes = ListChange._meta.db_table
    return (
        # The newest post against the visit, not EXISTS (a post after it): the planner
        # cannot know the visit's time and scanned every post; max() reads one index entry.
        f"({visit}), (SELECT max(a.created) FROM {Annotation._meta.db_table} a "  # noqa: S608
        f"WHERE a.reading_id = r.id) > ({visit}), "
        f"(SELECT max(c.id) FROM {changes} c WHERE c.reading_id = r.id), "
        f"(SELECT count(*) FROM {changes} c WHERE c.reading_id = r.id), "
        f"{COMMENTS_VERSION_COLUMNS}"
    )


FACTS = _facts_columns()


def reading_facts_columns(user: User) -> tuple[str, list]:
    """`ReadingFacts` as columns (SQL, params) of a query of the reading as `r`: the reading
    page asks them with the reading itself (seminar.access.access_reading's `also`)."""
    unread, params = unread_columns(user)
    return f"{FACTS}, {unread}", [user.pk, user.pk, *params]


def reading_facts(*, user: User, reading: Reading, found: tuple | None = None) -> ReadingFacts:
    """`ReadingFacts` in one plain query (the ORM would spend longer writing it than the
    database spends answering it), or from the values of `reading_facts_columns` `found`
    with the reading. Whether the person has an unread notification is kept for the
    request too (`any_unread`): the navigation bar asks it."""
    if found is None:
        columns, params = reading_facts_columns(user)
        sql = f"SELECT {columns} FROM {Reading._meta.db_table} r WHERE r.id = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, reading.pk])
            found = cursor.fetchone()
    seen, posted, newest, changes, comments_newest, comments_changes = found[:-UNREAD_COLUMNS]
    unread = found[-UNREAD_COLUMNS:]
    user.__dict__["_any_unread"] = bool(unread[0])  # what `any_unread` asks, answered here
    return ReadingFacts(
        visited=seen is not None,
        posted_since=bool(posted),
        list_version=(newest or 0, changes),
        comments_version=(comments_newest or 0, comments_changes),
        unread=tuple(unread),
    )


def reading_visit_refresh(
    *, user: User, reading: Reading, facts: ReadingFacts | None = None
) -> None:
    """Remember that `user` opened `reading` now, unless nothing was posted on it since the
    visit already stored: what is new is what came after the visit, so moving it on would
    change no count, and a reload writes nothing. One query (none given `facts`), and the
    upsert when needed."""
    facts = facts or reading_facts(user=user, reading=reading)
    if not facts.visited or facts.posted_since:
        reading_visit_record(user=user, reading=reading)


def any_unread(user: User) -> bool:
    """Whether `user` has an unread notification at all, listed or not: one lookup on an
    index, kept for the request. Without one, every unread count is 0 and is not counted."""
    if "_any_unread" not in user.__dict__:
        user.__dict__["_any_unread"] = Notification.objects.filter(
            user=user, read__isnull=True
        ).exists()
    return user.__dict__["_any_unread"]


def unread_notifications(user: User) -> int:
    """The number on the navigation bar, counted once per request (none to count for
    whoever has read everything): the bar and the key of a kept page share it."""
    if "_unread_count" not in user.__dict__:
        user.__dict__["_unread_count"] = unread_count(user) if any_unread(user) else 0
    return user.__dict__["_unread_count"]


def open_items(user: User, seminar: Seminar) -> int | None:
    """Open moderation items of `seminar`, or None when `user` does not moderate it; one
    query per seminar and request, shared by every Moderation link of the page."""
    counts = user.__dict__.setdefault("_open_items", {})
    if seminar.pk not in counts:
        counts[seminar.pk] = open_item_counts(moderator=user, seminars=[seminar]).get(seminar.pk)
    return counts[seminar.pk]


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
    date when `by_due` (a student's view), else in the instructor's order. Four queries at
    most (the readings, `reading_counts`, new posts kept or counted, unread replies)."""
    now = now or timezone.now()
    visible = readings.visible_to(user).distinct().select_related("seminar")
    found = list(visible.order_by("position", "id"))
    counts = reading_counts(user, [reading.pk for reading in found])
    return _rows(user, found, counts, by_due=by_due, now=now)


def seminar_rows(
    *, user: User, seminar: Seminar, stamp: tuple, by_due: bool, now: datetime.datetime
) -> list[ReadingRow]:
    """`reading_rows` of one seminar, made from its `seminar_stamp` (which read the
    readings and the person's counts): two queries at most (new posts kept or counted,
    unread replies). Which readings the person sees is asked of `visible_readings`."""
    names = whole(Reading)
    loaded, counts = [], {}
    for row in stamp:
        if row[0] is None:  # no readings: the one row says only what awaits the person
            continue
        reading = made(Reading, names, row[: len(names)])
        reading.seminar = seminar
        loaded.append(reading)
        mine, seen, newest, changes = row[len(names) + 1 : len(names) + 5]
        counts[reading.pk] = Counts(
            my_posts=mine, last_seen=seen, list_version=(newest or 0, changes)
        )
    found = sorted(visible_readings(user, loaded), key=lambda r: (r.position, r.pk))
    counts = {reading.pk: counts[reading.pk] for reading in found}
    return _rows(user, found, counts, by_due=by_due, now=now)


def _rows(user, found, counts, *, by_due, now) -> list[ReadingRow]:
    new = kept_new_posts(user, counts)
    unread = unread_by_reading(user) if found and any_unread(user) else {}
    rows = []
    for reading in found:
        mine = counts[reading.pk].my_posts
        rows.append(
            ReadingRow(
                reading=reading,
                due=due_of(reading.due, now=now, posted=bool(mine)),
                my_posts=mine,
                new_posts=new.get(reading.pk, 0),
                unread_replies=unread.get(reading.pk, 0),
                visited=counts[reading.pk].last_seen is not None,
            )
        )
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
