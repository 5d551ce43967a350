"""GET /api/readings/{id}/insight: the heat map's spans of the class's posts, for staff."""

import pytest

from annotations.models import Annotation
from seminar.models import Group, Membership
from tests.apicalls import api
from tests.conftest import member


def insight(client, reading, **query):
    path = f"/readings/{reading.pk}/insight"
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return api(client, "get", path)


def span(start, end, **kinds):
    shown = {"questions": 0, "critiques": 0, "evidence": 0, "connections": 0, "notes": 0}
    shown.update(kinds)
    return {"start": start, "end": end, "posts": sum(kinds.values()), **shown}


@pytest.fixture
def class_posts(place, student, student2):
    """Lena's critique of 10-30 and question on 20-25 (nested), Sam's question on 30-40
    (adjacent to Lena's critique)."""
    return [
        place(student, 10, 30),
        place(student, 20, 25, "question"),
        place(student2, 30, 40, "question"),
    ]


def test_staff_get_the_spans_worked_out_by_hand(client, instructor, blog_reading, class_posts):
    client.force_login(instructor)
    body = insight(client, blog_reading).json()
    assert body["spans"] == [
        span(10, 20, critiques=1),
        span(20, 25, critiques=1, questions=1),
        span(25, 30, critiques=1),
        span(30, 40, questions=1),
    ]
    assert body["posts"] == 3
    assert body["totals"]["questions"] == 2
    assert body["max_posts"] == 2
    assert body["max_questions"] == 1
    assert body["revision"] == blog_reading.current_revision_id


def test_orphans_private_notes_hidden_deleted_and_staff_posts_are_not_counted(
    client, instructor, ta, blog_reading, class_posts, place, student
):
    orphan = place(student, 50, 60)
    Annotation.objects.filter(pk=orphan.pk).update(anchor_status="orphaned")
    place(student, 50, 60, visibility="private")
    hidden = place(student, 50, 60)
    deleted = place(student, 50, 60)
    Annotation.objects.filter(pk=hidden.pk).update(status="hidden")
    Annotation.objects.filter(pk=deleted.pk).update(status="deleted")
    place(ta, 50, 60)
    place(instructor, 50, 60)
    client.force_login(ta)
    body = insight(client, blog_reading).json()
    assert [s["start"] for s in body["spans"]] == [10, 20, 25, 30]
    assert body["posts"] == 3


def test_a_post_awaiting_approval_is_the_class_s_work(
    client, instructor, blog_reading, place, student
):
    waiting = place(student, 5, 9)
    Annotation.objects.filter(pk=waiting.pk).update(status="pending")
    client.force_login(instructor)
    assert insight(client, blog_reading).json()["spans"] == [span(5, 9, critiques=1)]


def test_one_group_s_posts(client, instructor, seminar, blog_reading, class_posts, student2):
    reds = Group.objects.create(seminar=seminar, name="Reds")
    Membership.objects.filter(seminar=seminar, user=student2).update(group=reds)
    client.force_login(instructor)
    body = insight(client, blog_reading, group=reds.pk).json()
    assert body["group"] == reds.pk
    assert body["spans"] == [span(30, 40, questions=1)]


def test_a_group_of_another_seminar_is_a_400_that_says_what_to_fix(
    client, instructor, outsider, blog_reading, class_posts
):
    elsewhere = Group.objects.create(seminar=outsider.memberships.get().seminar, name="Theirs")
    client.force_login(instructor)
    response = insight(client, blog_reading, group=elsewhere.pk)
    assert response.status_code == 400
    assert "No such group" in response.json()["detail"]


def test_students_and_outsiders_are_told_nothing(
    client, student, outsider, blog_reading, class_posts
):
    for person in (student, outsider):
        client.force_login(person)
        response = insight(client, blog_reading)
        assert response.status_code == 404
        assert "spans" not in response.json()
    client.logout()
    assert insight(client, blog_reading).status_code in (401, 404)


def test_the_query_count_does_not_grow_with_the_posts(
    client, instructor, seminar, blog_reading, place, django_assert_max_num_queries
):
    client.force_login(instructor)
    students = [member(seminar, f"s{n}", f"Student {n}", "student") for n in range(12)]
    for n, person in enumerate(students):
        place(person, n * 3, n * 3 + 20, "question" if n % 2 else "evidence")
    with django_assert_max_num_queries(4):  # session, user, the reading with the role, the spans
        body = insight(client, blog_reading).json()
    assert body["posts"] == 12
    assert body["max_posts"] == 7


def test_a_repeat_load_the_class_did_not_change_is_a_304(
    client, instructor, blog_reading, class_posts, place, student2
):
    client.force_login(instructor)
    first = insight(client, blog_reading)
    etag = first["ETag"]
    again = api(client, "get", f"/readings/{blog_reading.pk}/insight", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    place(student2, 60, 70, "evidence")
    moved = api(client, "get", f"/readings/{blog_reading.pk}/insight", HTTP_IF_NONE_MATCH=etag)
    assert moved.status_code == 200
    assert moved.json()["spans"][-1] == span(60, 70, evidence=1)
