"""What moderation may see: private notes are nobody's business but their author's, and a
hidden or waiting post takes everything under it out of sight of peers, at any depth."""

import json

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Annotation, ModerationEvent, Notification
from annotations.moderation.services import annotation_moderate
from annotations.permissions import posts_need_approval
from annotations.services import annotation_create, annotation_update, reply_create
from seminar.errors import NotFound
from seminar.models import Role
from tests.apicalls import api
from tests.conftest import member
from tests.texts import SWEET_SPOT


def listed(client, reading):
    return api(client, "get", f"/readings/{reading.pk}/annotations").json()


def ids(listing):
    """The posts listed, placeholders left out (see `placeholders`)."""
    return {item["id"] for item in listing["items"] if not item["placeholder"]}


def placeholders(listing):
    """{id: item} of the stand-ins for concealed posts above one of the caller's own."""
    return {item["id"]: item for item in listing["items"] if item["placeholder"]}


# Private notes and pre-moderation


@pytest.fixture
def premoderated(seminar):
    seminar.premoderation = True
    seminar.save()
    return seminar


def private_note(reading, author, text="Only for me: my essay hinges on this."):
    return annotation_create(
        reading=reading,
        author=author,
        kind="note",
        text=text,
        visibility="private",
        quote={"exact": SWEET_SPOT},
    )[0]


def held(note):
    """A private note held for approval, as the bug left them (the migration publishes them)."""
    Annotation.objects.filter(pk=note.pk).update(status="pending")
    note.refresh_from_db()
    return note


def test_private_posts_never_need_approval(premoderated, student):
    assert posts_need_approval(student, premoderated)
    assert posts_need_approval(student, premoderated, visibility="seminar")
    assert posts_need_approval(student, premoderated, visibility="instructors")
    assert not posts_need_approval(student, premoderated, visibility="private")


def test_a_private_note_is_published_directly(premoderated, student, blog_reading):
    note = private_note(blog_reading, student)
    assert note.status == "published"
    reply, _ = reply_create(parent=note, author=student, text="And a thought on it.")
    assert reply.visibility == "private" and reply.status == "published"


def test_making_a_private_note_public_sends_it_for_approval(premoderated, student, blog_reading):
    note = private_note(blog_reading, student)
    assert annotation_update(annotation=note, text="Now edited, still mine").status == "published"
    assert annotation_update(annotation=note, visibility="seminar").status == "pending"


def test_the_queue_never_shows_a_private_note(
    client, premoderated, instructor, student, blog_reading
):
    note = held(private_note(blog_reading, student))
    waiting, _ = annotation_create(
        reading=blog_reading, author=student, kind="comment", text="A post for the class"
    )
    client.force_login(instructor)
    queue = api(client, "get", f"/seminars/{premoderated.pk}/moderation").json()
    assert [a["id"] for a in queue["pending"]] == [waiting.pk]
    assert "Only for me" not in json.dumps(queue)
    page = client.get(reverse("moderation_queue", args=[premoderated.slug])).text
    assert "A post for the class" in page
    assert "Only for me" not in page and f'value="{note.pk}"' not in page


def test_the_queue_never_shows_a_hidden_private_note(client, instructor, student, blog_reading):
    note = private_note(blog_reading, student)
    Annotation.objects.filter(pk=note.pk).update(status="hidden", moderation_reason="x")
    client.force_login(instructor)
    queue = api(client, "get", f"/seminars/{blog_reading.seminar_id}/moderation").json()
    assert queue["hidden"] == []
    page = client.get(reverse("moderation_queue", args=[blog_reading.seminar.slug])).text
    assert "Only for me" not in page


