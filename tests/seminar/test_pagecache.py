"""Pages kept per person (seminar/pagecache.py): a student's seminar page and reading page are
answered from the cache on a reload, and whatever they show that changes shows on the next
request: a new post, an edit, a role, a moderation, a notification, a name, the day; never a
kept page for a request with messages, never another request's CSRF token."""

import datetime
import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.urls import reverse
from django.utils import timezone

from annotations.grading.gradebook import grades_release
from annotations.models import Notification
from annotations.moderation.services import annotation_moderate
from annotations.peers.services import reading_set_peer_visibility
from annotations.services import (
    annotation_create,
    annotation_update,
    comment_create,
    reply_create,
)
from seminar import nearcache, pagecache
from seminar.models import Membership, PeerVisibility, Role
from seminar.services import membership_set_role, reading_update, seminar_create
from tests.texts import SWEET_SPOT

from ..annotations.agenda.conftest import add_reading
from ..conftest import make_user

DAY = datetime.timedelta(days=1)
TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
MASKED = re.compile(r'"[A-Za-z0-9]{64}"')  # a CSRF token, masked afresh for each response


@pytest.fixture
def pages(seminar, blog_reading):
    return reverse("seminar", args=[seminar.slug]), blog_reading.get_absolute_url()


def critique(reading, author, *, kind="critique", text="Premature?", exact=SWEET_SPOT):
    """A passage annotation (reply_create and the rest take the post it returns first)."""
    return annotation_create(
        reading=reading, author=author, kind=kind, text=text, quote={"exact": exact}
    )


def kept_keys():
    from django.core.cache import cache
    from django.db import connection

    table = cache._table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {table} WHERE cache_key LIKE '%%page:%%'")  # noqa: S608
        return [key for (key,) in cursor.fetchall()]


def test_a_reload_is_answered_from_the_kept_page(
    client, pages, student, django_assert_max_num_queries
):
    client.force_login(student)
    # The session, the person, the access check with the role and the page's counts (in
    # one query on the reading page, two on the seminar's): nothing else, the worker has the
    # page near; another worker (none near) reads it from the shared cache, one query more.
    for url, queries in zip(pages, (4, 3), strict=True):
        first = client.get(url).text
        with django_assert_max_num_queries(queries) as near:
            again = client.get(url).text
        assert not any("seminar_cache" in query["sql"] for query in near)
        assert MASKED.sub("", again) == MASKED.sub("", first)
        nearcache.clear_all()
        with django_assert_max_num_queries(queries + 1) as shared:
            elsewhere = client.get(url).text
        assert any("seminar_cache" in query["sql"] for query in shared)
        assert MASKED.sub("", elsewhere) == MASKED.sub("", first)
    assert len(kept_keys()) == 2


def test_each_response_carries_its_own_csrf_token_never_the_placeholder(client, pages, student):
    client.force_login(student)
    for url in pages:
        client.get(url)
        response = client.get(url)
        assert pagecache.csrf_placeholder() not in response.text
        (token,) = set(TOKEN.findall(response.text))
        assert f'name="csrfmiddlewaretoken" value="{token}"' in response.text
        assert "csrftoken" in response.cookies


def test_a_new_post_an_edit_and_a_moderation_show_on_the_next_request(
    client, pages, blog_reading, instructor, student, student2
):
    seminar_url, reading_url = pages
    client.force_login(student)
    client.get(reading_url)
    client.get(seminar_url)
    post = comment_create(reading=blog_reading, author=student2, text="A new thought.")
    assert "1 new since your last visit" in client.get(seminar_url).text
    assert "<p>A new thought.</p>" in client.get(reading_url).text
    annotation_update(annotation=post, editor=student2, text="An edited thought.")
    assert "<p>An edited thought.</p>" in client.get(reading_url).text
    annotation_moderate(annotation=post, moderator=instructor, action="hide", reason="Off topic")
    assert "An edited thought." not in client.get(reading_url).text
    annotation_moderate(annotation=post, moderator=instructor, action="unhide")
    client.get(reading_url)
    reply_create(parent=post, author=student2, text="And more.")
    seminar_page = client.get(seminar_url).text
    assert "1 new since your last visit" in seminar_page
    annotation_moderate(annotation=post, moderator=instructor, action="hide", reason="Off topic")
    assert "new since your last visit" not in client.get(seminar_url).text


def test_an_edited_reading_and_seminar_show_on_the_next_request(
    client, pages, seminar, blog_reading, student
):
    seminar_url, reading_url = pages
    client.force_login(student)
    client.get(seminar_url)
    client.get(reading_url)
    reading_update(reading=blog_reading, title="A better title", status=blog_reading.status)
    assert "A better title" in client.get(seminar_url).text
    assert "A better title" in client.get(reading_url).text
    seminar.title = "A renamed seminar"
    seminar.save()
    assert "A renamed seminar" in client.get(seminar_url).text
    assert "A renamed seminar" in client.get(reading_url).text


