"""GET /api/readings/{id}/annotations as a class loads it (annotations/listing): the shared
document and the viewer's overlay give what the presenter gives each person, and the strong
ETag answers a repeat load with 304 until anything the list shows has changed."""

import gzip
import json

import pytest
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.grading.gradebook import score_set
from annotations.listing.models import ListChange
from annotations.listing.versions import install_after_migrate, uninstall, version
from annotations.models import Annotation
from annotations.moderation.services import annotation_moderate, flag_create
from annotations.presenting import Presenter, visible_rows
from annotations.questions.services import question_resolve, reply_endorse
from annotations.services import (
    annotation_create,
    annotation_delete,
    annotation_update,
    reply_create,
    vote_add,
    vote_remove,
)
from seminar import nearcache
from seminar.models import Membership, Role, User
from seminar.tokens import token_create
from tests.apicalls import api
from tests.conftest import member
from tests.texts import SWEET_SPOT


def url(reading):
    return f"/readings/{reading.pk}/annotations"


def passage(reading, author, text, **changes):
    return annotation_create(
        reading=reading,
        author=author,
        kind=changes.pop("kind", "critique"),
        text=text,
        quote={"exact": SWEET_SPOT},
        **changes,
    )[0]


@pytest.fixture
def discussion(blog_reading, instructor, ta, student, student2):
    """Every kind of post a list can hold, by everyone, in every state."""
    reading = blog_reading
    lena = Membership.objects.get(user=student)
    first = passage(reading, student, "Is the sweet spot claim premature?", tags=["timing"])
    reply_create(parent=first, author=student2, text="I think it holds.")
    reply_create(parent=first, author=ta, text="Look at the second source.")
    asked = passage(reading, student2, "For the instructors only.", visibility="instructors")
    reply_create(parent=asked, author=ta, text="A good question for the seminar.")
    note = passage(reading, student, "My own note.", kind="note", visibility="private")
    reply_create(parent=note, author=student, text="And a second thought.")
    hidden = passage(reading, student2, "Off topic, loudly.")
    vote_add(annotation=hidden, user=student)  # a mark on a post she will not see again
    under = reply_create(parent=hidden, author=student, text="I disagree with this.")[0]
    reply_create(parent=under, author=student2, text="Deep in a hidden thread.")
    annotation_moderate(annotation=hidden, moderator=instructor, action="hide", reason="Rude")
    gone = passage(reading, student2, "I take this back.")
    reply_create(parent=gone, author=student, text="Too late, I read it.")
    annotation_delete(annotation=gone, actor=student2)
    annotation_delete(annotation=passage(reading, student, "A slip."), actor=student)
    waiting = passage(reading, student2, "Waiting for approval.")
    Annotation.objects.filter(pk=waiting.pk).update(status="pending")
    named = passage(reading, student2, f"@[member:{lena.pk}] what do you make of this?")
    staff_named = passage(reading, ta, f"@[member:{lena.pk}] and @[member:{lena.pk}] again")
    vote_add(annotation=named, user=student)
    vote_add(annotation=first, user=student2)
    vote_add(annotation=first, user=instructor)
    flag_create(annotation=named, user=student, reason="off_topic")
    flag_create(annotation=staff_named, user=student2, reason="spam")
    annotation_moderate(annotation=first, moderator=instructor, action="lock")
    annotation_moderate(annotation=named, moderator=ta, action="pin")
    flag_create(annotation=first, user=ta, reason="spam")
    annotation_moderate(annotation=first, moderator=instructor, action="dismiss")
    passage(reading, instructor, "The instructor's own note.", kind="note", visibility="private")
    orphan = passage(reading, student2, "About words that are gone.")
    Annotation.objects.filter(pk=orphan.pk).update(anchor_status="orphaned")
    annotation_create(reading=reading, author=student, kind="comment", text="A page comment.")
    annotation_create(
        reading=reading, author=None, author_name="Reader 9", kind="comment", text="Imported."
    )
    # Questions: one its asker closed, one with an answer a TA endorsed, one still open.
    mine = passage(reading, student, "What is a sweet spot?", kind="question")
    question_resolve(question=mine, user=student, state="answered", note="Found it")
    asked = passage(reading, student2, "Who decides it is ripe?", kind="question")
    reply_endorse(reply=reply_create(parent=asked, author=student, text="Both.")[0], user=ta)
    passage(reading, student2, "Still wondering.", kind="question")
    return reading