@pytest.mark.parametrize("action", ["approve", "hide", "delete", "lock", "pin"])
def test_bulk_actions_skip_posts_the_moderator_cannot_see(
    client, premoderated, instructor, student, blog_reading, action
):
    note = held(private_note(blog_reading, student))
    if action in ("lock", "pin"):
        Annotation.objects.filter(pk=note.pk).update(status="published")
    before = Annotation.objects.values().get(pk=note.pk)
    client.force_login(instructor)
    response = client.post(
        reverse("moderation_bulk", args=[premoderated.slug]),
        {"action": action, "reason": "Not for the class", "ids": [note.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "not found" in response.text
    assert Annotation.objects.values().get(pk=note.pk) == before
    assert not ModerationEvent.objects.exists()
    assert not Notification.objects.exists()


def test_moderating_a_private_note_is_a_404(
    client, premoderated, instructor, student, blog_reading
):
    note = held(private_note(blog_reading, student))
    client.force_login(instructor)
    response = api(client, "post", f"/annotations/{note.pk}/moderation", {"action": "approve"})
    assert response.status_code == 404
    with pytest.raises(NotFound):
        annotation_moderate(annotation=note, moderator=instructor, action="approve")
    assert Annotation.objects.get(pk=note.pk).status == "pending"
    assert not ModerationEvent.objects.exists()


# Hidden and waiting posts conceal what hangs under them, at any depth


@pytest.fixture
def student3(seminar):
    return member(seminar, "ana", "Ana Silva", Role.STUDENT)


@pytest.fixture
def thread(blog_reading, student, student2):
    """A critique by Lena with a chain of four replies, Sam and Lena taking turns."""
    top = annotation_create(
        reading=blog_reading,
        author=student,
        kind="critique",
        text="Premature.",
        quote={"exact": SWEET_SPOT},
    )[0]
    posts, parent = [top], top
    for depth, author in enumerate([student2, student, student2, student], start=1):
        parent, _ = reply_create(parent=parent, author=author, text=f"Reply at depth {depth}")
        posts.append(parent)
    return posts


def conceal(how, post, instructor):
    if how == "hidden":
        annotation_moderate(annotation=post, moderator=instructor, action="hide", reason="Rude")
    else:
        # An approved post edited in a pre-moderated seminar goes back to waiting.
        post.reading.seminar.premoderation = True
        post.reading.seminar.save()
        assert annotation_update(annotation=post, text="Edited again").status == "pending"


@pytest.mark.parametrize("how", ["hidden", "pending"])
def test_everything_under_a_concealed_reply_is_gone_for_peers(
    client, thread, instructor, student3, blog_reading, how
):
    top, r1, r2, r3, r4 = thread
    conceal(how, r1, instructor)
    client.force_login(student3)
    listing = listed(client, blog_reading)
    assert ids(listing) & {p.pk for p in thread} == {top.pk}
    assert placeholders(listing) == {}
    assert listing["count"] == len(listing["items"])
    for post in (r1, r2, r3, r4):
        assert api(client, "get", f"/annotations/{post.pk}").status_code == 404
        reply = api(client, "post", f"/annotations/{post.pk}/replies", {"text": "Me too"})
        assert reply.status_code == 404
        assert api(client, "post", f"/annotations/{post.pk}/vote").status_code == 404
        flag = api(client, "post", f"/annotations/{post.pk}/flags", {"reason": "spam"})
        assert flag.status_code == 404
    assert Annotation.objects.count() == 5 + 3  # nothing was added (3: imported comments)
    assert not r3.votes.exists() and not r4.flags.exists()


def test_staff_and_authors_still_see_what_they_did(
    client, thread, instructor, student, student2, blog_reading
):
    top, r1, r2, r3, r4 = thread
    conceal("hidden", r1, instructor)
    client.force_login(instructor)
    assert ids(listed(client, blog_reading)) >= {p.pk for p in thread}
    # Sam wrote the hidden reply and the one at depth 3: he sees his own, reason included.
    client.force_login(student2)
    listing = listed(client, blog_reading)
    assert ids(listing) & {p.pk for p in thread} == {top.pk, r1.pk, r3.pk}
    assert set(placeholders(listing)) == {r2.pk}  # Lena's, between his hidden reply and his
    assert api(client, "get", f"/annotations/{r1.pk}").json()["moderation_reason"] == "Rude"
    # Lena sees her own posts under it, not Sam's: his stand in their places, without a word.
    client.force_login(student)
    listing = listed(client, blog_reading)
    assert ids(listing) & {p.pk for p in thread} == {top.pk, r2.pk, r4.pk}
    assert set(placeholders(listing)) == {r1.pk, r3.pk}
    assert "Rude" not in json.dumps(placeholders(listing))
    assert api(client, "get", f"/annotations/{r3.pk}").status_code == 404


def test_unhiding_brings_the_whole_branch_back(client, thread, instructor, student3, blog_reading):
    r1 = thread[1]
    annotation_moderate(annotation=r1, moderator=instructor, action="hide", reason="Rude")
    annotation_moderate(annotation=r1, moderator=instructor, action="unhide")
    client.force_login(student3)
    assert ids(listed(client, blog_reading)) >= {p.pk for p in thread}


def test_a_deleted_reply_keeps_its_branch_as_a_tombstone(
    client, thread, instructor, student3, blog_reading
):
    r1 = thread[1]
    annotation_moderate(annotation=r1, moderator=instructor, action="delete")
    client.force_login(student3)
    listing = listed(client, blog_reading)
    assert ids(listing) >= {p.pk for p in thread}
    assert next(a for a in listing["items"] if a["id"] == r1.pk)["text"] == ""


def test_a_tombstone_under_a_hidden_reply_stays_hidden(
    client, thread, instructor, student, student3, blog_reading
):
    top, r1, r2, r3, r4 = thread
    annotation_moderate(annotation=r2, moderator=instructor, action="delete")
    annotation_moderate(annotation=r1, moderator=instructor, action="hide", reason="Rude")
    client.force_login(student3)
    assert ids(listed(client, blog_reading)) & {p.pk for p in thread} == {top.pk}
    assert api(client, "get", f"/annotations/{r2.pk}").status_code == 404


def test_notifications_under_a_hidden_reply_stay_without_what_is_hidden(
    client, thread, instructor, student, student2
):
    top, r1, r2, r3, r4 = thread
    # Lena heard of Sam's reply at depth 3, Sam of Lena's at depth 4.
    about_r3 = Notification.objects.get(user=student, annotation=r3)
    about_r4 = Notification.objects.get(user=student2, annotation=r4)
    annotation_moderate(annotation=r1, moderator=instructor, action="hide", reason="Rude")
    client.force_login(student)
    page = client.get(reverse("notifications"))
    # Still listed (what she was told is not taken back), but nothing of the hidden reply.
    assert reverse("notification_open", args=[about_r3.pk]) in page.text
    assert "Hidden by a moderator." in page.text
    assert "Reply at depth 3" not in page.text and "Rude" not in page.text
    # Opening it goes to her own post, which the hidden reply answered; not to the reply.
    opened = client.get(reverse("notification_open", args=[about_r3.pk]))
    assert opened.status_code == 302 and opened.url.endswith(f"#annotation-{r2.pk}")
    client.force_login(student2)
    page = client.get(reverse("notifications"))
    assert reverse("notification_open", args=[about_r4.pk]) in page.text
    assert "Reply at depth 4" not in page.text
    # Sam also hears that his post was hidden, with the reason he is owed.
    assert "hid your post" in page.text and "Rude" in page.text
    # Someone who was never told anything still cannot open it.
    client.force_login(instructor)
    assert client.get(reverse("notification_open", args=[about_r4.pk])).status_code == 404


def test_a_notification_shows_the_reply_while_it_may_be_seen(
    client, thread, instructor, student, student2
):
    top, r1 = thread[:2]
    about_r1 = Notification.objects.get(user=student, annotation=r1)
    client.force_login(student)
    page = client.get(reverse("notifications")).text
    assert "Reply at depth 1" in page
    annotation_moderate(annotation=r1, moderator=instructor, action="hide", reason="Rude")
    assert "Reply at depth 1" not in client.get(reverse("notifications")).text
    annotation_moderate(annotation=r1, moderator=instructor, action="unhide")
    assert "Reply at depth 1" in client.get(reverse("notifications")).text
    opened = client.get(reverse("notification_open", args=[about_r1.pk]))
    assert opened.url.endswith(f"#annotation-{r1.pk}")


# A reply's author keeps their reply under a concealed parent, with a placeholder for it


@pytest.mark.parametrize("how", ["hidden", "pending"])
def test_a_reply_author_keeps_their_reply_under_a_concealed_top_post(
    client, thread, instructor, student2, student3, blog_reading, how
):
    top, r1 = thread[:2]
    conceal(how, top, instructor)
    client.force_login(student2)
    listing = listed(client, blog_reading)
    mine = next(item for item in listing["items"] if item["id"] == r1.pk)
    assert mine["parent"] == top.pk and mine["text"] == "Reply at depth 1"
    holder = placeholders(listing)[top.pk]
    assert holder["status"] == how
    assert (holder["text"], holder["html"], holder["tags"]) == ("", "", [])
    assert holder["author"]["name"] == "" and holder["moderation_reason"] == ""
    assert not any(holder[k] for k in ("can_edit", "can_delete", "can_reply", "can_flag"))
    # Its thread stays at its passage (the reading's words), above the reply.
    assert holder["target"]["selector"][0]["exact"] == SWEET_SPOT
    order = [item["id"] for item in listing["items"]]
    assert order.index(top.pk) < order.index(r1.pk)
    assert "Premature." not in json.dumps(listing) and "Edited again" not in json.dumps(listing)
    # The placeholder is a place in the list, not a post to fetch or answer.
    assert api(client, "get", f"/annotations/{top.pk}").status_code == 404
    reply = api(client, "post", f"/annotations/{top.pk}/replies", {"text": "Still here"})
    assert reply.status_code == 404
    # Peers see neither the post nor a placeholder.
    client.force_login(student3)
    listing = listed(client, blog_reading)
    assert placeholders(listing) == {} and not ids(listing) & {p.pk for p in thread}


def test_placeholders_cost_the_same_queries_however_deep(
    client, thread, instructor, student2, blog_reading
):
    annotation_moderate(annotation=thread[0], moderator=instructor, action="hide", reason="Rude")
    client.force_login(student2)
    with CaptureQueriesContext(connection) as shallow:
        listed(client, blog_reading)
    parent = thread[-1]
    for depth in range(5, 15):
        parent, _ = reply_create(parent=parent, author=thread[0].author, text=f"Depth {depth}")
    reply_create(parent=parent, author=student2, text="Deep down, mine")
    with CaptureQueriesContext(connection) as deep:
        listing = listed(client, blog_reading)
    assert len(deep) == len(shallow)
    assert len(placeholders(listing)) == 1 + 2 + 10  # the top, Lena's two, the ten deeper


def test_the_list_costs_the_same_queries_however_deep(
    client, thread, instructor, student, student2, student3, blog_reading
):
    annotation_moderate(annotation=thread[1], moderator=instructor, action="hide", reason="Rude")
    client.force_login(student3)
    with CaptureQueriesContext(connection) as shallow:
        listed(client, blog_reading)
    parent = thread[-1]
    for depth in range(5, 15):
        parent, _ = reply_create(parent=parent, author=student2, text=f"Depth {depth}")
    with CaptureQueriesContext(connection) as deep:
        listing = listed(client, blog_reading)
    assert len(deep) == len(shallow)
    assert parent.pk not in ids(listing)


def test_no_email_about_a_reply_under_a_hidden_post(
    thread, instructor, student, django_capture_on_commit_callbacks
):
    top, r1, r2, r3, r4 = thread
    annotation_moderate(annotation=r1, moderator=instructor, action="hide", reason="Rude")
    with django_capture_on_commit_callbacks(execute=True):
        reply_create(parent=r2, author=instructor, text="Lena, a word on this.")
    assert Notification.objects.filter(user=student, annotation__parent=r2).exists()
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        reply_create(parent=top, author=instructor, text="A word on the critique.")
    assert [m.to for m in mail.outbox] == [[student.email]]
