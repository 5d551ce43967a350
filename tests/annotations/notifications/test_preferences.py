"""Each person's choice per topic (immediately, a daily digest, never), the Email settings
page, and the digest: one email of what waited, sent once however often the cron runs."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.moderation.services import annotation_moderate, flag_create
from annotations.notifications.models import (
    Cadence,
    DeliveryStatus,
    EmailDelivery,
    NotificationPreference,
)
from annotations.notifications.preferences import (
    TOPICS,
    cadences,
    preferences_set,
    topic_of,
    topics_for,
)
from annotations.notifications.services import listed_notifications
from annotations.privacy.services import account_erase
from annotations.services import comment_create, reply_create
from seminar.errors import ServiceError
from tests.annotations.notifications.mailbox import everything_in, html_of, mail_to


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def digest():
    """What the daily cron runs."""
    out = io.StringIO()
    call_command("send_digests", stdout=out)
    return out.getvalue()


def test_everything_is_emailed_at_once_unless_one_chooses_otherwise(student):
    # But for questions one only replied to: a line of the daily digest.
    assert cadences([student.pk])[student.pk] == dict.fromkeys(TOPICS, Cadence.IMMEDIATELY) | {
        "question_threads": Cadence.DIGEST
    }
    assert topic_of("reply") == "reply" and topic_of("restored") == "moderation"
    assert topic_of("pinned") is None  # told in the site only


def test_only_moderators_are_offered_the_flag_email(seminar, instructor, ta, student, outsider):
    assert "flagged" not in topics_for(student)
    assert "flagged" in topics_for(ta) and "flagged" in topics_for(instructor)
    seminar.tas_moderate = False
    seminar.save(update_fields=["tas_moderate"])
    ta.__dict__.pop("_seminar_roles", None)
    assert "flagged" not in topics_for(ta)


def test_a_topic_or_a_cadence_that_does_not_exist_is_refused(student):
    with pytest.raises(ServiceError, match="no email topic"):
        preferences_set(user=student, chosen={"gossip": Cadence.NEVER})
    with pytest.raises(ServiceError, match="Choose one of"):
        preferences_set(user=student, chosen={"reply": "hourly"})


def test_never_sends_no_email_but_the_notification_stays(
    outbox, committed, student, student2, comment
):
    preferences_set(user=student, chosen={"reply": Cadence.NEVER})
    with committed():
        reply_create(parent=comment, author=student2, text="Not quite.")
    assert outbox == [] and not EmailDelivery.objects.exists()
    assert listed_notifications(student).count() == 1


def test_turned_off_between_the_notification_and_the_email_sends_nothing(
    outbox, django_capture_on_commit_callbacks, student, student2, comment
):
    with django_capture_on_commit_callbacks() as queued:
        reply_create(parent=comment, author=student2, text="Not quite.")
    preferences_set(user=student, chosen={"reply": Cadence.NEVER})
    for callback in queued:
        callback()
    assert outbox == []
    assert EmailDelivery.objects.get().detail == "They turned this email off."


# The digest.


def test_a_digest_waits_for_the_cron_then_sends_one_email_once(
    outbox, committed, blog_reading, instructor, student, student2, comment
):
    preferences_set(user=student, chosen={"reply": Cadence.DIGEST, "moderation": Cadence.DIGEST})
    other = comment_create(reading=blog_reading, author=student, text="Off on a tangent.")
    with committed():
        reply_create(parent=comment, author=student2, text="First reply.")
        reply_create(parent=comment, author=instructor, text="Second reply.")
        annotation_moderate(annotation=other, moderator=instructor, action="hide", reason="Why")
    assert outbox == []
    waiting = EmailDelivery.objects.filter(user=student, status=DeliveryStatus.WAITING)
    assert waiting.count() == 3
    digest()
    (email,) = outbox
    assert email.to == [student.email]
    assert email.subject == "Seminar: your daily digest: 3 notifications"
    text = everything_in(email)
    assert "Sam Park replied to your post" in text and "First reply." in text
    assert "Dr. Okafor replied to your post" in text and "Second reply." in text
    assert "A moderator hid your post" in text and "Reason: Why" in text
    assert blog_reading.get_absolute_url() in html_of(email)
    assert "Replies to your posts" in email.body  # why it came
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Stop the daily digest" in email.body
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert digest() == "Queued 0 digest email(s).\n"
    digest()
    assert len(outbox) == 1


def test_a_digest_leaves_out_what_was_hidden_since(
    outbox, committed, instructor, student, student2, comment
):
    preferences_set(user=student, chosen={"reply": Cadence.DIGEST})
    with committed():
        kept, _ = reply_create(parent=comment, author=student2, text="A fair point.")
        rude, _ = reply_create(parent=comment, author=student2, text="A rude remark.")
    annotation_moderate(annotation=rude, moderator=instructor, action="hide", reason="Rude")
    digest()
    (email,) = mail_to(outbox, student)
    assert "A fair point." in everything_in(email) and "A rude remark." not in everything_in(email)
    assert email.subject.endswith("1 notification")
    skipped = EmailDelivery.objects.get(user=student, notification__annotation=rude)
    assert skipped.status == DeliveryStatus.SKIPPED


def test_a_moderators_digest_lists_only_flags_still_open(
    outbox, committed, blog_reading, instructor, ta, student, student2
):
    preferences_set(user=ta, chosen={"flagged": Cadence.DIGEST})
    first = comment_create(reading=blog_reading, author=student, text="Mali is a test case.")
    second = comment_create(reading=blog_reading, author=student, text="Chad is another.")
    with committed():
        flag_create(annotation=first, user=student2, reason="spam")
        flag_create(annotation=second, user=student2, reason="off_topic")
    annotation_moderate(annotation=first, moderator=instructor, action="dismiss")
    digest()
    (email,) = mail_to(outbox, ta)
    assert "Chad is another." in email.body and "Mali is a test case." not in email.body


def test_nothing_waiting_sends_no_digest(outbox, student):
    digest()
    assert outbox == []


def test_a_digest_costs_the_same_queries_for_two_notifications_as_for_six(
    outbox, committed, django_assert_max_num_queries, blog_reading, instructor, student, student2
):
    preferences_set(user=student, chosen={"reply": Cadence.DIGEST})

    def news(n):
        post = comment_create(reading=blog_reading, author=student, text="Mali is a test case.")
        with committed():
            for i in range(n):
                reply_create(parent=post, author=(student2, instructor)[i % 2], text=f"Reply {i}.")

    news(2)
    with CaptureQueriesContext(connection) as two:
        digest()
    assert len(two) <= 14  # a handful: claim, rows, preferences, the list, one seminar's people
    news(6)
    with django_assert_max_num_queries(len(two)):
        digest()
    assert [m.subject.rsplit(":", 1)[1] for m in outbox] == [" 2 notifications", " 6 notifications"]


# The Email settings page.


def test_the_email_settings_page_shows_and_saves_ones_choices(client, student):
    client.force_login(student)
    page = client.get(reverse("email_settings"))
    assert page.status_code == 200
    assert "Replies to your posts" in page.text and "In a daily digest" in page.text
    assert "flagged for the moderators" not in page.text  # not a moderator
    answer = dict.fromkeys(topics_for(student), "immediately") | {
        "reply": "digest",
        "moderation": "never",
    }
    saved = client.post(reverse("email_settings"), answer)
    assert saved.status_code == 302 and saved.url == reverse("email_settings")
    mine = cadences([student.pk])[student.pk]
    assert (mine["reply"], mine["moderation"], mine["grades"]) == ("digest", "never", "immediately")
    assert client.post(reverse("email_settings"), {"reply": "hourly"}).status_code == 400


def test_the_email_settings_page_says_when_there_is_no_address(client, student):
    student.email = ""
    student.save(update_fields=["email"])
    client.force_login(student)
    assert "You have no email address" in client.get(reverse("email_settings")).text


def test_email_settings_need_a_login_and_the_profile_links_to_them(client, student):
    response = client.get(reverse("email_settings"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(student)
    assert reverse("email_settings") in client.get(reverse("profile")).text


def test_erasing_an_account_erases_its_email_choices_and_record(student, student2, comment):
    preferences_set(user=student, chosen={"grades": Cadence.NEVER})
    reply_create(parent=comment, author=student2, text="Not quite.")
    assert EmailDelivery.objects.filter(user=student).exists()
    account_erase(user=student)
    assert not EmailDelivery.objects.filter(user=student).exists()
    assert not NotificationPreference.objects.filter(user=student).exists()
