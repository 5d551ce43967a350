"""Peer visibility (annotations/peers): with `after_posting`, Lena sees Sam's posts on a
reading only once she has published a passage annotation of her own there; with
`after_due`, only once the discussion is due. The staff always see everything. Held back,
she sees her own posts, the staff's and the reading's imported comments, and a number:
never one of Sam's posts, in any channel."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotations.agenda.services import new_posts_by_reading
from annotations.models import Annotation, Notification
from annotations.peers.permissions import held_back_count, sees_classmates
from annotations.peers.services import reading_set_peer_visibility
from annotations.services import annotation_create, comment_create, reply_create
from seminar.errors import ServiceError
from seminar.models import AccessChange, Membership, PeerVisibility
from tests.apicalls import api
from tests.readingforms import add_reading
from tests.texts import INNER, SWEET_SPOT

SAMS = "Sam argues the timing claim is premature"


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def passage(reading, author, text, *, visibility="seminar", kind="critique", exact=SWEET_SPOT):
    return annotation_create(
        reading=reading,
        author=author,
        kind=kind,
        text=text,
        visibility=visibility,
        quote={"exact": exact},
    )[0]


def listed(user, reading):
    response = api(as_user(user), "get", f"/readings/{reading.pk}/annotations")
    assert response.status_code == 200, response.content
    return response.json()


def texts(listing):
    return {item["text"] for item in listing["items"] if not item["placeholder"]}


@pytest.fixture
def discussion(blog_reading, instructor, ta, student, student2):
    """Sam's critique with Jonas's reply, Dr. Okafor's question, Sam's page comment; the
    reading then set to hold classmates' posts back until one posts."""
    sams = passage(blog_reading, student2, SAMS)
    reply_create(parent=sams, author=ta, text="Jonas answers Sam")
    passage(blog_reading, instructor, "Okafor asks: what is the method?", kind="question")
    comment_create(reading=blog_reading, author=student2, text="Sam's page comment")
    reading_set_peer_visibility(
        reading=blog_reading, actor=instructor, value=PeerVisibility.AFTER_POSTING
    )
    return blog_reading


def test_until_she_posts_lena_sees_no_classmate_in_the_list(discussion, student, instructor):
    listing = listed(student, discussion)
    shown = texts(listing)
    assert not any("Sam" in text for text in shown)
    assert "Jonas answers Sam" not in shown  # a staff reply, but in Sam's thread
    assert "Okafor asks: what is the method?" in shown
    assert any(item["author"]["imported"] for item in listing["items"])  # reader comments
    assert not any(item["placeholder"] for item in listing["items"])
    assert listing["held_back"] == 2  # Sam's critique and page comment: a number only
    assert not sees_classmates(student, discussion)


def test_her_own_passage_annotation_shows_her_the_class(discussion, student):
    passage(discussion, student, "Lena's own reading of it", exact=INNER)
    listing = listed(student, discussion)
    assert {SAMS, "Jonas answers Sam", "Sam's page comment"} <= texts(listing)
    assert listing["held_back"] is None


def test_a_private_note_or_a_page_comment_does_not_count_as_posting(discussion, student):
    passage(discussion, student, "Only for me", visibility="private", kind="note", exact=INNER)
    comment_create(reading=discussion, author=student, text="Lena's page comment")
    listing = listed(student, discussion)
    assert SAMS not in texts(listing)
    assert {"Only for me", "Lena's page comment"} <= texts(listing)  # her own, always


@pytest.mark.parametrize("who", ["instructor", "ta"])
def test_the_staff_always_see_everything(discussion, who, request):
    listing = listed(request.getfixturevalue(who), discussion)
    assert {SAMS, "Jonas answers Sam", "Sam's page comment"} <= texts(listing)
    assert listing["held_back"] is None


def test_after_due_holds_back_until_the_due_date(blog_reading, instructor, student, student2):
    blog_reading.due = timezone.now() + datetime.timedelta(days=1)
    blog_reading.save()
    passage(blog_reading, student2, SAMS)
    reading_set_peer_visibility(
        reading=blog_reading, actor=instructor, value=PeerVisibility.AFTER_DUE
    )
    passage(blog_reading, student, "Lena posts first", exact=INNER)
    assert SAMS not in texts(listed(student, blog_reading))  # posting does not count here
    blog_reading.due = timezone.now() - datetime.timedelta(minutes=1)
    blog_reading.save()
    assert SAMS in texts(listed(student, blog_reading))


