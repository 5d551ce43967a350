"""Who hears that a question closed: its asker, unless they closed it; the thread's other
participants by their preference (a daily digest by default); nobody who may not see it."""

from django.core import mail

from annotations.models import Notification, NotificationKind
from annotations.notifications.models import Cadence, DeliveryStatus, EmailDelivery
from annotations.notifications.preferences import preferences_set
from annotations.notifications.services import listed_notifications, present
from annotations.questions.services import question_resolve, reply_endorse
from annotations.services import annotation_update, reply_create
from tests.annotations.notifications.mailbox import mail_to


def shown(user, note):
    (item,) = present(user, listed_notifications(user).filter(pk=note.pk))
    return item.text


def told(user, kind=None):
    notes = Notification.objects.filter(user=user)
    return list(notes.filter(kind=kind) if kind else notes)


def test_the_asker_hears_when_staff_address_their_question(
    question, student, ta, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question_resolve(question=question, user=ta, state="addressed", note="Week 5 slides")
    (note,) = told(student, NotificationKind.ADDRESSED)
    title = question.reading.title
    assert shown(student, note) == (
        f"Jonas Weber marked your question on “{title}” addressed in class. Note: Week 5 slides"
    )
    (email,) = mail_to(mail.outbox, student)
    assert "addressed in class" in email.subject


def test_nobody_hears_of_what_they_did_themselves(question, student):
    question_resolve(question=question, user=student, state="answered")
    assert told(student) == []


def test_setting_the_same_state_again_tells_nobody_twice(question, student, ta):
    question_resolve(question=question, user=ta, state="answered")
    question_resolve(question=question, user=ta, state="answered")
    assert len(told(student, NotificationKind.ANSWERED)) == 1
    question_resolve(question=question, user=ta, state="open")
    assert len(told(student)) == 1  # reopening tells nobody


def test_an_endorsed_answer_tells_the_asker_and_the_thread(question, answer, student, student2, ta):
    reply_endorse(reply=answer, user=ta)
    (note,) = told(student, NotificationKind.ANSWERED)
    assert shown(student, note).startswith("Jonas Weber endorsed an answer to your question")
    # Sam replied: he hears of it in the site and in his daily digest, not at once.
    (other,) = told(student2, NotificationKind.QUESTION_CLOSED)
    text = shown(student2, other)
    assert "a question you took part in" in text and text.endswith("answered.")
    delivery = EmailDelivery.objects.get(notification=other)
    assert delivery.status == DeliveryStatus.WAITING and delivery.cadence == Cadence.DIGEST
    assert mail_to(mail.outbox, student2) == []


def test_a_participant_who_said_never_hears_nothing(question, answer, student2, ta):
    preferences_set(user=student2, chosen={"question_threads": Cadence.NEVER})
    question_resolve(question=question, user=ta, state="addressed")
    assert told(student2) == []


def test_a_participant_who_may_no_longer_see_the_question_is_not_told(
    question, answer, student, student2, ta
):
    # The asker keeps the question to the staff and themselves: Sam's reply goes with it.
    annotation_update(annotation=question, editor=student, visibility="instructors")
    question_resolve(question=question, user=ta, state="answered")
    assert told(student2, NotificationKind.QUESTION_CLOSED) == []
    assert len(told(student, NotificationKind.ANSWERED)) == 1


def test_the_asker_is_not_told_twice_for_a_reply_of_their_own(question, student, student2, ta):
    reply_create(parent=question, author=student, text="Thanks!")
    question_resolve(question=question, user=ta, state="answered")
    assert len(told(student)) == 1  # as the asker, not again as a participant
