"""Cheap writes (issue 15): a critique, a reply and a helpful mark cost at most six queries,
the response is the post as the API shows it, and no lock makes the writers of one reading
wait for each other, while an edit of the text still never strands a new passage on the old
revision (the races run on PostgreSQL, which has the row locks)."""

import re
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotations import services
from annotations.models import Annotation, Notification
from annotations.revisions.services import reading_revise_and_reanchor
from annotations.services import annotation_create, reply_create
from seminar.models import ApiToken, Membership, Reading, User
from seminar.tokens import token_create
from tests.annotations.test_api import critique, post_critique
from tests.apicalls import api
from tests.texts import SWEET_SPOT

# Transaction control is not a query (bench/writes.py counts the same way): the test's own
# transaction turns each atomic block into a savepoint.
CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.I)
MAX_QUERIES = 6

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)


@contextmanager
def at_most(limit=MAX_QUERIES):
    """Like django_assert_max_num_queries, counting queries only (not savepoints)."""
    with CaptureQueriesContext(connection) as captured:
        data = []
        yield data
    data += [q["sql"] for q in captured.captured_queries if not CONTROL.match(q["sql"])]
    assert len(data) <= limit, "\n".join([f"{len(data)} queries:", *data])


@pytest.fixture
def as_student(client, student):
    client.force_login(student)
    return client


def post_of(client, reading, **changes):
    return post_critique(client, reading, **changes)


def their_post(reading, author):
    return annotation_create(
        reading=reading, author=author, kind="critique", text="Early.", quote={"exact": SWEET_SPOT}
    )[0]


def their_comment(reading, author):
    return annotation_create(reading=reading, author=author, kind="comment", text="Early.")[0]


# What a write costs.


def test_a_critique_costs_six_queries_at_most(as_student, blog_reading):
    with at_most() as queries:
        assert post_of(as_student, blog_reading).status_code == 201
    assert queries[-1].startswith('INSERT INTO "annotations_annotation"')


def test_a_critique_with_a_token_costs_six_queries_at_most(student, blog_reading):
    _token, key = token_create(user=student, name="script")
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    # The first use in a minute also marks the token used (seminar.tokens): one more.
    assert post_of(bearer, blog_reading, client_id="first").status_code == 201
    with at_most():
        assert post_of(bearer, blog_reading, client_id="second").status_code == 201


def test_a_token_is_marked_used_at_most_once_a_minute_and_only_while_active(student, blog_reading):
    token, key = token_create(user=student, name="script")
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api(bearer, "get", "/seminars").status_code == 200
    token.refresh_from_db()
    first = token.last_used
    assert first is not None
    assert api(bearer, "get", "/seminars").status_code == 200
    token.refresh_from_db()
    assert token.last_used == first  # not written again within the minute
    ApiToken.objects.filter(pk=token.pk).update(last_used=first - timedelta(minutes=2))
    assert api(bearer, "get", "/seminars").status_code == 200
    token.refresh_from_db()
    assert token.last_used > first
    User.objects.filter(pk=student.pk).update(is_active=False)
    assert api(bearer, "get", "/seminars").status_code == 401


def test_a_page_comment_costs_six_queries_at_most(as_student, blog_reading):
    body = {"kind": "comment", "text": "A page comment."}
    with at_most():
        assert (
            api(as_student, "post", f"/readings/{blog_reading.pk}/annotations", body).status_code
            == 201
        )


def test_a_reply_costs_six_queries_at_most(as_student, student, blog_reading):
    mine = their_post(blog_reading, student)  # a reply in one's own thread tells nobody
    with at_most():
        response = api(as_student, "post", f"/annotations/{mine.pk}/replies", {"text": "And."})
    assert response.status_code == 201


def test_a_reply_that_tells_the_author_adds_only_the_notification(
    as_student, student2, blog_reading
):
    theirs = their_post(blog_reading, student2)
    # The in-app notification, its email's preference and the email's delivery row.
    with at_most(MAX_QUERIES + 3):
        response = api(as_student, "post", f"/annotations/{theirs.pk}/replies", {"text": "No."})
    assert response.status_code == 201
    assert Notification.objects.filter(user=student2, kind="reply").count() == 1