def test_a_role_change_shows_on_the_next_request(client, pages, seminar, student):
    seminar_url, reading_url = pages
    client.force_login(student)
    assert "Gradebook" not in client.get(seminar_url).text
    assert "History" not in client.get(reading_url).text
    membership = Membership.objects.get(seminar=seminar, user=student)
    membership_set_role(membership=membership, role=Role.TA)
    assert "Gradebook" in client.get(seminar_url).text
    assert "History" in client.get(reading_url).text
    membership_set_role(membership=membership, role=Role.STUDENT)
    assert "Gradebook" not in client.get(seminar_url).text
    assert "History" not in client.get(reading_url).text


def test_a_notification_shows_on_the_next_request_and_reading_it_too(
    client, pages, blog_reading, student, student2
):
    seminar_url, reading_url = pages
    client.force_login(student)
    mine = comment_create(reading=blog_reading, author=student, text="Mine.")
    for url in pages:
        assert 'aria-label="1 unread"' not in client.get(url).text
    reply_create(parent=mine, author=student2, text="An answer.")
    assert "1 unread reply" in client.get(seminar_url).text
    for url in pages:
        assert 'aria-label="1 unread"' in client.get(url).text
    Notification.objects.filter(user=student).update(read=timezone.now())
    assert "unread repl" not in client.get(seminar_url).text
    for url in pages:
        assert 'aria-label="1 unread"' not in client.get(url).text


def test_a_new_name_shows_on_the_next_request(client, pages, student):
    client.force_login(student)
    for url in pages:
        assert "Lena Ortiz" in client.get(url).text
    student.display_name = "Lena O."
    student.save(update_fields=["display_name"])
    for url in pages:
        assert "Lena O." in client.get(url).text


def test_the_due_label_follows_the_clock(client, seminar, instructor, student, monkeypatch):
    add_reading(seminar, instructor, "Due soon", due_in=datetime.timedelta(hours=1))
    url = reverse("seminar", args=[seminar.slug])
    client.force_login(student)
    assert "Overdue" not in client.get(url).text
    later = timezone.now() + 2 * DAY
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "Overdue" in client.get(url).text


def test_a_request_with_a_message_is_rendered_and_shows_it(client, pages, student, settings):
    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
    client.force_login(student)
    for url in pages:
        client.get(url)  # kept
        storage = CookieStorage(client.get(url).wsgi_request)
        storage.add(constants.SUCCESS, "Saved, really.")
        response = client.get(url)
        storage.update(response)  # the message as a cookie, as a redirect would have sent it
        client.cookies.update(response.cookies)
        assert "Saved, really." in client.get(url).text
        assert "Saved, really." not in client.get(url).text  # shown once, and not kept


def test_the_staff_and_outsiders_get_no_kept_page(client, pages, instructor, outsider):
    client.force_login(instructor)
    for url in pages:
        client.get(url)
        client.get(url)
    assert kept_keys() == []
    client.force_login(outsider)
    for url in pages:
        assert client.get(url).status_code == 404
    assert kept_keys() == []


def test_a_draft_leaves_the_students_page_at_once(client, pages, blog_reading, student):
    seminar_url, reading_url = pages
    client.force_login(student)
    assert blog_reading.title in client.get(seminar_url).text
    client.get(reading_url)
    reading_update(reading=blog_reading, title=blog_reading.title, status="draft")
    assert blog_reading.title not in client.get(seminar_url).text
    assert client.get(reading_url).status_code == 404


def test_a_classmates_passage_critique_leaves_the_kept_reading_page_as_it_was(
    client, pages, blog_reading, student, student2, django_assert_max_num_queries
):
    # The page shows the numbered page comments, not the margin's critiques: a lecture's
    # stream of critiques does not make 200 students' pages again.
    _, reading_url = pages
    client.force_login(student)
    first = client.get(reading_url).text
    critique(blog_reading, student2)
    with django_assert_max_num_queries(4):  # the visit moves on: nothing is made again
        again = client.get(reading_url).text
    assert MASKED.sub("", again) == MASKED.sub("", first)
    assert len(kept_keys()) == 1
    comment_create(reading=blog_reading, author=student2, text="A page comment.")
    assert "<p>A page comment.</p>" in client.get(reading_url).text
    assert len(kept_keys()) == 2


