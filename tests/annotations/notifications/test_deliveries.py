"""A mail server that fails: each email is tried again later, with growing waits, and the
notification stays in the site whatever becomes of its email."""

from datetime import timedelta

import pytest
from django.utils import timezone

from annotations.notifications import deliveries, tasks
from annotations.notifications.models import Cadence, DeliveryStatus, EmailDelivery
from annotations.notifications.preferences import preferences_set
from annotations.notifications.services import listed_notifications
from annotations.services import reply_create
from tests.annotations.notifications.mailbox import FLAKY, FlakyServer, mail_to


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = FLAKY
    yield FlakyServer
    FlakyServer.failures = 0


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_an_email_refused_twice_is_sent_on_the_third_try(
    outbox, committed, flaky, student, student2, comment
):
    flaky.failures = 2
    with committed():
        reply_create(parent=comment, author=student2, text="Not quite.")
    (email,) = mail_to(outbox, student)
    assert "Sam Park replied" in email.body
    delivery = EmailDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    assert delivery.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert listed_notifications(student).count() == 1


def test_a_server_that_never_answers_fails_the_email_not_the_notification(
    outbox, committed, flaky, student, student2, comment
):
    flaky.failures = 100
    with committed():
        reply_create(parent=comment, author=student2, text="Not quite.")
    assert outbox == []
    delivery = EmailDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == deliveries.MAX_ATTEMPTS == 5
    assert "SMTPServerDisconnected" in delivery.last_error
    (note,) = listed_notifications(student)
    assert note.read is None


def test_a_digest_refused_once_is_sent_on_the_retry(
    outbox, committed, flaky, student, student2, comment
):
    preferences_set(user=student, chosen={"reply": Cadence.DIGEST})
    with committed():
        reply_create(parent=comment, author=student2, text="Not quite.")
    flaky.failures = 1
    assert tasks.send_digest_email.enqueue(student.pk).return_value == "retrying"
    assert len(outbox) == 1
    delivery = EmailDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)


def test_a_retry_waits_1_5_25_then_125_minutes(settings):
    # A backend that can defer (the database one in production) is told when to run it.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "email"],
        }
    }
    backend = tasks.send_notification_email.get_backend()
    for attempt, minutes in [(2, 1), (3, 5), (4, 25), (5, 125)]:
        before = timezone.now()
        deliveries.enqueue(tasks.send_notification_email, 7, attempt=attempt)
        result = backend.results[-1]
        assert result.task.queue_name == "email"
        assert result.args == [7] and result.kwargs == {"attempt": attempt}
        wait = result.task.run_after - before
        assert timedelta(minutes=minutes) <= wait < timedelta(minutes=minutes, seconds=5)
    deliveries.enqueue(tasks.send_notification_email, 7)
    assert backend.results[-1].task.run_after is None  # the first try goes at once
