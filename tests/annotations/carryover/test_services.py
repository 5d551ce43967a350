"""seminar_carry_over: what goes to the new term, what never does, and the old term kept."""

import dataclasses
import datetime

import pytest
from django.db.models import Count

from annotations.carryover.services import PostChoice, seminar_carry_over
from annotations.models import (
    Annotation,
    Flag,
    Grade,
    GradingPolicy,
    ModerationEvent,
    Notification,
    Score,
    Vote,
)
from annotations.revisions.readings import parse_upload
from annotations.services import reply_create
from seminar.errors import NotPermitted, ServiceError
from seminar.models import Group, Membership, Reading, ReadingRevision, ReadingStatus, Role
from tests.annotations.carryover.conftest import post
from tests.texts import KILLED, SWEET_SPOT


def carry(seminar, by, *posts, **extra):
    return seminar_carry_over(
        seminar=seminar, by=by, title="Intervention", term="Autumn", posts=posts, **extra
    )


def copied_texts(new):
    return set(Annotation.objects.filter(reading__seminar=new).values_list("text", flat=True))


def texts_of(*posts):
    return {p.text for p in posts}


def counts(seminar):
    return {
        "posts": Annotation.objects.filter(reading__seminar=seminar).count(),
        "readings": Reading.objects.filter(seminar=seminar).count(),
        "revisions": ReadingRevision.objects.filter(reading__seminar=seminar).count(),
        "members": Membership.objects.filter(seminar=seminar).count(),
        "grouped": Membership.objects.filter(seminar=seminar, group__isnull=False).count(),
        "groups": Group.objects.filter(seminar=seminar).count(),
        "votes": Vote.objects.count(),
        "events": ModerationEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "anchors": list(
            Annotation.objects.filter(reading__seminar=seminar)
            .order_by("pk")
            .values_list("pk", "start", "end", "anchor_status", "anchored_revision_id")
        ),
    }


def test_all_staff_posts_go_with_their_staff_replies_and_no_students(seminar, instructor, term):
    new, report = carry(seminar, instructor, PostChoice.STAFF)
    assert copied_texts(new) == texts_of(
        term.pinned, term.exemplar, term.plain, term.plain_comment, term.staff_reply
    )
    # Never a student's, a private note, or a staff reply under a student's post or reply.
    assert not Annotation.objects.filter(
        reading__seminar=new,
        author__memberships__seminar=seminar,
        author__memberships__role=Role.STUDENT,
    ).exists()
    assert report.posts == 5


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        ((PostChoice.PINNED,), ("pinned", "staff_reply")),
        ((PostChoice.EXEMPLARS,), ("exemplar",)),
        ((PostChoice.PINNED, PostChoice.EXEMPLARS), ("pinned", "staff_reply", "exemplar")),
        ((), ()),
    ],
)
def test_only_the_chosen_staff_posts_go(seminar, instructor, term, choices, expected):
    new, report = carry(seminar, instructor, *choices)
    assert copied_texts(new) == texts_of(*(getattr(term, name) for name in expected))
    assert report.posts == len(expected)


def test_a_copied_post_keeps_its_author_kind_tags_time_pin_and_passage(
    seminar, instructor, ta, term
):
    new, _ = carry(seminar, instructor, PostChoice.STAFF)
    copy = Annotation.objects.get(reading__seminar=new, text=term.exemplar.text)
    old = term.exemplar
    assert (copy.author, copy.kind, copy.tags, copy.visibility) == (
        ta,
        "evidence",
        old.tags,
        "seminar",
    )
    assert copy.created == old.created
    assert (copy.start, copy.end, copy.quote_exact, copy.anchor_status) == (
        old.start,
        old.end,
        KILLED,
        "anchored",
    )
    assert copy.anchored_revision.reading == copy.reading
    assert copy.anchored_revision.text == old.anchored_revision.text
    pinned = Annotation.objects.get(reading__seminar=new, text=term.pinned.text)
    assert pinned.pinned and not pinned.votes.exists()
    reply = Annotation.objects.get(reading__seminar=new, text=term.staff_reply.text)
    assert reply.parent == pinned and reply.thread == pinned
    question = Annotation.objects.get(reading__seminar=new, text=term.plain.text)
    assert question.resolution == "open"
    assert question.revision.number == 1  # written on the first revision, as the old one
    assert question.anchored_revision.number == 2


def test_the_new_seminar_has_the_shape_without_the_students(
    seminar, instructor, ta, student, student2, term
):
    new, report = carry(seminar, instructor, PostChoice.STAFF)
    assert (new.title, new.term) == ("Intervention", "Autumn")
    assert new.slug != seminar.slug
    assert new.join_code != seminar.join_code and new.invite_token != seminar.invite_token
    roles = dict(Membership.objects.filter(seminar=new).values_list("user__username", "role"))
    assert roles == {instructor.username: Role.INSTRUCTOR, ta.username: Role.TA}
    groups = Group.objects.filter(seminar=new).annotate(n=Count("memberships"))
    assert {(g.name, g.n) for g in groups} == {("Tuesday", 0), ("Thursday", 0)}
    policy = GradingPolicy.objects.get(seminar=new)
    assert (policy.score_max, policy.best_n, policy.late_penalty) == (5, 2, 10)
    assert report.policy and report.groups == 2 and report.staff == 2
    for model in (Vote, Flag, Score, Grade, ModerationEvent, Notification):
        field = "reading__seminar" if model in (Grade,) else "annotation__reading__seminar"
        assert not model.objects.filter(**{field: new}).exists()


