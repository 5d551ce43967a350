"""Queueing the emails notifications earn (sending.py sends them, in the worker).

When a notification is made, its recipient's preference for its topic (preferences.py)
decides: nothing (never, or no email address), a row waiting for the daily digest, or a row
queued and a task enqueued on the "email" queue once the transaction commits, so that a
rolled-back action sends nothing and no request waits for a mail server. What the email may
say is decided when it goes, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from annotations.notifications import tasks
from annotations.notifications.models import Cadence, DeliveryStatus, EmailDelivery
from annotations.notifications.preferences import cadences, topic_of

if TYPE_CHECKING:
    from django_tasks import Task

    from annotations.models import Notification

# A failing mail server is tried again after 1, 5, 25 and 125 minutes, then given up on
# (the delivery reads "failed"; the notification stays in the site either way).
RETRY_DELAYS = tuple(timedelta(minutes=5**n) for n in range(4))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def email_later(notifications: Sequence[Notification]) -> list[EmailDelivery]:
    """Record the email each of `notifications` earns; queue the immediate ones on commit.
    Two queries whatever their number (preferences, the rows)."""
    wanted = [n for n in notifications if topic_of(n.kind) and n.user.is_active and n.user.email]
    if not wanted:
        return []
    chosen = cadences({n.user_id for n in wanted})
    rows = []
    for notification in wanted:
        topic = topic_of(notification.kind)
        cadence = chosen[notification.user_id][topic]
        if cadence == Cadence.NEVER:
            continue
        rows.append(
            EmailDelivery(
                user_id=notification.user_id,
                notification=notification,
                topic=topic,
                cadence=cadence,
                status=DeliveryStatus.QUEUED
                if cadence == Cadence.IMMEDIATELY
                else DeliveryStatus.WAITING,
            )
        )
    EmailDelivery.objects.bulk_create(rows)
    queued = [row.pk for row in rows if row.status == DeliveryStatus.QUEUED]
    if queued:
        transaction.on_commit(lambda: [enqueue(tasks.send_notification_email, pk) for pk in queued])
    return rows


def digests_enqueue() -> int:
    """Queue one digest task for each person with digest lines waiting. Returns how many.
    Safe to repeat: a digest task that finds nothing waiting sends nothing."""
    waiting = EmailDelivery.objects.filter(status=DeliveryStatus.WAITING)
    user_ids = list(waiting.order_by().values_list("user_id", flat=True).distinct())
    for user_id in user_ids:
        enqueue(tasks.send_digest_email, user_id)
    return len(user_ids)


def enqueue(task: Task, target_id: int, *, attempt: int = 1) -> None:
    """Run `task` for `target_id`; a retry (attempt > 1) waits its turn of RETRY_DELAYS."""
    if attempt > 1 and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + RETRY_DELAYS[attempt - 2])
    # A backend that cannot defer (the tests' immediate one) retries at once.
    task.enqueue(target_id, attempt=attempt)
