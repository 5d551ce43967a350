"""GET /api/readings/{id}/changes (annotations/live): what changed since a cursor, as each
person may see it now; 304 in two queries while nothing did."""

import pytest
from django.test import Client

from annotations.listing.models import ListChange
from annotations.listing.versions import version
from annotations.live.cursors import cursor_of
from annotations.moderation.services import annotation_moderate
from annotations.services import annotation_delete, annotation_update, reply_create, vote_add
from seminar.models import Membership, Role
from seminar.tokens import token_create
from tests.annotations.test_listing import expected, passage
from tests.apicalls import api
from tests.conftest import make_user


def url(reading, since=None):
    return f"/readings/{reading.pk}/changes" + (f"?since={since}" if since is not None else "")


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def cursor(client, reading):
    response = api(client, "get", url(reading))
    assert response.status_code == 200
    return response.json()["cursor"]


def changes(client, reading, since):
    response = api(client, "get", url(reading, since))
    assert response.status_code == 200, response.content
    return response.json()


def thread_items(answer, thread):
    found = [t["items"] for t in answer["threads"] if t["thread"] == thread]
    return found[0] if found else None


@pytest.fixture
def lena(student):
    return as_user(student)


@pytest.fixture
def open_page(blog_reading, student, student2):
    """Lena's page is open on the reading; Sam has a critique on it."""
    sams = passage(blog_reading, student2, "Is the sweet spot claim premature?")
    return blog_reading, sams


def test_the_list_says_where_live_updates_start(lena, open_page):
    reading, _ = open_page
    listed = api(lena, "get", f"/readings/{reading.pk}/annotations")
    assert listed["X-Changes-Cursor"] == cursor(lena, reading) == cursor_of(version(reading.pk))


def test_nothing_changed_is_a_304_in_two_queries(lena, open_page, django_assert_max_num_queries):
    reading, _ = open_page
    since = cursor(lena, reading)
    with django_assert_max_num_queries(2):  # the session; the user, reading and version
        response = api(lena, "get", url(reading, since))
    assert response.status_code == 304
    assert response["ETag"].startswith('"') and response["Cache-Control"] == "private, no-cache"


def test_a_classmates_new_post_arrives_as_the_list_gives_it(lena, open_page, student, student2):
    reading, sams = open_page
    since = cursor(lena, reading)
    reply = reply_create(parent=sams, author=student2, text="Chad's case says otherwise.")[0]
    answer = changes(lena, reading, since)
    assert not answer["reset"] and not answer["others"]
    items = thread_items(answer, sams.pk)
    assert [item["id"] for item in items] == [sams.pk, reply.pk]
    whole = {item["id"]: item for item in expected(student, reading)}
    assert items == [whole[sams.pk], whole[reply.pk]]
    assert answer["cursor"] != since
    assert api(lena, "get", url(reading, answer["cursor"])).status_code == 304


@pytest.mark.parametrize("change", ["edit", "vote", "delete-with-reply", "pin"])
def test_each_change_to_a_post_comes_as_its_thread_now(
    lena, open_page, student, student2, instructor, change
):
    reading, sams = open_page
    reply_create(parent=sams, author=student, text="I agree.")
    since = cursor(lena, reading)
    if change == "edit":
        annotation_update(annotation=sams, editor=student2, text="Premature, on reflection.")
    elif change == "vote":
        vote_add(annotation=sams, user=instructor)
    elif change == "delete-with-reply":
        annotation_delete(annotation=sams, actor=student2)
    else:
        annotation_moderate(annotation=sams, moderator=instructor, action="pin")
    top = thread_items(changes(lena, reading, since), sams.pk)[0]
    seen = {item["id"]: item for item in expected(student, reading)}[sams.pk]
    assert top == seen
    if change == "edit":
        assert "on reflection" in top["text"]
    if change == "vote":
        assert top["votes"] == 1
    if change == "delete-with-reply":
        assert top["deleted"] is True and top["text"] == ""
    if change == "pin":
        assert top["pinned"] is True