def test_the_list_etag_changes_when_the_due_date_passes(blog_reading, instructor, student):
    blog_reading.due = timezone.now() + datetime.timedelta(days=1)
    blog_reading.save()
    reading_set_peer_visibility(
        reading=blog_reading, actor=instructor, value=PeerVisibility.AFTER_DUE
    )
    client = as_user(student)
    first = api(client, "get", f"/readings/{blog_reading.pk}/annotations")
    # The due date passes without a change to the list (no trigger, no version).
    type(blog_reading).objects.filter(pk=blog_reading.pk).update(
        due=timezone.now() - datetime.timedelta(minutes=1)
    )
    again = api(
        client,
        "get",
        f"/readings/{blog_reading.pk}/annotations",
        HTTP_IF_NONE_MATCH=first["ETag"],
    )
    assert again.status_code == 200
    assert again.json()["held_back"] is None


def test_one_post_cannot_be_read_by_its_id(discussion, student):
    sams = Annotation.objects.get(text=SAMS)
    assert api(as_user(student), "get", f"/annotations/{sams.pk}").status_code == 404


def test_search_finds_no_classmate(discussion, student, instructor):
    path = f"/seminars/{discussion.seminar_id}/search?q=premature"
    assert api(as_user(student), "get", path).json()["count"] == 0
    assert api(as_user(instructor), "get", path).json()["count"] == 1


def test_the_changes_feed_names_no_classmate(discussion, student, student2):
    client = as_user(student)
    cursor = api(client, "get", f"/readings/{discussion.pk}/changes").json()["cursor"]
    passage(discussion, student2, "Sam again", exact=INNER)
    answer = api(client, "get", f"/readings/{discussion.pk}/changes?since={cursor}").json()
    assert answer["threads"] == []


