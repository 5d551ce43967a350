"""What each reading asks of a person: due dates in words, their own posts, what is new since
they last opened it, unread replies; and what awaits the staff."""

import datetime

import pytest
from django.utils import timezone

from annotations.agenda.services import (
    any_unread,
    dashboard,
    due_of,
    reading_facts,
    reading_facts_columns,
    reading_rows,
    reading_visit_refresh,
)
from annotations.grading import gradebook
from annotations.models import Flag
from annotations.moderation.services import annotation_moderate
from annotations.services import annotation_create, annotation_delete, comment_create, reply_create
from seminar.access import access_reading
from seminar.models import Reading, ReadingVisit, User
from seminar.services import reading_visit_record
from tests.texts import SWEET_SPOT

NOON = timezone.make_aware(datetime.datetime(2026, 3, 10, 12, 0))
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("due", "posted", "label", "state"),
    [
        (NOON + 3 * HOUR, False, "Due today", "soon"),
        (NOON + 13 * HOUR, False, "Due tomorrow", "soon"),  # 1 a.m.: a calendar day away
        (NOON + 2 * DAY, False, "Due in 2 days", "soon"),
        (NOON + 3 * DAY, False, "Due in 3 days", "later"),
        (NOON - HOUR, False, "Overdue", "overdue"),
        (NOON - HOUR, True, "Past due", "past"),
    ],
)
def test_a_due_date_in_words(due, posted, label, state):
    found = due_of(due, now=NOON, posted=posted)
    assert (found.label, found.state, found.when) == (label, state, due)


def test_no_due_date_says_nothing():
    assert due_of(None, now=NOON, posted=False) is None


def rows_of(user, seminar, *, by_due=True):
    return reading_rows(user=user, readings=Reading.objects.filter(seminar=seminar), by_due=by_due)


def test_a_student_sees_readings_by_due_date_upcoming_first(seminar, student, week):
    titles = [row.reading.title for row in rows_of(student, seminar)]
    assert titles == ["Soon", "Later", "Undated", "Past"]
    # The staff keep the instructor's order, which they rearrange on the seminar page.
    titles = [row.reading.title for row in rows_of(student, seminar, by_due=False)]
    assert titles == ["Past", "Undated", "Later", "Soon"]


def test_a_student_does_not_see_drafts(seminar, student, instructor, draft_reading, week):
    assert draft_reading.pk not in [row.reading.pk for row in rows_of(student, seminar)]
    assert draft_reading.pk in [row.reading.pk for row in rows_of(instructor, seminar)]


def test_your_posts_are_what_you_gave_the_discussion(seminar, blog_reading, student):
    comment_create(reading=blog_reading, author=student, text="One.")
    gone = comment_create(reading=blog_reading, author=student, text="Two.")
    annotation_delete(annotation=gone, actor=student)
    annotation_create(
        reading=blog_reading,
        author=student,
        kind="note",
        text="Mine alone.",
        visibility="private",
        quote={"exact": SWEET_SPOT},
    )
    (row,) = rows_of(student, seminar)
    assert row.my_posts == 1


def test_new_is_what_others_wrote_since_your_last_visit_that_you_may_see(
    seminar, blog_reading, instructor, student, student2
):
    (before,) = rows_of(student, seminar)
    # Never opened: everything others wrote is new to her (the blog's own reader comments).
    assert not before.visited and before.new_posts == blog_reading.annotations.count() > 0
    reading_visit_record(user=student, reading=blog_reading)
    (row,) = rows_of(student, seminar)
    assert row.visited and row.new_posts == 0
    comment_create(reading=blog_reading, author=student, text="My own: not news to me.")
    seen = comment_create(reading=blog_reading, author=student2, text="Sam's.")
    hidden = comment_create(reading=blog_reading, author=student2, text="Sam's, hidden.")
    annotation_moderate(annotation=hidden, moderator=instructor, action="hide", reason="Rude")
    annotation_create(
        reading=blog_reading,
        author=student2,
        kind="note",
        text="Sam's private note.",
        visibility="private",
        quote={"exact": SWEET_SPOT},
    )
    reply_create(parent=seen, author=instructor, text="Good.")
    (row,) = rows_of(student, seminar)
    assert row.new_posts == 2  # Sam's comment and the instructor's reply


def test_unread_replies_are_counted_per_reading(seminar, blog_reading, student, student2):
    mine = comment_create(reading=blog_reading, author=student, text="Mine.")
    reply_create(parent=mine, author=student2, text="One.")
    reply_create(parent=mine, author=student2, text="Two.")
    (row,) = rows_of(student, seminar)
    assert row.unread_replies == 2