def expected(user, reading):
    """What the presenter gives this person, the long way, as JSON."""
    user = User.objects.get(pk=user.pk)  # no role remembered from before a change
    items = Presenter(user, reading).present_all(visible_rows(user, reading))
    return json.loads(json.dumps(items, cls=DjangoJSONEncoder))


def listed(client, user, reading):
    client.force_login(user)
    response = api(client, "get", url(reading))
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("anonymous", [False, True])
@pytest.mark.parametrize("tas_moderate", [True, False])
def test_everyone_gets_what_the_presenter_gives_them(
    client, discussion, seminar, instructor, ta, student, student2, anonymous, tas_moderate
):
    seminar.anonymous_peers, seminar.tas_moderate = anonymous, tas_moderate
    seminar.save()
    quiet = member(seminar, "noor", "Noor Haddad", Role.STUDENT)  # has written nothing
    # Twice round: the first of each audience builds its document, the rest read it, staff
    # first so that a student reads a cache that staff documents are in.
    for viewer in [instructor, ta, student, student2, quiet, quiet, student2, student, ta]:
        body = listed(client, viewer, discussion)
        assert body["items"] == expected(viewer, discussion), viewer.username
        assert body["count"] == len(body["items"])
        assert body["reading"] == discussion.pk
        assert body["revision"] == discussion.current_revision_id


def test_the_overlay_holds_what_is_the_viewers_own(client, discussion, seminar, student, student2):
    seminar.anonymous_peers = True
    seminar.save()
    listed(client, student2, discussion)  # student2 builds the students' document
    items = {item["id"]: item for item in listed(client, student, discussion)["items"]}
    mine = [item for item in items.values() if item["author"]["is_me"]]
    assert {item["text"] for item in mine} >= {"My own note.", "I disagree with this."}
    assert all(item["author"]["name"] == "Lena Ortiz" for item in mine)
    assert any(item["placeholder"] for item in items.values())  # the hidden post above hers
    named = next(i for i in items.values() if i["text"].endswith("what do you make of this?"))
    assert named["voted"] and named["flagged"] and not named["can_flag"]
    assert "@Lena Ortiz" in named["html"]  # her own name, where peers see a pseudonym
    peer = {item["id"]: item for item in listed(client, student2, discussion)["items"]}
    assert "@Lena Ortiz" not in peer[named["id"]]["html"]
    assert not peer[named["id"]]["voted"]
    assert "My own note." not in {item["text"] for item in peer.values()}


def test_a_student_never_reads_the_staff_document(client, discussion, instructor, student):
    staff = listed(client, instructor, discussion)
    assert any(item["status"] == "hidden" for item in staff["items"])
    assert any(item["flags"] for item in staff["items"])
    items = listed(client, student, discussion)["items"]
    assert not any(item["flags"] or item["can_moderate"] for item in items)
    assert "For the instructors only." not in {item["text"] for item in items}
    reasons = {item["moderation_reason"] for item in items if not item["author"]["is_me"]}
    assert "Rude" not in reasons


# The ETag and the 304


def get(client, reading, etag=None, **extra):
    if etag:
        extra["HTTP_IF_NONE_MATCH"] = etag
    return api(client, "get", url(reading), **extra)