def test_no_notification_or_email_about_a_classmate(discussion, student, student2, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mine = comment_create(reading=discussion, author=student, text="Lena wonders")
    token = f"@[member:{Membership.objects.get(user=student).pk}]"
    reply_create(parent=mine, author=student2, text=f"Sam answers {token}")
    assert not Notification.objects.filter(user=student).exists()
    assert not any("Sam answers" in m.body for m in mail.outbox)


def test_counts_on_the_seminar_page_leave_classmates_out(discussion, student, instructor):
    imported = discussion.annotations.filter(author__isnull=True).count()
    # Dr. Okafor's question and the reader comments; none of Sam's two posts, nor Jonas's.
    assert new_posts_by_reading(student, [discussion.pk])[discussion.pk] == imported + 1
    assert new_posts_by_reading(instructor, [discussion.pk])[discussion.pk] == imported + 3


def test_the_reading_page_says_what_is_held_back(discussion, student, instructor):
    url = discussion.get_absolute_url()
    page = as_user(student).get(url).content.decode()
    assert "2 posts by classmates appear once you annotate a passage yourself." in page
    assert "Sam&#x27;s page comment" not in page and "Sam's page comment" not in page
    staff_page = as_user(instructor).get(url).content.decode()
    assert 'id="held-back"' not in staff_page
    passage(discussion, student, "Lena's own reading of it", exact=INNER)
    page = as_user(student).get(url).content.decode()
    assert 'id="held-back"' not in page
    assert "page comment" in page


def test_her_own_export_holds_only_her_posts(discussion, student):
    response = as_user(student).get(
        reverse("my_export_file", args=[discussion.seminar.slug, "csv"])
    )
    body = b"".join(response.streaming_content).decode()
    assert "Sam" not in body


def test_the_held_count_is_a_number_of_classmates_posts(discussion, student, student2):
    assert held_back_count(student, discussion) == 2
    passage(discussion, student2, "Sam's private thought", visibility="private", exact=INNER)
    assert held_back_count(student, discussion) == 2  # a private note is nobody's to count


# Setting it


def test_after_due_needs_a_due_date(blog_reading, instructor):
    with pytest.raises(ServiceError, match="Set the discussion's due date"):
        reading_set_peer_visibility(
            reading=blog_reading, actor=instructor, value=PeerVisibility.AFTER_DUE
        )
    blog_reading.refresh_from_db()
    assert blog_reading.peer_visibility == PeerVisibility.ALWAYS
    assert not AccessChange.objects.exists()


def test_a_change_is_on_the_record_with_what_it_did(discussion, instructor):
    change = AccessChange.objects.get()
    assert (change.actor, change.before, change.after) == (instructor, "always", "after_posting")
    # Sam has annotated a passage, Lena has not: she is the one held back.
    assert change.effect.startswith("1 student will see only their own posts")
    audit = as_user(instructor).get(reverse("moderation_audit", args=[discussion.seminar.slug]))
    assert "1 student will see only their own posts" in audit.content.decode()


def test_the_api_sets_it_for_instructors_only(blog_reading, instructor, ta, student):
    path = f"/readings/{blog_reading.pk}"
    body = {"peer_visibility": "after_posting"}
    assert api(as_user(student), "patch", path, body).status_code == 403
    assert api(as_user(ta), "patch", path, body).status_code == 403
    response = api(as_user(instructor), "patch", path, body)
    assert response.status_code == 200, response.content
    assert response.json()["peer_visibility"] == "after_posting"
    assert "student" in response.json()["effect"]
    bad = api(as_user(instructor), "patch", path, {"peer_visibility": "after_due"})
    assert bad.status_code == 400
    assert "due date" in bad.json()["detail"]
    wrong = api(as_user(instructor), "patch", path, {"peer_visibility": "sometimes"})
    assert wrong.status_code == 400
    assert api(as_user(student), "get", path).json()["peer_visibility"] == "after_posting"


def edit_form(reading, **changes):
    revision = reading.current_revision
    data = {
        "title": reading.title,
        "byline": reading.byline,
        "status": reading.status,
        "source": revision.source,
        "format": revision.format,
        "peer_visibility": reading.peer_visibility,
    }
    return {**data, **changes}


def test_the_form_confirms_holding_back_mid_discussion(blog_reading, instructor, student, student2):
    passage(blog_reading, student2, SAMS)
    client = as_user(instructor)
    url = reverse("reading_edit", args=[blog_reading.seminar.slug, blog_reading.slug])
    first = client.post(url, edit_form(blog_reading, peer_visibility="after_posting"))
    assert first.status_code == 200
    assert "Hold classmates' posts back mid-discussion?" in first.content.decode()
    # Sam has annotated a passage; Lena has not.
    assert "1 student will see only their own posts" in first.content.decode()
    blog_reading.refresh_from_db()
    assert blog_reading.peer_visibility == "always"  # nothing saved yet
    confirmed = edit_form(
        blog_reading, peer_visibility="after_posting", confirm_visibility="after_posting"
    )
    assert client.post(url, confirmed).status_code == 302
    blog_reading.refresh_from_db()
    assert blog_reading.peer_visibility == "after_posting"
    assert AccessChange.objects.count() == 1


def test_the_form_puts_the_missing_due_date_next_to_its_field(blog_reading, instructor):
    url = reverse("reading_edit", args=[blog_reading.seminar.slug, blog_reading.slug])
    response = as_user(instructor).post(url, edit_form(blog_reading, peer_visibility="after_due"))
    assert response.status_code == 400
    assert response.context["form"].errors["due"][0].startswith("Set the discussion's due date")
    blog_reading.refresh_from_db()
    assert blog_reading.peer_visibility == "always"


def test_a_new_reading_can_hold_back_from_the_start(seminar, instructor):
    response = add_reading(
        as_user(instructor),
        seminar.slug,
        {
            "title": "Think first",
            "text": "A short text to read.",
            "format": "text",
            "status": "published",
            "peer_visibility": "after_posting",
        },
    )
    assert response.status_code == 302
    assert seminar.readings.get(title="Think first").peer_visibility == "after_posting"
