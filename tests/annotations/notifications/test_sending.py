"""Notification emails, kind by kind: who gets one, who must not, and what it says — only what
its recipient may see when it goes, in the names they may see."""

import logging

import pytest
from django.db import transaction
from django.urls import reverse
from django_tasks.signals import task_enqueued

from annotations.grading import gradebook
from annotations.models import Annotation, Notification
from annotations.moderation.services import annotation_moderate, flag_create
from annotations.notifications import tasks
from annotations.notifications.models import DeliveryStatus, EmailDelivery
from annotations.notifications.services import listed_notifications
from annotations.services import annotation_delete, comment_create, reply_create
from seminar.models import ReadingStatus
from seminar.pseudonyms import people
from tests.annotations.notifications.mailbox import everything_in, html_of, mail_to

SITE = "https://seminar.example.edu"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the block queued for after its transaction: the email tasks."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# Replies.


def test_a_reply_emails_the_author_of_the_post_and_nobody_else(
    outbox, committed, blog_reading, instructor, ta, student, student2, comment
):
    with committed():
        reply, _ = reply_create(parent=comment, author=student2, text="Not quite: Chad matters.")
    (email,) = outbox
    assert email.to == [student.email]
    title = blog_reading.title
    assert email.subject == f"Seminar: Sam Park replied to your post on “{title}”."
    link = f"{SITE}{blog_reading.get_absolute_url()}#annotation-{reply.pk}"
    for part in (email.body, html_of(email)):
        assert f"Sam Park replied to your post on “{title}”." in part
        assert "Not quite: Chad matters." in part
        assert link in part
        assert "because someone replied to a post of yours" in part
        assert f"{SITE}{reverse('email_settings')}" in part
    assert EmailDelivery.objects.get().status == DeliveryStatus.SENT


def test_nobody_is_emailed_their_own_reply(outbox, committed, student, comment):
    with committed():
        reply_create(parent=comment, author=student, text="Adding to myself.")
    assert outbox == []


def test_every_email_can_be_left_in_one_click(outbox, committed, student, student2, comment):
    with committed():
        reply_create(parent=comment, author=student2, text="Not quite.")
    (email,) = outbox
    unsubscribe = email.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{SITE}/email/unsubscribe/") and unsubscribe.endswith("/>")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in email.body and unsubscribe[1:-1] in html_of(email)
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in email.message().as_string()


def test_a_classmate_is_named_by_pseudonym_and_staff_by_name_where_names_are_hidden(
    outbox, committed, seminar, blog_reading, instructor, student, student2, comment
):
    seminar.anonymous_peers = True
    seminar.save(update_fields=["anonymous_peers"])
    theirs = comment_create(reading=blog_reading, author=instructor, text="Discuss Mali.")
    with committed():
        reply_create(parent=comment, author=student2, text="Not quite.")
        reply_create(parent=theirs, author=student2, text="Mali is hard.")
        reply_create(parent=comment, author=instructor, text="Say more.")
    pseudonym = people(seminar)[1][student2.pk]
    to_lena, from_okafor = mail_to(outbox, student)
    assert f"{pseudonym} replied to your post" in everything_in(to_lena)
    assert "Sam Park" not in everything_in(to_lena)
    assert "Dr. Okafor replied to your post" in everything_in(from_okafor)
    # The instructor sees the same student by name.
    (to_okafor,) = mail_to(outbox, instructor)
    assert "Sam Park replied to your post" in everything_in(to_okafor)


def test_a_reply_hidden_before_its_email_goes_emails_nobody_of_it(
    outbox, committed, instructor, student, student2, comment
):
    with committed():
        reply, _ = reply_create(parent=comment, author=student2, text="A rude remark.")
        annotation_moderate(annotation=reply, moderator=instructor, action="hide", reason="Rude")
    assert mail_to(outbox, student) == []
    # Its author hears of the hiding, and may read their own post.
    (to_sam,) = outbox
    assert "A moderator hid your post" in to_sam.body and "Reason: Rude" in to_sam.body
    delivery = EmailDelivery.objects.get(user=student)
    assert delivery.status == DeliveryStatus.SKIPPED
    assert delivery.detail == "What it is about is no longer theirs to see."
    # The notification stays in her list, saying nothing of the reply.
    assert listed_notifications(student).count() == 1


