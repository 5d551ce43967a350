"""Sending the queued emails, in the worker (tasks.py): one notification, or a digest.

What an email may say is decided as it goes, by the rules the site uses
(`services.listed_notifications`, the `Namer`, presenting.Presenter), because an email
cannot be taken back: a reply hidden, a post deleted or grades withdrawn since the
notification was made, a flag settled, a recipient who no longer moderates, or a topic
turned off, and the delivery is skipped with the reason. A mail server that fails is tried
again later (deliveries.RETRY_DELAYS); the notification stays in the site whatever happens.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from annotations.models import Flag, NotificationKind, Status
from annotations.notifications import deliveries, emails, tasks
from annotations.notifications.models import Cadence, DeliveryStatus, EmailDelivery
from annotations.notifications.preferences import TOPICS, cadences
from annotations.notifications.services import (
    RELATED,
    Namer,
    describe,
    excerpt,
    link,
    listed_notifications,
)
from seminar.models import User

if TYPE_CHECKING:
    from django.core.mail import EmailMessage

    from annotations.models import Notification

log = logging.getLogger(__name__)

SENT, RETRYING, FAILED, SKIPPED = "sent", "retrying", "failed", "skipped"

# What a mail server's failure looks like from Django's SMTP backend: worth trying again.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def notification_send(*, delivery_id: int, attempt: int = 1) -> str:
    # Claimed by one update: a task run twice (a worker retry) sends once.
    claimed = EmailDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.SENDING
    )
    delivery = EmailDelivery.objects.select_related("user").filter(pk=delivery_id).first()
    if not claimed or delivery is None:
        log.info("Email delivery %s skipped: gone, or no longer queued.", delivery_id)
        return SKIPPED
    user = delivery.user
    ready = _ready(user, [delivery])
    if not ready:
        return SKIPPED
    ((_delivery, item),) = ready
    message = emails.notification_email(user=user, item=item, topic=delivery.topic)
    return _send(
        message, [delivery.pk], attempt=attempt, retry=(tasks.send_notification_email, delivery.pk)
    )


def digest_send(*, user_id: int, attempt: int = 1) -> str:
    """One email of everything waiting for `user_id`'s digest, each line then marked sent
    (or skipped): a second run finds nothing waiting and sends nothing."""
    with transaction.atomic():
        waiting = EmailDelivery.objects.select_for_update().filter(
            user_id=user_id, status=DeliveryStatus.WAITING
        )
        ids = list(waiting.values_list("pk", flat=True))
        EmailDelivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.SENDING)
    user = User.objects.filter(pk=user_id).first()
    if not ids or user is None:
        log.info("Digest for user %s skipped: nothing waiting.", user_id)
        return SKIPPED
    rows = list(EmailDelivery.objects.filter(pk__in=ids).order_by("-created", "-id"))
    ready = _ready(user, rows)
    if not ready:
        return SKIPPED
    topics = [topic for topic in TOPICS if any(row.topic == topic for row, _item in ready)]
    message = emails.digest_email(user=user, items=[item for _row, item in ready], topics=topics)
    return _send(
        message,
        [row.pk for row, _item in ready],
        attempt=attempt,
        retry=(tasks.send_digest_email, user_id),
    )


def _ready(user: User, rows: list[EmailDelivery]) -> list[tuple[EmailDelivery, Notification]]:
    """The rows whose notification may still be emailed to `user`, each with it presented;
    the others are marked skipped with the reason. Queries do not grow with the rows."""
    skipped: dict[str, list[int]] = defaultdict(list)
    ready = []
    if not (user.is_active and user.email):
        skipped["They have no email address now."] = [row.pk for row in rows]
        rows = []
    chosen = cadences([user.pk])[user.pk] if rows else {}
    open_flag = Flag.objects.filter(annotation_id=OuterRef("annotation_id"), dismissed__isnull=True)
    items = {
        item.pk: item
        for item in listed_notifications(user)
        .filter(pk__in=[row.notification_id for row in rows if row.notification_id])
        .annotate(open_flag=Exists(open_flag))
        .select_related(*RELATED)
    }
    namer = Namer(user)
    for row in rows:
        item = items.get(row.notification_id)
        reason = _unsendable(item, namer, chosen.get(row.topic, Cadence.NEVER))
        if reason:
            skipped[reason].append(row.pk)
            continue
        item.text = describe(item, namer)
        item.excerpt = excerpt(item, namer)
        item.url = link(item)
        ready.append((row, item))
    for reason, pks in skipped.items():
        log.info("Email deliveries %s to user %s skipped: %s", pks, user.pk, reason)
        EmailDelivery.objects.filter(pk__in=pks).update(
            status=DeliveryStatus.SKIPPED, detail=reason
        )
    return ready


def _unsendable(item: Notification | None, namer: Namer, cadence: str) -> str:
    """Why this notification may not be emailed now, or "" if it may."""
    if cadence == Cadence.NEVER:
        return "They turned this email off."
    if item is None:
        return "The notification, or what it was about, is gone."
    if not (item.seen or item.released):
        return "What it is about is no longer theirs to see."
    annotation = item.annotation
    if annotation is not None and annotation.status == Status.DELETED:
        return "The post was deleted."
    if item.kind == NotificationKind.FLAGGED:
        if not namer.presenter(annotation.reading).moderator:
            return "They no longer moderate this seminar."
        if not item.open_flag:
            return "The flag was settled."
    return ""


def _send(message: EmailMessage, pks: list[int], *, attempt: int, retry: tuple) -> str:
    rows = EmailDelivery.objects.filter(pk__in=pks)
    try:
        message.send()
    except MAIL_ERRORS as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        final = attempt >= deliveries.MAX_ATTEMPTS
        cadence = rows.values_list("cadence", flat=True).first()
        again = DeliveryStatus.WAITING if cadence == Cadence.DIGEST else DeliveryStatus.QUEUED
        rows.update(
            status=DeliveryStatus.FAILED if final else again,
            attempts=F("attempts") + 1,
            last_error=error,
        )
        if final:
            log.warning("Email deliveries %s failed after %s attempts: %s", pks, attempt, error)
            return FAILED
        log.info("Email deliveries %s failed (attempt %s), retrying: %s", pks, attempt, error)
        task, target_id = retry
        deliveries.enqueue(task, target_id, attempt=attempt + 1)
        return RETRYING
    rows.update(status=DeliveryStatus.SENT, attempts=F("attempts") + 1, sent=timezone.now())
    return SENT
