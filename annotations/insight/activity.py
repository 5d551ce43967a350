"""A seminar's activity: what each student did on each reading, in numbers and by day.

The numbers are the gradebook's (annotations.grading.gradebook.build): a student's posts on
a reading are the gradable ones (neither private nor deleted), and a post hidden by a
moderator counts only when the grading policy counts it, so "3 posts" here is "3 posts" in
the gradebook. Posts are everything but replies; helpful marks are those the student's posts
received; "scored" is how many of them a grader scored; the grade is the gradebook's final
one (set by hand, else suggested). Over several readings the numbers are summed and the
grade is the mean of the readings that have one.

Participation over time is one grouped query: the same posts counted per reading and per
day (the day in the current time zone, as the pages show dates).

Staff see every student by name, pseudonymous seminar or not: `anonymous_peers` hides
students from each other, never from who grades them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from annotations.grading import gradebook
from annotations.grading import policy as grading
from annotations.insight.charts import Chart, daily_bars
from annotations.insight.services import class_members, group_named
from annotations.models import Status
from annotations.spreadsheets import safe_cell
from seminar.errors import ServiceError
from seminar.models import Group, Reading

if TYPE_CHECKING:
    from seminar.models import Seminar, User


@dataclass
class Numbers:
    """One student's activity on one reading, or summed over several."""

    posts: int = 0
    replies: int = 0
    words: int = 0
    helpful: int = 0
    scored: int = 0
    grades: list[float] = field(default_factory=list)

    @property
    def grade(self) -> float | None:
        """The mean of the grades (one per reading that has one), to one decimal, half up
        as by hand: the grades are the gradebook's, already to one decimal, so the mean of
        33.3 and 80 is 56.7, not the 56.6 of binary floating point."""
        if not self.grades:
            return None
        mean = sum(Decimal(str(g)) for g in self.grades) / len(self.grades)
        return float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    def add(self, other: Numbers) -> None:
        self.posts += other.posts
        self.replies += other.replies
        self.words += other.words
        self.helpful += other.helpful
        self.scored += other.scored
        self.grades += other.grades


def cell_numbers(cell: gradebook.Cell, rules: grading.Policy) -> Numbers:
    """A gradebook cell's numbers: its participation (what the policy counts) and grade."""
    done = cell.participation
    scored = sum(1 for post in cell.posts if post.score is not None and grading.counts(post, rules))
    return Numbers(
        posts=done.annotations,
        replies=done.replies,
        words=done.words,
        helpful=done.helpful,
        scored=scored,
        grades=[] if cell.final is None else [cell.final],
    )


@dataclass
class Row:
    student: User
    numbers: Numbers
    by_reading: dict[int, Numbers]


@dataclass
class ReadingChart:
    reading: Reading
    chart: Chart


@dataclass
class Activity:
    seminar: Seminar
    readings: list[Reading]  # all of the seminar's, in order
    shown: list[Reading]  # the ones counted: one, or all
    reading: Reading | None  # the one asked for, if any
    groups: list[Group]
    group: Group | None
    rows: list[Row]
    totals: Numbers
    charts: list[ReadingChart]


def reading_named(readings: list[Reading], slug: str | None) -> Reading | None:
    """The reading of that slug among the seminar's, None for all of them."""
    if not slug:
        return None
    for reading in readings:
        if reading.slug == slug:
            return reading
    raise ServiceError("No such reading in this seminar: choose one from the list.")


def daily_counts(
    seminar: Seminar, *, group: Group | None, readings: list[Reading], rules: grading.Policy
) -> dict[int, list[tuple[datetime.date, int]]]:
    """{reading id: [(day, posts that day)]} of the students' (a group's) counted posts, in
    one query."""
    students = class_members(seminar=seminar, group=group).values("user_id")
    posts = gradebook.gradable_posts(seminar).filter(
        reading_id__in=[r.pk for r in readings], author_id__in=students
    )
    if not rules.count_hidden:
        posts = posts.exclude(status=Status.HIDDEN)
    rows = (
        posts.order_by()
        .annotate(day=TruncDate("created", tzinfo=timezone.get_current_timezone()))
        .values("reading_id", "day")
        .annotate(n=Count("pk"))
        .values_list("reading_id", "day", "n")
    )
    days: dict[int, list[tuple[datetime.date, int]]] = {r.pk: [] for r in readings}
    for reading_id, day, n in rows:
        days[reading_id].append((day, n))
    for counts in days.values():
        counts.sort()
    return days


def _due_day(reading: Reading) -> datetime.date | None:
    return timezone.localdate(reading.due) if reading.due else None


def chart_for(reading: Reading, days: list[tuple[datetime.date, int]]) -> Chart:
    return daily_bars(
        days,
        label=f"Posts per day on “{reading.title}”",
        due=_due_day(reading),
        chart_id=f"activity-{reading.pk}",
    )


def seminar_activity(
    seminar: Seminar, *, group_id: str | None = None, reading_slug: str | None = None
) -> Activity:
    """The activity page's rows, totals and charts, in a fixed number of queries; a
    ServiceError for a group or reading the seminar does not have."""
    group = group_named(seminar=seminar, group_id=group_id)
    readings = list(Reading.objects.filter(seminar=seminar).order_by("position", "id"))
    reading = reading_named(readings, reading_slug)
    shown = [reading] if reading else readings
    students = gradebook.students_of(seminar)
    if group is not None:
        members = set(class_members(seminar=seminar, group=group).values_list("user_id", flat=True))
        students = [s for s in students if s.pk in members]
    rules = gradebook.as_rules(gradebook.policy_for(seminar))
    _students, _readings, cells = gradebook.build(seminar, students=students, readings=shown)
    rows = []
    totals = Numbers()
    for student in students:
        by_reading = {r.pk: cell_numbers(cells[(r.pk, student.pk)], rules) for r in shown}
        numbers = Numbers()
        for each in by_reading.values():
            numbers.add(each)
        totals.add(numbers)
        rows.append(Row(student=student, numbers=numbers, by_reading=by_reading))
    days = daily_counts(seminar, group=group, readings=shown, rules=rules)
    return Activity(
        seminar=seminar,
        readings=readings,
        shown=shown,
        reading=reading,
        groups=list(Group.objects.filter(seminar=seminar).order_by("name")),
        group=group,
        rows=rows,
        totals=totals,
        charts=[ReadingChart(reading=r, chart=chart_for(r, days[r.pk])) for r in shown],
    )


HEADER = ["Student", "Username", "Group", "Reading", "Posts", "Replies", "Words", "Helpful"]
HEADER += ["Scored posts", "Grade (out of 100)"]


def csv_rows(activity: Activity):
    """The CSV's rows, a student × reading a row, every text cell through `safe_cell`."""
    yield HEADER
    for row in activity.rows:
        for reading in activity.shown:
            n = row.by_reading[reading.pk]
            yield [
                safe_cell(row.student.name),
                safe_cell(row.student.username),
                safe_cell(row.student.group_name),
                safe_cell(reading.title),
                n.posts,
                n.replies,
                n.words,
                n.helpful,
                n.scored,
                "" if n.grade is None else n.grade,
            ]


def csv_name(activity: Activity) -> str:
    """seminar-slug-activity[-reading-slug][-group-id].csv: slugs only, safe in a header."""
    parts = [activity.seminar.slug, "activity"]
    if activity.reading:
        parts.append(activity.reading.slug)
    if activity.group:
        parts.append(f"group-{activity.group.pk}")
    return "-".join(parts) + ".csv"
