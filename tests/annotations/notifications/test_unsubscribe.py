"""The unsubscribe link of every email: signed, one click (RFC 8058), logged out; a broken
or tampered link is a clear 400 that changes nothing."""

from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from annotations.notifications.models import Cadence
from annotations.notifications.preferences import DIGEST, cadences, preferences_set
from annotations.notifications.unsubscribe import (
    SALT,
    read_unsubscribe_token,
    unsubscribe_token,
)
from annotations.services import reply_create
from tests.annotations.notifications.mailbox import mail_to


def url(user, topic):
    return reverse("email_unsubscribe", args=[unsubscribe_token(user_id=user.pk, topic=topic)])


def one_click(link):
    """What a mail provider sends for List-Unsubscribe-Post: no cookie, no CSRF token."""
    return Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})


def test_a_token_names_a_person_and_a_topic_and_nothing_else_passes(student):
    token = unsubscribe_token(user_id=student.pk, topic="reply")
    assert read_unsubscribe_token(token) == (student.pk, "reply")
    with pytest.raises(signing.BadSignature):
        read_unsubscribe_token(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    with pytest.raises(signing.BadSignature):
        read_unsubscribe_token(signing.dumps([student.pk, "reply"], salt="another purpose"))
    with pytest.raises(signing.BadSignature):
        read_unsubscribe_token(signing.dumps({"user": student.pk}, salt=SALT))


def test_opening_the_link_logged_out_asks_first_and_changes_nothing(student):
    page = Client().get(url(student, "reply"))
    assert page.status_code == 200
    assert "Stop emails about <strong>replies to your posts</strong>?" in page.text
    assert '<button class="btn btn-primary" type="submit">Unsubscribe</button>' in page.text
    assert cadences([student.pk])[student.pk]["reply"] == Cadence.IMMEDIATELY


def test_the_one_click_post_turns_that_topic_off_and_only_that(student):
    done = one_click(url(student, "reply"))
    assert done.status_code == 200
    assert "will no longer email you about: replies to your posts" in done.text
    mine = cadences([student.pk])[student.pk]
    assert mine["reply"] == Cadence.NEVER and mine["grades"] == Cadence.IMMEDIATELY


def test_the_link_in_an_email_unsubscribes_from_its_kind(
    outbox, django_capture_on_commit_callbacks, student, student2, comment
):
    with django_capture_on_commit_callbacks(execute=True):
        reply_create(parent=comment, author=student2, text="Not quite.")
    (email,) = mail_to(outbox, student)
    link = urlsplit(email.extra_headers["List-Unsubscribe"].strip("<>")).path
    assert one_click(link).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        reply_create(parent=comment, author=student2, text="Still not quite.")
    assert len(outbox) == 1  # the second reply is in the site only


def test_the_digest_link_stops_every_topic_sent_as_a_digest(student):
    preferences_set(user=student, chosen={"reply": Cadence.DIGEST, "grades": Cadence.DIGEST})
    assert "Stop the <strong>daily digest</strong>?" in Client().get(url(student, DIGEST)).text
    one_click(url(student, DIGEST))
    mine = cadences([student.pk])[student.pk]
    assert (mine["reply"], mine["grades"], mine["moderation"]) == ("never", "never", "immediately")


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        signing.dumps([1, "reply"], salt="another purpose"),
        signing.dumps([1, "reply"], salt=SALT)[:-3] + "abc",
    ],
    ids=["garbage", "another salt", "tampered"],
)
def test_a_broken_link_is_a_clear_400_in_the_sites_layout(db, student, token):
    link = reverse("email_unsubscribe", args=[token])
    for response in (Client().get(link), one_click(link)):
        assert response.status_code == 400
        assert "This unsubscribe link is broken" in response.text
        assert "log in and open <strong>Email settings</strong>" in response.text
        assert "Skip to content" in response.text  # base.html: the site's layout
    assert cadences([student.pk])[student.pk]["reply"] == Cadence.IMMEDIATELY


def test_a_link_for_an_unknown_topic_or_an_erased_account_is_broken(student):
    assert Client().get(url(student, "gossip")).status_code == 400
    student.is_active = False
    student.save(update_fields=["is_active"])
    assert Client().get(url(student, "reply")).status_code == 400