def test_a_helpful_mark_costs_six_queries_at_most(as_student, student2, blog_reading):
    theirs = their_post(blog_reading, student2)
    with at_most():
        response = api(as_student, "post", f"/annotations/{theirs.pk}/vote")
    assert response.json() == {"votes": 1, "voted": True}
    with at_most():  # again: still one mark, no error
        response = api(as_student, "post", f"/annotations/{theirs.pk}/vote")
    assert response.json() == {"votes": 1, "voted": True}


# The response is built from what the write has: the same as reading the post back.


def read_back(client, created):
    return api(client, "get", f"/annotations/{created['id']}").json()


@pytest.mark.parametrize("anonymous", [False, True])
@pytest.mark.parametrize("premoderated", [False, True])
def test_what_a_post_answers_is_what_reading_it_back_shows(
    as_student, student2, blog_reading, anonymous, premoderated
):
    seminar = blog_reading.seminar
    seminar.anonymous_peers, seminar.premoderation = anonymous, premoderated
    seminar.save(update_fields=["anonymous_peers", "premoderation"])
    mention = Membership.objects.get(seminar=seminar, user=student2).pk
    posts = [
        post_of(as_student, blog_reading, client_id="a"),
        post_of(as_student, blog_reading, client_id="b", text=f"Ask @[member:{mention}]"),
        api(as_student, "post", f"/readings/{blog_reading.pk}/annotations", {"text": "Page."}),
    ]
    theirs = their_post(blog_reading, student2)
    if premoderated:
        Annotation.objects.filter(pk=theirs.pk).update(status="published")
    posts.append(api(as_student, "post", f"/annotations/{theirs.pk}/replies", {"text": "Hm."}))
    for response in posts:
        assert response.status_code == 201, response.json()
        created = response.json()
        assert created == read_back(as_student, created)
        assert created["status"] == ("pending" if premoderated else "published")


def test_a_repeated_client_id_returns_the_first_even_when_the_repeat_is_refused_now(
    as_student, instructor, student2, blog_reading
):
    body, path = (
        critique(blog_reading, client_id="again"),
        f"/readings/{blog_reading.pk}/annotations",
    )
    first = api(as_student, "post", path, body)
    assert first.status_code == 201
    # The reading's text changed, so the retried quote is no longer in it: still the first.
    reading_revise_and_reanchor(
        reading=blog_reading, editor=instructor, source="Other words entirely.", format="text"
    )
    repeat = api(as_student, "post", path, body)
    assert repeat.status_code == 200 and repeat.json()["id"] == first.json()["id"]
    theirs = their_comment(blog_reading, student2)
    path = f"/annotations/{theirs.pk}/replies"
    reply = api(as_student, "post", path, {"text": "One.", "client_id": "r"})
    Annotation.objects.filter(pk=theirs.pk).update(locked=True)
    again = api(as_student, "post", path, {"text": "One.", "client_id": "r"})
    assert again.status_code == 200 and again.json()["id"] == reply.json()["id"]
    refused = api(as_student, "post", path, {"text": "Two.", "client_id": "s"})
    assert refused.status_code == 400


def test_a_post_on_a_reading_loaded_before_an_edit_lands_on_the_new_text(
    blog_reading, instructor, student
):
    stale = fresh(blog_reading)
    source = "A new first paragraph, before everything else.\n\n" + stale.current_revision.text
    revision, _ = reading_revise_and_reanchor(
        reading=fresh(blog_reading), editor=instructor, source=source, format="text"
    )
    post, created = annotation_create(
        reading=stale, author=student, kind="critique", text="Late.", quote={"exact": SWEET_SPOT}
    )
    assert created and post.revision_id == post.anchored_revision_id == revision.pk
    assert revision.text[post.start : post.end] == SWEET_SPOT


# Locks (PostgreSQL).