def test_held_back_the_kept_reading_page_counts_every_classmates_post(
    client, pages, blog_reading, instructor, student, student2
):
    reading_set_peer_visibility(
        reading=blog_reading, actor=instructor, value=PeerVisibility.AFTER_POSTING
    )
    _, reading_url = pages
    client.force_login(student)
    assert "posts appear here once you annotate" in client.get(reading_url).text
    critique(blog_reading, student2)
    assert "1 post by classmates appear" in client.get(reading_url).text


def test_unread_notifications_cost_a_kept_page_one_query_not_the_count(
    client, pages, blog_reading, student, student2, django_assert_max_num_queries
):
    # Counting them is the visibility query over the notifications: a kept page is keyed
    # by what the count depends on instead, one query more for someone with unread ones.
    mine = comment_create(reading=blog_reading, author=student, text="Mine.")
    reply_create(parent=mine, author=student2, text="An answer.")
    client.force_login(student)
    for url, queries in zip(pages, (4, 3), strict=True):
        assert 'aria-label="1 unread"' in client.get(url).text
        with django_assert_max_num_queries(queries + 1) as asked:
            assert 'aria-label="1 unread"' in client.get(url).text
        assert not any('"__count"' in query["sql"] for query in asked)


def elsewhere(instructor, student, *, title="Elsewhere"):
    """A reading of another seminar Lena is in, with a classmate there, Ravi."""
    other = seminar_create(title="Other seminar", creator=instructor)
    reading = add_reading(other, instructor, title, due_in=datetime.timedelta(hours=1))
    classmate = make_user("ravi", "Ravi Patel")
    for person in (student, classmate):
        Membership.objects.create(seminar=other, user=person, role=Role.STUDENT)
    return reading, classmate


def mention(reading, author, user):
    membership = Membership.objects.get(seminar=reading.seminar, user=user)
    text = f"What does @[member:{membership.pk}] think?"
    return critique(reading, author, kind="question", text=text, exact="closely")


def test_a_reading_elsewhere_made_a_draft_leaves_the_badge_of_both_kept_pages(
    client, pages, instructor, student
):
    # What the notification is about can no longer be seen: it is no longer counted.
    reading, classmate = elsewhere(instructor, student)
    mention(reading, classmate, student)
    client.force_login(student)
    for url in pages:
        assert 'aria-label="1 unread"' in client.get(url).text
    reading_update(reading=reading, title=reading.title, status="draft")
    for url in pages:
        assert 'aria-label="1 unread"' not in client.get(url).text


def test_grades_taken_back_leave_the_badge_of_both_kept_pages(
    client, pages, blog_reading, instructor, student
):
    client.force_login(student)
    for url in pages:
        assert 'aria-label="1 unread"' not in client.get(url).text
    grades_release(reading=blog_reading, by=instructor)
    for url in pages:
        assert 'aria-label="1 unread"' in client.get(url).text
    grades_release(reading=blog_reading, by=instructor, release=False)
    for url in pages:
        assert 'aria-label="1 unread"' not in client.get(url).text


def test_a_due_date_passing_elsewhere_brings_back_the_badge_of_both_kept_pages(
    client, pages, instructor, student, monkeypatch
):
    # Ravi's question mentions Lena; then his posts are held back from her until the due
    # date there, and the clock alone brings them back.
    reading, classmate = elsewhere(instructor, student)
    mention(reading, classmate, student)
    reading_set_peer_visibility(reading=reading, actor=instructor, value=PeerVisibility.AFTER_DUE)
    client.force_login(student)
    for url in pages:
        assert 'aria-label="1 unread"' not in client.get(url).text
    later = timezone.now() + 2 * DAY
    monkeypatch.setattr(timezone, "now", lambda: later)
    for url in pages:
        assert 'aria-label="1 unread"' in client.get(url).text


def test_a_lecture_posting_elsewhere_leaves_a_notified_students_kept_page(
    client, pages, blog_reading, student, student2, django_assert_max_num_queries
):
    # Lena's count can move only with her posts' threads: Maya's new critiques and
    # replies elsewhere on the reading leave her kept page as it was.
    mine, _ = critique(blog_reading, student, text="Mine?")
    reply_create(parent=mine, author=student2, text="An answer.")
    _, reading_url = pages
    client.force_login(student)
    first = client.get(reading_url).text
    assert 'aria-label="1 unread"' in first
    theirs, _ = critique(blog_reading, student2, kind="question", text="Why?", exact="sweet")
    reply_create(parent=theirs, author=student2, text="Still asking.")
    with django_assert_max_num_queries(5):  # the version of her unread count, one of them
        again = client.get(reading_url).text
    assert MASKED.sub("", again) == MASKED.sub("", first)
    assert len(kept_keys()) == 1
    reply_create(parent=mine, author=student2, text="And another.")
    assert 'aria-label="2 unread"' in client.get(reading_url).text