def test_a_reply_waiting_for_approval_is_emailed_once_approved(
    outbox, committed, seminar, instructor, student, student2, comment
):
    seminar.premoderation = True
    seminar.save(update_fields=["premoderation"])
    with committed():
        reply, _ = reply_create(parent=comment, author=student2, text="Held for a moderator.")
    assert reply.status == "pending" and outbox == []
    with committed():
        annotation_moderate(annotation=reply, moderator=instructor, action="approve")
    assert [m.to for m in outbox if "replied" in m.subject] == [[student.email]]


# Moderation.


def test_the_author_is_emailed_a_hidden_and_a_restored_post_with_the_reason(
    outbox, committed, blog_reading, instructor, ta, student, comment
):
    with committed():
        annotation_moderate(annotation=comment, moderator=ta, action="hide", reason="Off topic")
    with committed():
        annotation_moderate(annotation=comment, moderator=instructor, action="unhide")
    hidden, restored = mail_to(outbox, student)
    title = blog_reading.title
    assert hidden.subject == f"Seminar: A moderator hid your post on “{title}”. Reason: Off topic"
    assert "Mali is a test case." in hidden.body  # her own post, which she may see
    assert "because a moderator hid or restored a post of yours" in hidden.body
    assert restored.subject.startswith("Seminar: A moderator restored your post")
    assert len(outbox) == 2


def test_pinning_and_approving_are_told_in_the_site_only(
    outbox, committed, instructor, student, comment
):
    with committed():
        annotation_moderate(annotation=comment, moderator=instructor, action="pin")
    assert outbox == [] and not EmailDelivery.objects.exists()
    assert Notification.objects.filter(user=student, kind="pinned").exists()


# Flags.


def test_an_open_flag_emails_the_moderators_and_no_student(
    outbox, committed, seminar, instructor, ta, student, student2, comment
):
    with committed():
        flag_create(annotation=comment, user=student2, reason="other", note="Names a classmate.")
    assert sorted(m.to[0] for m in outbox) == sorted([instructor.email, ta.email])
    text = everything_in(outbox[0])
    assert "Sam Park flagged a post by Lena Ortiz" in text and "Names a classmate." in text
    assert "Mali is a test case." in text
    assert "because you moderate a seminar where a post was flagged" in text


def test_a_note_on_several_lines_makes_a_subject_of_one(
    outbox, committed, instructor, student2, comment
):
    with committed():
        flag_create(annotation=comment, user=student2, reason="other", note="One.\nTwo.\r\nX")
    (email,) = mail_to(outbox, instructor)
    assert email.subject.endswith("Reason: Other: One. Two. X")
    assert "One.\nTwo." in email.body


def test_staff_see_names_in_a_flag_email_where_names_are_hidden(
    outbox, committed, seminar, ta, student, student2, comment
):
    seminar.anonymous_peers = True
    seminar.save(update_fields=["anonymous_peers"])
    with committed():
        flag_create(annotation=comment, user=student2, reason="spam")
    assert "Sam Park flagged a post by Lena Ortiz" in everything_in(mail_to(outbox, ta)[0])


def test_a_ta_who_does_not_moderate_gets_no_flag_email(
    outbox, committed, seminar, instructor, ta, student2, comment
):
    seminar.tas_moderate = False
    seminar.save(update_fields=["tas_moderate"])
    with committed():
        flag_create(annotation=comment, user=student2, reason="spam")
    assert [m.to for m in outbox] == [[instructor.email]]


def test_one_who_stopped_moderating_before_the_email_went_gets_none(
    outbox, committed, seminar, instructor, ta, student2, comment
):
    with committed():
        flag_create(annotation=comment, user=student2, reason="spam")
        seminar.memberships.filter(user=ta).update(role="student")
    assert [m.to for m in outbox] == [[instructor.email]]
    skipped = EmailDelivery.objects.get(user=ta)
    assert skipped.detail == "They no longer moderate this seminar."