def in_thread(target):
    """Run `target` in a thread with its own connection; returns (thread, outcome)."""
    outcome = {}

    def run():
        try:
            outcome["value"] = target()
        except Exception as exc:  # the test reads it
            outcome["error"] = exc
        finally:
            outcome["done"] = time.monotonic()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def fresh(reading):
    return Reading.objects.select_related("seminar", "current_revision").get(pk=reading.pk)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_writers_of_one_reading_do_not_wait_for_each_other(blog_reading, student, student2):
    held, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            services._lock_current_text(fresh(blog_reading))  # what a writer holds to commit
            held.set()
            release.wait(10)

    holder, _ = in_thread(hold)
    try:
        assert held.wait(10)
        writer, outcome = in_thread(lambda: their_post(fresh(blog_reading), student2))
        writer.join(5)
        assert not writer.is_alive(), "a writer waited for another writer of the reading"
        assert "error" not in outcome, outcome
    finally:
        release.set()
        holder.join(10)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_writer_does_not_wait_for_another_that_has_written_and_not_yet_committed(
    blog_reading, student, student2
):
    """The list's change rows (annotations/listing) are only added: the trigger of one
    writer's post locks nothing the next writer of the reading needs."""
    held, release = threading.Event(), threading.Event()

    def write_and_hold():
        with transaction.atomic():
            their_post(fresh(blog_reading), student)
            held.set()
            release.wait(10)

    holder, _ = in_thread(write_and_hold)
    try:
        assert held.wait(10)
        writer, outcome = in_thread(lambda: their_post(fresh(blog_reading), student2))
        writer.join(5)
        assert not writer.is_alive(), "a writer waited for another writer's uncommitted post"
        assert "error" not in outcome, outcome
    finally:
        release.set()
        holder.join(10)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_edit_waits_for_writers_and_a_post_made_meanwhile_lands_on_the_new_text(
    blog_reading, instructor, student
):
    current = blog_reading.current_revision
    source = "A new first paragraph, before everything else.\n\n" + current.text
    held, release = threading.Event(), threading.Event()
    stale = fresh(blog_reading)  # loaded before the edit, as a request loads it

    def hold():  # a writer, between taking its lock and committing
        with transaction.atomic():
            services._lock_current_text(fresh(blog_reading))
            held.set()
            release.wait(10)

    holder, _ = in_thread(hold)
    assert held.wait(10)
    edited = threading.Event()

    def edit():
        with transaction.atomic():
            result = reading_revise_and_reanchor(
                reading=fresh(blog_reading), editor=instructor, source=source, format="text"
            )
            edited.set()
            time.sleep(0.5)  # a writer arriving now must wait for this edit to commit
        return result

    editor, edit_outcome = in_thread(edit)
    try:
        assert not edited.wait(0.5), "an edit did not wait for a writer of the reading"
    finally:
        release.set()
        holder.join(10)
    assert edited.wait(10)
    text = current.text
    start = text.index(SWEET_SPOT)
    quote = {"exact": SWEET_SPOT, "start": start, "end": start + len(SWEET_SPOT)}
    writer, outcome = in_thread(
        lambda: annotation_create(
            reading=stale, author=student, kind="critique", text="Late.", quote=quote
        )[0]
    )
    editor.join(10)
    writer.join(10)
    assert "error" not in edit_outcome and "error" not in outcome, (edit_outcome, outcome)
    revision, _summary = edit_outcome["value"]
    post = Annotation.objects.get(pk=outcome["value"].pk)
    assert post.revision_id == post.anchored_revision_id == revision.pk
    assert revision.text[post.start : post.end] == SWEET_SPOT
    assert post.start != start  # placed on the new text, not the old offsets


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_reply_waits_for_a_moderator_locking_the_thread_and_is_refused(
    blog_reading, student, student2
):
    theirs = their_post(blog_reading, student2)
    loaded = Annotation.objects.select_related("reading__seminar").get(pk=theirs.pk)
    locking = threading.Event()

    def lock_thread():
        with transaction.atomic():
            root = Annotation.objects.select_for_update(of=("self",)).get(pk=theirs.pk)
            locking.set()
            time.sleep(0.5)
            root.locked = True
            root.save(update_fields=["locked"])

    moderator, _ = in_thread(lock_thread)
    assert locking.wait(10)
    replier, outcome = in_thread(
        lambda: reply_create(parent=loaded, author=student, text="Just in time?")
    )
    moderator.join(10)
    replier.join(10)
    assert str(outcome.get("error")) == "This thread is locked: it takes no new replies.", outcome
    assert not Annotation.objects.filter(parent=theirs).exists()
