"""Fetching for a request (seminar/access.py): the object and the caller's role in one
query, so the rules asked next ask nothing more; still a 404 to whoever may not see it."""

import pytest
from django.http import Http404

from seminar.access import access_reading, access_seminar
from seminar.permissions import can_manage_seminar, can_teach, can_view_reading


def test_the_reading_and_the_role_come_in_one_query(
    blog_reading, instructor, student, django_assert_num_queries
):
    seminar = blog_reading.seminar
    for user, teaching in ((instructor, True), (student, False)):
        with django_assert_num_queries(1):
            reading = access_reading(user, seminar.slug, blog_reading.slug)
            assert can_view_reading(user, reading)
            assert can_teach(user, reading.seminar) is teaching


def test_the_seminar_and_the_role_come_in_one_query(seminar, ta, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = access_seminar(ta, seminar.slug)
        assert can_teach(ta, found) and not can_manage_seminar(ta, found)


def test_outsiders_and_students_of_a_draft_get_404(seminar, outsider, student, draft_reading):
    with pytest.raises(Http404):
        access_seminar(outsider, seminar.slug)
    with pytest.raises(Http404):
        access_reading(student, seminar.slug, draft_reading.slug)


def test_a_page_leaves_out_what_it_does_not_need(blog_reading, student):
    reading = access_reading(
        student, blog_reading.seminar.slug, blog_reading.slug, defer=["current_revision__text"]
    )
    assert "text" in reading.current_revision.get_deferred_fields()
    assert reading.current_revision.html == blog_reading.current_revision.html


def test_the_reading_read_by_hand_is_the_one_the_orm_reads(blog_reading, student):
    """seminar/rawrows.py: every field of the reading, its seminar and its current revision
    as select_related gives them (aware datetimes, JSON, booleans), on both databases."""
    from datetime import timedelta

    from django.utils import timezone

    from seminar.models import Reading

    blog_reading.due = timezone.now() + timedelta(days=2)
    blog_reading.save()
    by_hand = access_reading(student, blog_reading.seminar.slug, blog_reading.slug)
    by_orm = Reading.objects.select_related("seminar", "current_revision").get(pk=blog_reading.pk)
    for mine, theirs in (
        (by_hand, by_orm),
        (by_hand.seminar, by_orm.seminar),
        (by_hand.current_revision, by_orm.current_revision),
    ):
        for field in type(theirs)._meta.concrete_fields:
            assert getattr(mine, field.attname) == getattr(theirs, field.attname), field.name
    assert timezone.is_aware(by_hand.due)
    assert by_hand.current_revision.works_cited == by_orm.current_revision.works_cited
