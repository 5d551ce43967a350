"""The staff's "Open questions" page: what it lists, who may open it, the bulk action."""

import pytest
from django.urls import reverse

from annotations.models import Annotation
from annotations.questions.services import question_resolve
from annotations.services import annotation_create, reply_create
from tests.texts import SWEET_SPOT


def ask(reading, author, text, **extra):
    return annotation_create(
        reading=reading,
        author=author,
        kind="question",
        text=text,
        quote={"exact": SWEET_SPOT},
        **extra,
    )[0]


def page(client, seminar, **query):
    return client.get(reverse("open_questions", args=[seminar.slug]), query)


def test_staff_see_the_open_questions_oldest_first(
    client, seminar, blog_reading, instructor, student, student2, question, answer
):
    later = ask(blog_reading, student2, "And what about the rains?")
    done = ask(blog_reading, student2, "Answered already?")
    question_resolve(question=done, user=student2, state="answered")
    ask(blog_reading, student, "Only mine.", visibility="private")
    client.force_login(instructor)
    response = page(client, seminar)
    assert response.status_code == 200
    text = response.text
    assert text.index(question.text.replace("“", "&quot;")[:10]) < text.index("rains")
    assert "Answered already?" not in text and "Only mine." not in text
    assert "Lena Ortiz" in text and "1 reply" in text and SWEET_SPOT[:30] in text
    assert question.get_absolute_url() in text and later.get_absolute_url() in text


def test_the_reading_filter(client, seminar, instructor, question, draft_reading, student):
    client.force_login(instructor)
    assert "ripe" in page(client, seminar, reading=question.reading.slug).text
    assert "ripe" not in page(client, seminar, reading=draft_reading.slug).text


@pytest.mark.parametrize(("who", "status"), [("ta", 200), ("student", 404), ("outsider", 404)])
def test_only_staff_open_it(client, request, seminar, who, status):
    client.force_login(request.getfixturevalue(who))
    assert page(client, seminar).status_code == status


def test_the_page_costs_the_same_whatever_the_number(
    client, seminar, blog_reading, instructor, student, student2, django_assert_max_num_queries
):
    client.force_login(instructor)
    ask(blog_reading, student, "One?")
    with django_assert_max_num_queries(12) as few:
        page(client, seminar)
    for n in range(15):
        asked = ask(blog_reading, student2 if n % 2 else student, f"Question {n}?")
        reply_create(parent=asked, author=student, text="A reply.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = page(client, seminar)
    assert response.text.count('class="list-group-item queue-item open-question"') == 16


def test_marking_the_ticked_questions_addressed_in_class(
    client, seminar, blog_reading, ta, student, student2, question
):
    other = ask(blog_reading, student2, "Why now?")
    left = ask(blog_reading, student2, "Not ticked.")
    private = ask(blog_reading, student, "Mine only.", visibility="private")
    client.force_login(ta)
    response = client.post(
        reverse("questions_address", args=[seminar.slug]),
        {"ids": [question.pk, other.pk, private.pk], "note": "Tuesday's class"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Marked 2 questions addressed in class." in response.text
    assert "1 of the ticked questions was not found." in response.text
    states = dict(Annotation.objects.values_list("pk", "resolution"))
    assert states[question.pk] == states[other.pk] == "addressed"
    assert states[left.pk] == states[private.pk] == "open"
    assert Annotation.objects.get(pk=other.pk).resolution_note == "Tuesday's class"
    assert "Why now?" not in response.text and "Not ticked." in response.text


def test_the_bulk_action_needs_staff_and_csrf(client, seminar, student, question):
    client.force_login(student)
    url = reverse("questions_address", args=[seminar.slug])
    assert client.post(url, {"ids": [question.pk]}).status_code == 404
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(seminar.memberships.get(role="instructor").user)
    assert strict.post(url, {"ids": [question.pk]}).status_code == 403