def test_a_hidden_post_leaves_peers_feed_and_stays_in_its_authors(
    lena, open_page, student2, instructor
):
    reading, sams = open_page
    since_lena, since_sam = cursor(lena, reading), cursor(as_user(student2), reading)
    annotation_moderate(annotation=sams, moderator=instructor, action="hide", reason="Rude")
    for_lena = changes(lena, reading, since_lena)
    assert for_lena["threads"] == [] and for_lena["others"] is True  # load the list again
    for_sam = changes(as_user(student2), reading, since_sam)
    assert thread_items(for_sam, sams.pk)[0]["status"] == "hidden"
    assert api(lena, "get", url(reading, for_lena["cursor"])).status_code == 304
    annotation_moderate(annotation=sams, moderator=instructor, action="unhide", reason="")
    back = changes(lena, reading, for_lena["cursor"])
    assert thread_items(back, sams.pk)[0]["id"] == sams.pk


@pytest.mark.parametrize("visibility", ["private", "instructors"])
def test_what_a_student_may_not_see_is_never_named(
    lena, open_page, student2, ta, instructor, visibility
):
    reading, _ = open_page
    since = cursor(lena, reading)
    theirs = passage(reading, student2, "Not for Lena.", visibility=visibility)
    answer = changes(lena, reading, since)
    assert answer["threads"] == [] and "Not for Lena." not in str(answer)
    staff = changes(as_user(ta), reading, since)
    if visibility == "instructors":
        assert thread_items(staff, theirs.pk)[0]["text"] == "Not for Lena."
    else:
        assert staff["threads"] == []  # a private note is its author's alone


def test_a_change_to_everyone_asks_for_the_list_again(lena, open_page, seminar):
    reading, _ = open_page
    since = cursor(lena, reading)
    Membership.objects.create(seminar=seminar, user=make_user("ana", "Ana Diaz"), role=Role.STUDENT)
    assert changes(lena, reading, since)["reset"] is True


def test_too_many_changed_threads_ask_for_the_list_again(lena, open_page, student2):
    reading, _ = open_page
    since = cursor(lena, reading)
    for n in range(51):
        passage(reading, student2, f"Thought {n}.")
    assert changes(lena, reading, since) == {
        "cursor": cursor(lena, reading),
        "reset": True,
        "threads": [],
        "others": False,
    }


@pytest.mark.parametrize(
    "since", ["abc", "1-2", "2-1-1", "1--1-1", "1-1-1; DROP TABLE x", "9" * 40, " "]
)
def test_a_malformed_cursor_is_a_400_that_says_what_to_send(lena, open_page, since):
    reading, _ = open_page
    response = api(lena, "get", url(reading, since))
    if since == " ":  # blank: the same as none
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert "since must be a cursor" in response.json()["detail"]


def test_a_cursor_from_another_history_asks_for_the_list_again(lena, open_page):
    reading, _ = open_page
    newest, count = version(reading.pk)
    assert changes(lena, reading, f"1-{newest + 5}-{count + 5}")["reset"] is True


def test_strangers_and_anonymous_callers_learn_nothing(open_page, outsider):
    reading, _ = open_page
    assert api(as_user(outsider), "get", url(reading)).status_code == 404
    assert api(Client(), "get", url(reading)).status_code == 401
    assert api(as_user(outsider), "get", "/readings/999999/changes").status_code == 404


def test_an_api_token_polls_too(open_page, student2):
    reading, sams = open_page
    _, key = token_create(user=student2, name="Sam's reader")
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    since = api(client, "get", url(reading), **auth).json()["cursor"]
    assert api(client, "get", url(reading, since), **auth).status_code == 304
    vote_add(annotation=sams, user=reading.seminar.created_by)
    assert ListChange.objects.filter(reading_id=reading.pk).count() == version(reading.pk)[1]
    assert api(client, "get", url(reading, since), **auth).status_code == 200


def test_a_session_from_a_changed_password_is_refused(lena, open_page, student):
    reading, _ = open_page
    since = cursor(lena, reading)
    student.set_password("a brand new passphrase")
    student.save()
    assert api(lena, "get", url(reading, since)).status_code == 401


def test_query_count_does_not_grow_with_the_changes(
    lena, open_page, student2, django_assert_max_num_queries
):
    reading, sams = open_page
    since = cursor(lena, reading)
    reply_create(parent=sams, author=student2, text="One.")
    with django_assert_max_num_queries(12) as few:
        changes(lena, reading, since)
    for n in range(20):
        passage(reading, student2, f"Thought {n}.")
        reply_create(parent=sams, author=student2, text=f"Reply {n}.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        changes(lena, reading, since)
