"""The email side of notifications: what each person asked for, and what was sent.

A `NotificationPreference` row says how one person wants one topic emailed (the topics and
their defaults are data: preferences.TOPICS); no row means the topic's default. Each email
a notification earns is an `EmailDelivery`: queued for the worker, or waiting for the daily
digest, then sent, failed (after its retries) or skipped (when it went, its recipient could
no longer see what it was about). The in-site notification never depends on it.

These models live with their capability, not in annotations/models.py, which holds the rest
of the app's schema: that file is at its size limit. AnnotationsConfig.ready() loads them.
"""

from django.conf import settings
from django.db import models

from annotations.models import Notification


class Cadence(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    DIGEST = "digest", "In a daily digest"
    NEVER = "never", "Never"


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    # A key of preferences.TOPICS; no choices here, so a new topic needs no migration.
    topic = models.CharField(max_length=20)
    cadence = models.CharField(max_length=12, choices=Cadence.choices)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="one_email_preference_per_topic")
        ]

    def __str__(self):
        return f"{self.user}: {self.topic} {self.cadence}"


class DeliveryStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for the digest"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class EmailDelivery(models.Model):
    """One notification's email: alone, or one line of a digest (its rows share `sent`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_deliveries"
    )
    # SET_NULL: the record of what was sent outlives the notification (grades released
    # again replace theirs); a queued email whose notification is gone is skipped.
    notification = models.ForeignKey(
        Notification,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="email_deliveries",
    )
    topic = models.CharField(max_length=20)
    cadence = models.CharField(max_length=12, choices=Cadence.choices)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    detail = models.CharField(max_length=200, blank=True, help_text="Why it was skipped.")
    created = models.DateTimeField(auto_now_add=True)
    sent = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["status", "user"], name="email_delivery_status_user")]
        verbose_name_plural = "email deliveries"

    def __str__(self):
        return f"{self.get_cadence_display()} email to {self.user}: {self.get_status_display()}"