def test_a_flag_settled_before_its_email_goes_is_not_emailed(
    outbox, committed, instructor, ta, student, student2, comment
):
    with committed():
        flag_create(annotation=comment, user=student2, reason="spam")
        annotation_moderate(annotation=comment, moderator=instructor, action="hide", reason="Spam")
    assert mail_to(outbox, ta) == [] and mail_to(outbox, instructor) == []
    assert [m.subject for m in mail_to(outbox, student)][0].startswith("Seminar: A moderator hid")
    assert set(EmailDelivery.objects.filter(topic="flagged").values_list("detail", flat=True)) == {
        "The flag was settled."
    }


# Grades.


def test_released_grades_email_each_student_a_link_to_their_grades(
    outbox, committed, seminar, blog_reading, instructor, ta, student, student2
):
    with committed():
        gradebook.grades_release(reading=blog_reading, by=instructor)
    assert sorted(m.to[0] for m in outbox) == sorted([student.email, student2.email])
    (email,) = mail_to(outbox, student)
    assert email.subject == f"Seminar: Dr. Okafor released grades for “{blog_reading.title}”."
    assert f"{SITE}{reverse('student_grades', args=[seminar.slug, student.pk])}" in email.body


def test_nobody_is_emailed_grades_of_a_reading_they_cannot_see(
    outbox, committed, draft_reading, instructor, student
):
    assert draft_reading.status == ReadingStatus.DRAFT
    with committed():
        gradebook.grades_release(reading=draft_reading, by=instructor)
    assert outbox == []
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SKIPPED}


# How it goes: by a task on the email queue, after the commit, and only with an address.


def test_emails_go_through_the_email_queue_after_the_commit(
    outbox, committed, student, student2, comment
):
    queued = []

    def remember(sender, task_result, **kwargs):
        queued.append(task_result.task.queue_name)

    task_enqueued.connect(remember)
    try:
        with committed():
            reply_create(parent=comment, author=student2, text="Not quite.")
            assert outbox == [] and queued == []  # nothing inside the transaction
    finally:
        task_enqueued.disconnect(remember)
    assert queued == ["email"] and len(outbox) == 1


def test_a_rolled_back_reply_sends_nothing(outbox, committed, student, student2, comment):
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        reply_create(parent=comment, author=student2, text="Not quite.")
        raise RuntimeError
    assert outbox == []


def test_a_person_without_an_email_address_is_told_in_the_site_only(
    outbox, committed, student, student2, comment
):
    student.email = ""
    student.save(update_fields=["email"])
    with committed():
        reply_create(parent=comment, author=student2, text="Not quite.")
    assert outbox == [] and not EmailDelivery.objects.exists()
    assert listed_notifications(student).count() == 1


# Gone by the time it goes: skipped, quietly.


def test_an_email_about_a_post_deleted_meanwhile_is_skipped(
    outbox, committed, caplog, student, student2, comment
):
    caplog.set_level(logging.INFO, logger="annotations.notifications.sending")
    with committed():
        reply, _ = reply_create(parent=comment, author=student2, text="Not quite.")
        Annotation.objects.filter(pk=reply.pk).delete()  # gone, its notification with it
    assert outbox == []
    delivery = EmailDelivery.objects.get()
    assert delivery.notification is None and delivery.status == DeliveryStatus.SKIPPED
    assert "skipped" in caplog.text


def test_an_email_about_a_reply_its_author_deleted_is_skipped(
    outbox, committed, student, student2, comment
):
    with committed():
        reply, _ = reply_create(parent=comment, author=student2, text="Second thoughts.")
        annotation_delete(annotation=reply, actor=student2)
    assert outbox == []
    assert EmailDelivery.objects.get().status == DeliveryStatus.SKIPPED


def test_a_task_for_a_delivery_that_is_gone_or_done_ends_as_skipped(
    outbox, committed, student, student2, comment
):
    assert tasks.send_notification_email.call(404) == "skipped"
    with committed():
        reply_create(parent=comment, author=student2, text="Not quite.")
    delivery = EmailDelivery.objects.get()
    # A second run of the same task (a worker's retry) sends nothing twice.
    assert tasks.send_notification_email.enqueue(delivery.pk).return_value == "skipped"
    assert len(outbox) == 1