def test_a_repeat_load_that_changed_nothing_is_a_304(client, discussion, student):
    client.force_login(student)
    first = get(client, discussion)
    etag = first["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first["Cache-Control"] == "private, no-cache"
    again = get(client, discussion, etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "private, no-cache"
    assert get(client, discussion, f"W/{etag}").status_code == 304  # If-None-Match is weak
    assert get(client, discussion, '"something-else"').status_code == 200
    assert get(client, discussion).status_code == 200


def test_gzip_is_a_variant_with_a_strong_etag_of_its_own(client, discussion, student):
    client.force_login(student)
    plain = get(client, discussion)
    packed = get(client, discussion, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert packed["ETag"] != plain["ETag"] and not packed["ETag"].startswith("W/")
    again = get(client, discussion, HTTP_ACCEPT_ENCODING="gzip")
    assert again.content == packed.content  # the same bytes: the tag is a strong one
    for held in (packed["ETag"], plain["ETag"]):
        repeat = get(client, discussion, held, HTTP_ACCEPT_ENCODING="gzip")
        assert repeat.status_code == 304
        assert repeat["ETag"] == held


def changes(reading, instructor, ta, student, student2):
    """(what, a change by someone) for each kind of change the list shows."""
    post = Annotation.objects.get(reading=reading, text="Is the sweet spot claim premature?")
    other = Annotation.objects.filter(reading=reading, author=student2, parent=None).first()
    waiting = Annotation.objects.get(reading=reading, text="Waiting for approval.")
    hidden = Annotation.objects.get(reading=reading, text="Off topic, loudly.")
    lena = Membership.objects.get(user=student).pk

    def moderate(post, action, moderator=instructor):
        return lambda: annotation_moderate(annotation=post, moderator=moderator, action=action)

    return [
        ("a new post", lambda: passage(reading, student2, "A new critique.")),
        ("a reply", lambda: reply_create(parent=other, author=ta, text="Another reply.")),
        ("a vote", lambda: vote_add(annotation=other, user=instructor)),
        ("a vote taken back", lambda: vote_remove(annotation=other, user=instructor)),
        (
            "a hide",
            lambda: annotation_moderate(
                annotation=other, moderator=ta, action="hide", reason="Off topic"
            ),
        ),
        ("an edit", lambda: annotation_update(annotation=post, editor=student, text="Edited.")),
        ("a flag", lambda: flag_create(annotation=post, user=student2, reason="spam")),
        ("a delete", lambda: annotation_delete(annotation=post, actor=student)),
        ("an approval", moderate(waiting, "approve")),
        ("a restore", moderate(hidden, "unhide")),
        ("a lock", moderate(waiting, "lock", ta)),
        (
            "a question addressed",
            lambda: question_resolve(
                question=Annotation.objects.get(text="Still wondering."),
                user=ta,
                state="addressed",
                note="In class",
            ),
        ),
        (
            "an endorsement",
            lambda: reply_endorse(
                reply=Annotation.objects.get(text="Both."), user=instructor, endorsed=False
            ),
        ),
        ("a private note", lambda: passage(reading, student2, "Mine.", visibility="private")),
        ("a mention", lambda: passage(reading, student2, f"@[member:{lena}], look", tags=[])),
        ("a new member", lambda: member(reading.seminar, "noor", "Noor Haddad", Role.STUDENT)),
        ("a new name", lambda: User.objects.filter(pk=student2.pk).update(display_name="S. P.")),
        ("a role", lambda: Membership.objects.filter(user=ta).update(role=Role.STUDENT)),
    ]


@pytest.mark.parametrize("anonymous", [False, True])
def test_any_change_the_list_shows_gives_a_new_etag_and_the_list_as_it_now_is(
    client, discussion, seminar, instructor, ta, student, student2, anonymous
):
    seminar.anonymous_peers = anonymous
    seminar.save()
    viewers = (student, instructor, ta, student2)
    etags = {}
    for viewer in viewers:
        client.force_login(viewer)
        etags[viewer] = get(client, discussion)["ETag"]
    seen = set(etags.values())
    for what, change in changes(discussion, instructor, ta, student, student2):
        change()
        # Each audience's document is brought up to date by its first reader after the
        # change, patched thread by thread or made again; the others read it.
        for viewer in viewers:
            client.force_login(viewer)
            response = get(client, discussion, etags[viewer])
            assert response.status_code == 200, (what, viewer.username)
            assert response["ETag"] not in seen, (what, viewer.username)
            etags[viewer] = response["ETag"]
            seen.add(response["ETag"])
            assert response.json()["items"] == expected(viewer, discussion), (what, viewer)


def test_each_viewer_has_an_etag_of_their_own(client, discussion, student, student2, instructor):
    etags = set()
    for viewer in (student, student2, instructor):
        client.force_login(viewer)
        etags.add(get(client, discussion)["ETag"])
    assert len(etags) == 3
    client.force_login(student2)
    assert get(client, discussion, get(client, discussion)["ETag"]).status_code == 304
    client.force_login(student)
    assert get(client, discussion, get(client, discussion)["ETag"]).status_code == 304


AUTHENTICATION = ('FROM "django_session"', 'FROM "seminar_user"', "seminar_apitoken", "throttle")


def own_queries(queries):
    """The queries a request made besides authenticating its caller."""
    return [q["sql"] for q in queries if not any(word in q["sql"] for word in AUTHENTICATION)]


def test_a_304_costs_one_query_besides_authentication_and_reads_no_post(
    client, discussion, student, django_assert_max_num_queries
):
    client.force_login(student)
    etag = get(client, discussion)["ETag"]
    # The session and its user, then the reading with its seminar, the caller's role and the
    # list's version, in one query.
    with django_assert_max_num_queries(3) as queries:
        assert get(client, discussion, etag).status_code == 304
    assert len(own_queries(queries)) == 1
    assert not any("annotations_annotation" in query["sql"] for query in queries)
    _, key = token_create(user=student, name="reader")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    get(client, discussion, **auth)  # marks the token used: no write for a minute
    # A token: the token guessing limit and the token with its user, then the same one.
    with django_assert_max_num_queries(3) as queries:
        assert get(client, discussion, etag, **auth).status_code == 304
    assert len(own_queries(queries)) == 1


def test_query_counts_do_not_grow_with_the_posts(client, blog_reading, student, student2):
    client.force_login(student2)

    def counts():
        cache.clear()  # made whole, both times
        nearcache.clear_all()
        with CaptureQueriesContext(connection) as miss:
            first = get(client, blog_reading)
        with CaptureQueriesContext(connection) as hit:
            get(client, blog_reading)
        with CaptureQueriesContext(connection) as repeat:
            assert get(client, blog_reading, first["ETag"]).status_code == 304
        return len(miss), len(hit), len(repeat)

    passage(blog_reading, student2, "One of mine.")
    for i in range(10):
        reply_create(parent=passage(blog_reading, student, f"Post {i}"), author=student, text="r")
    few = counts()
    root = Annotation.objects.filter(reading=blog_reading, parent=None).first()
    Annotation.objects.bulk_create(
        Annotation(reading=blog_reading, author=student, text="r", html="<p>r</p>", parent=root)
        for _ in range(500)
    )
    assert counts() == few


def test_a_load_after_a_change_reads_again_only_the_threads_that_changed(
    client, discussion, student, student2
):
    client.force_login(student)
    get(client, discussion)
    post = Annotation.objects.filter(reading=discussion, author=student2, parent=None).last()
    reply_create(parent=post, author=student2, text="One more thing.")
    with CaptureQueriesContext(connection) as queries:
        items = get(client, discussion).json()["items"]
    assert items == expected(student, discussion)
    sql = [query["sql"] for query in queries]
    assert any("annotations_listchange" in q and "thread_id" in q for q in sql)
    assert not any('"pseudonym"' in q for q in sql)  # the seminar's people: not read again
    # The reading, the cache, which threads changed, their posts for the audience and
    # beyond it, their marks; then storing the document (five for the database cache).
    assert len(own_queries(queries)) <= 6 + 5


def test_a_change_that_commits_after_a_later_one_is_not_missed(
    client, discussion, student, student2
):
    """Change ids are given when a change is made, not when it commits: a change another
    writer made first may commit after one a reader has already seen. The version counts
    the changes too, so the list neither answers 304 nor patches past it."""
    client.force_login(student)
    newest = ListChange.objects.filter(reading_id=discussion.pk).latest("id").pk
    post = Annotation.objects.filter(reading=discussion, author=student2, parent=None).last()
    # The later change, seen first (a change of a thread that shows the same as before).
    ListChange.objects.create(id=newest + 10, reading_id=discussion.pk, thread_id=post.pk)
    first = get(client, discussion)
    reply_create(parent=post, author=student2, text="Committed late.")
    # ... and the earlier one, committing now with an id below the newest a reader saw.
    late = ListChange.objects.filter(reading_id=discussion.pk, id__gt=newest)
    late = list(late.exclude(id=newest + 10).order_by("id").values_list("id", flat=True))
    assert 1 <= len(late) < 10
    for at, change in enumerate(late):  # PostgreSQL's sequence gives these ids already
        ListChange.objects.filter(id=change).update(id=newest + 1 + at)
    again = get(client, discussion, etag=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert "Committed late." in {item["text"] for item in again.json()["items"]}
    assert again.json()["items"] == expected(student, discussion)


def test_a_change_to_everyone_makes_the_document_again(client, discussion, student, student2):
    client.force_login(student)
    get(client, discussion)
    User.objects.filter(pk=student2.pk).update(display_name="Samuel Park")
    with CaptureQueriesContext(connection) as queries:
        items = get(client, discussion).json()["items"]
    assert items == expected(student, discussion)
    assert "Samuel Park" in {item["author"]["name"] for item in items}
    assert any('"pseudonym"' in query["sql"] for query in queries)


# The version


def test_the_version_moves_with_every_change_and_only_grows(
    discussion, instructor, ta, student, student2
):
    for what, change in changes(discussion, instructor, ta, student, student2):
        before = version(discussion.pk)
        change()
        assert version(discussion.pk) > before, what


def test_what_the_list_does_not_show_moves_nothing(discussion, seminar, instructor, student):
    before = version(discussion.pk)
    User.objects.filter(pk=student.pk).update(last_login="2026-01-01T00:00:00Z")
    seminar.description = "A new description."
    seminar.save()
    discussion.title = "A new title"
    discussion.save()
    post = Annotation.objects.filter(reading=discussion, author=student, parent=None).first()
    score_set(annotation=post, grader=instructor, value=2)
    assert version(discussion.pk) == before


def test_a_new_revision_and_the_seminars_settings_move_it(discussion, seminar, instructor):
    before = version(discussion.pk)
    seminar.anonymous_peers = True
    seminar.save()
    assert version(discussion.pk) > before
    before = version(discussion.pk)
    discussion.slug = "a-new-slug"
    discussion.save()
    assert version(discussion.pk) > before


def test_the_version_counts_a_statement_of_many_rows_once_per_reading(discussion):
    before = version(discussion.pk)
    Annotation.objects.filter(reading=discussion).update(pinned=False)
    after = version(discussion.pk)
    assert after > before
    threads = Annotation.objects.filter(reading=discussion, parent=None).count()
    if connection.vendor == "postgresql":  # statement triggers; SQLite's are per row
        assert after[1] - before[1] == threads  # one change per thread, not per row


def test_the_triggers_are_made_again_after_a_migrate(discussion, student):
    """SQLite drops a table's triggers when a migration rebuilds the table: post_migrate
    makes them again (versions.install_after_migrate), and making them twice is harmless."""
    uninstall(connection)
    before = version(discussion.pk)
    passage(discussion, student, "Written while the triggers were gone.")
    assert version(discussion.pk) == before
    install_after_migrate(using=connection.alias)
    install_after_migrate(using=connection.alias)
    passage(discussion, student, "Written after.")
    assert version(discussion.pk) > before


def test_a_reading_read_by_hand_is_the_reading_the_orm_reads(blog_reading, student):
    """access.made: the write's one query gives what Django's own would (aware datetimes,
    booleans, JSON) on both databases."""
    from datetime import timedelta

    from django.utils import timezone

    from annotations.listing.access import access_reading_for_write
    from seminar.models import Reading

    blog_reading.due = timezone.now() + timedelta(days=3)
    blog_reading.save()
    by_hand = access_reading_for_write(student, blog_reading.pk)
    by_orm = Reading.objects.select_related("seminar").get(pk=blog_reading.pk)
    for field in Reading._meta.concrete_fields:
        assert getattr(by_hand, field.attname) == getattr(by_orm, field.attname), field.name
    assert timezone.is_aware(by_hand.due) and timezone.is_aware(by_hand.created)
    for field in by_orm.seminar._meta.concrete_fields:
        assert getattr(by_hand.seminar, field.attname) == getattr(by_orm.seminar, field.attname)


def test_a_worker_answers_from_its_near_copy_only_at_the_same_list_version(
    client, discussion, student, student2
):
    client.force_login(student)
    first = get(client, discussion).json()
    with CaptureQueriesContext(connection) as near:
        assert get(client, discussion).json() == first
    assert not any("seminar_cache" in query["sql"] for query in near)
    # Another worker posts: this one's copy is at the old version, never served again.
    passage(discussion, student2, "Posted through another worker.")
    with CaptureQueriesContext(connection) as behind:
        after = get(client, discussion).json()
    assert any("seminar_cache" in query["sql"] for query in behind)
    assert after["count"] == first["count"] + 1
    assert "Posted through another worker." in json.dumps(after)
    assert after == json.loads(
        json.dumps(
            {
                **after,
                "items": Presenter(student, discussion).present_all(
                    visible_rows(student, discussion)
                ),
            },
            cls=DjangoJSONEncoder,
        )
    )