def test_the_staff_see_what_awaits_them(seminar, blog_reading, instructor, ta, student, student2):
    flagged = comment_create(reading=blog_reading, author=student, text="Flag me.")
    Flag.objects.create(annotation=flagged, user=student2, reason="spam")
    scored = comment_create(reading=blog_reading, author=student2, text="Scored.")
    gradebook.score_set(annotation=scored, grader=instructor, value=2)
    comment_create(reading=blog_reading, author=instructor, text="Staff posts are not graded.")
    (card,) = dashboard(user=instructor)
    assert card.teaching and card.open_items == 1 and card.unscored == 1
    seminar.tas_moderate = False
    seminar.save(update_fields=["tas_moderate"])
    (card,) = dashboard(user=ta)
    assert card.open_items is None and card.unscored == 1  # TAs grade, here they do not moderate
    (card,) = dashboard(user=student)
    assert not card.teaching and card.open_items is None and card.unscored is None


def test_a_students_next_reading_is_the_soonest_still_to_come(student, week):
    (card,) = dashboard(user=student)
    assert card.next_due.reading.title == "Soon"
    assert [row.reading.title for row in card.rows] == ["Soon", "Later", "Undated", "Past"]


@pytest.fixture
def busy(monkeypatch):
    """Every reading counts as busy: its new posts are kept in the cache."""
    monkeypatch.setattr("annotations.agenda.services.KEEP_FROM", 0)


def test_kept_new_posts_follow_every_change_to_what_you_may_see(
    busy, seminar, blog_reading, instructor, student, student2, django_assert_max_num_queries
):
    reading_visit_record(user=student, reading=blog_reading)
    reading_visit_record(user=instructor, reading=blog_reading)
    assert rows_of(student, seminar)[0].new_posts == 0
    sams = comment_create(reading=blog_reading, author=student2, text="Sam's.")
    assert rows_of(student, seminar)[0].new_posts == 1
    with django_assert_max_num_queries(3):  # the readings, their versions, the cache: no count
        assert rows_of(student, seminar)[0].new_posts == 1
    annotation_moderate(annotation=sams, moderator=instructor, action="hide", reason="Rude")
    assert rows_of(student, seminar)[0].new_posts == 0
    assert rows_of(instructor, seminar)[0].new_posts == 1  # the staff still see it, marked
    annotation_moderate(annotation=sams, moderator=instructor, action="unhide")
    assert rows_of(student, seminar)[0].new_posts == 1
    reading_visit_record(user=student, reading=blog_reading)
    assert rows_of(student, seminar)[0].new_posts == 0


def test_kept_counts_are_each_persons_own(busy, seminar, blog_reading, student, student2):
    reading_visit_record(user=student, reading=blog_reading)
    comment_create(reading=blog_reading, author=student2, text="Sam's.")
    assert rows_of(student, seminar)[0].new_posts == 1
    assert rows_of(student2, seminar)[0].new_posts == blog_reading.annotations.count() - 1


def test_a_reading_opened_again_with_nothing_new_keeps_its_visit(
    blog_reading, student, student2, django_assert_max_num_queries
):
    reading_visit_refresh(user=student, reading=blog_reading)  # the first visit is recorded
    first = ReadingVisit.objects.get(user=student, reading=blog_reading).seen
    with django_assert_max_num_queries(1):  # one look, no write
        reading_visit_refresh(user=student, reading=blog_reading)
    assert ReadingVisit.objects.get(user=student, reading=blog_reading).seen == first
    comment_create(reading=blog_reading, author=student2, text="News.")
    reading_visit_refresh(user=student, reading=blog_reading)
    assert ReadingVisit.objects.get(user=student, reading=blog_reading).seen > first


def test_whoever_has_read_everything_is_not_counted_for(
    seminar, blog_reading, student, student2, django_assert_max_num_queries
):
    assert not any_unread(student)
    with django_assert_max_num_queries(3):  # readings, versions, new posts; no unread replies
        assert rows_of(student, seminar)[0].unread_replies == 0
    mine = comment_create(reading=blog_reading, author=student, text="Mine.")
    reply_create(parent=mine, author=student2, text="One.")
    again = User.objects.get(pk=student.pk)  # a new request: what was found is forgotten
    assert any_unread(again)
    assert rows_of(again, seminar)[0].unread_replies == 1


def test_the_facts_asked_with_the_reading_are_those_asked_alone(blog_reading, student, student2):
    def both():
        with_it = access_reading(
            student,
            blog_reading.seminar.slug,
            blog_reading.slug,
            also=reading_facts_columns(student),
        )
        found = reading_facts(user=student, reading=with_it, found=with_it.also)
        return found, reading_facts(user=student, reading=blog_reading)

    first, alone = both()
    assert first == alone and not first.visited
    reading_visit_refresh(user=student, reading=blog_reading)
    comment_create(reading=blog_reading, author=student2, text="News.")
    found, alone = both()
    assert found == alone and found.visited and found.posted_since
    assert found.list_version != first.list_version