def test_readings_come_with_every_revision_in_order_as_drafts(
    seminar, instructor, term, blog_reading, draft_reading
):
    blog_reading.due = datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC)
    blog_reading.save()
    new, report = carry(seminar, instructor)
    copies = list(Reading.objects.filter(seminar=new).order_by("position"))
    assert [r.title for r in copies] == [blog_reading.title, draft_reading.title]
    assert all(r.status == ReadingStatus.DRAFT and r.due is None for r in copies)
    blog = copies[0]
    old = list(blog_reading.revisions.order_by("number"))
    mine = list(blog.revisions.order_by("number"))
    assert [(r.number, r.text, r.source, r.html, r.format, r.note, r.created) for r in mine] == [
        (r.number, r.text, r.source, r.html, r.format, r.note, r.created) for r in old
    ]
    assert blog.current_revision == mine[-1] and blog.current_revision.number == 2
    assert [r.revisions for r in report.readings] == [2, 1]


def test_readings_may_keep_their_status_and_shifted_due_dates(
    seminar, instructor, term, blog_reading
):
    due = datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC)
    Reading.objects.filter(pk=blog_reading.pk).update(due=due)
    new, _ = carry(seminar, instructor, keep_status=True, shift_days=364)
    blog = Reading.objects.get(seminar=new, slug=blog_reading.slug)
    assert blog.status == ReadingStatus.PUBLISHED
    assert blog.due == due + datetime.timedelta(days=364)


def test_the_old_seminar_is_unchanged(seminar, instructor, term):
    before = counts(seminar)
    carry(seminar, instructor, PostChoice.STAFF, PostChoice.PINNED)
    carry(seminar, instructor, PostChoice.EXEMPLARS)  # again: another new seminar
    assert counts(seminar) == before
    assert Membership.objects.filter(seminar=seminar).count() == 4


def new_edition(reading):
    """The reading's source with a paragraph inserted at the top, the sentence of the pinned
    passage edited a little and the exemplar's sentence rewritten."""
    source = reading.current_revision.source
    lines = source.split("\n\n")
    lines.insert(0, "A note for the new edition: read the sources first.")
    edited = "\n\n".join(lines)
    edited = edited.replace(SWEET_SPOT, SWEET_SPOT.replace("and method", "and of method"))
    edited = edited.replace(
        "a senior insurgent commander was " + KILLED + " in January",
        "one of the insurgency's leaders died in a January raid",
    )
    assert edited != source and KILLED not in edited
    return parse_upload(data=edited.encode(), filename="second-edition.md")


def test_a_new_edition_re_anchors_the_copied_posts(seminar, instructor, term, blog_reading):
    edition = new_edition(blog_reading)
    new, report = carry(seminar, instructor, PostChoice.STAFF, editions={blog_reading.pk: edition})
    blog = Reading.objects.get(seminar=new, slug=blog_reading.slug)
    assert blog.revisions.count() == 3 and blog.current_revision.number == 3
    assert blog.current_revision.source == edition.source
    status = dict(
        Annotation.objects.filter(reading=blog, start__isnull=False).values_list(
            "text", "anchor_status"
        )
    )
    assert status == {
        term.plain.text: "anchored",
        term.pinned.text: "moved",
        term.exemplar.text: "orphaned",
    }
    orphan = Annotation.objects.get(reading=blog, text=term.exemplar.text)
    assert orphan.quote_exact == KILLED
    moved = Annotation.objects.get(reading=blog, text=term.pinned.text)
    text = blog.current_revision.text
    assert text[moved.start : moved.end] == moved.quote_exact
    assert "and of method" in moved.quote_exact
    first = report.readings[0]
    assert (first.new_edition, first.anchored, first.moved, first.orphaned) == (True, 1, 1, 1)
    assert first.revisions == 3 and not report.readings[1].new_edition
    # The old reading keeps its text and its posts where they were.
    assert blog_reading.revisions.count() == 2
    assert Annotation.objects.get(pk=term.exemplar.pk).anchor_status == "anchored"


def test_without_a_new_edition_the_report_counts_the_passages_where_they_were(
    seminar, instructor, term
):
    _, report = carry(seminar, instructor, PostChoice.STAFF)
    first = report.readings[0]
    assert (first.posts, first.anchored, first.moved, first.orphaned) == (4, 3, 0, 0)


def test_only_an_instructor_may_carry_it_over(seminar, ta, student, term):
    for who in (ta, student):
        with pytest.raises(NotPermitted):
            carry(seminar, who, PostChoice.STAFF)


def test_a_failure_leaves_nothing_behind(seminar, instructor, term, blog_reading):
    before = Reading.objects.count(), Annotation.objects.count()
    # A text that cannot be rendered, found after everything else is copied.
    broken = dataclasses.replace(parse_upload(data=b"Some text.", filename="x.txt"), source=" ")
    with pytest.raises(ServiceError):
        carry(seminar, instructor, PostChoice.STAFF, editions={blog_reading.pk: broken})
    assert (Reading.objects.count(), Annotation.objects.count()) == before
    assert not Membership.objects.filter(seminar__title="Intervention").exists()


def test_a_title_is_needed(seminar, instructor, term):
    with pytest.raises(ServiceError):
        seminar_carry_over(seminar=seminar, by=instructor, title=" ", term="")


def test_the_copy_costs_the_same_queries_whatever_the_posts(
    seminar, instructor, ta, term, blog_reading, django_assert_max_num_queries
):
    with django_assert_max_num_queries(40) as few:
        carry(seminar, instructor, PostChoice.STAFF)
    # Twenty more threads of two (a level of threads fits one insert, even on SQLite's
    # 999 parameters a statement).
    for i in range(20):
        made = post(blog_reading, ta, "critique", f"More {i}.", SWEET_SPOT)
        reply_create(parent=made, author=instructor, text=f"Reply {i}.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        _, report = carry(seminar, instructor, PostChoice.STAFF)
    assert report.posts == 5 + 40
