"""What a notification email looks like: plain-text and HTML parts from templates/email/,
the headers of a list one can leave in one click, and absolute links (settings.SITE_URL:
the worker has no request to ask for the site's address).

Each line of an email is a notification as `services.present` shows it to its recipient:
the sentence (`describe`), the excerpt and the link, already cut to what they may see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import Truncator

from annotations.notifications.models import Cadence
from annotations.notifications.preferences import DIGEST, TOPICS
from annotations.notifications.unsubscribe import unsubscribe_token

if TYPE_CHECKING:
    from annotations.models import Notification
    from seminar.models import User

SITE_NAME = "Seminar"
SUBJECT_CHARS = 110


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _line(item: Notification) -> dict[str, str]:
    return {"text": item.text, "excerpt": item.excerpt, "url": absolute(item.url)}


def _message(
    *, user: User, subject: str, template: str, unsubscribe: str, context: dict
) -> EmailMultiAlternatives:
    unsubscribe_url = absolute(
        reverse("email_unsubscribe", args=[unsubscribe_token(user_id=user.pk, topic=unsubscribe)])
    )
    context = {
        **context,
        "site_name": SITE_NAME,
        "site_url": absolute("/"),
        "recipient": user,
        "settings_url": absolute(reverse("email_settings")),
        "unsubscribe_url": unsubscribe_url,
    }
    message = EmailMultiAlternatives(
        # One line: a flag's note or a moderator's reason may hold line breaks, which a
        # header may not.
        subject=f"{SITE_NAME}: " + Truncator(" ".join(subject.split())).chars(SUBJECT_CHARS),
        body=render_to_string(f"email/{template}.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # Sent by a machine: out-of-office replies should not answer it (RFC 3834).
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string(f"email/{template}.html", context), "text/html")
    return message


def notification_email(*, user: User, item: Notification, topic: str) -> EmailMultiAlternatives:
    """One notification, sent as it happened."""
    return _message(
        user=user,
        subject=item.text,
        template="notification",
        unsubscribe=topic,
        context={
            "line": _line(item),
            "why": TOPICS[topic].why,
            "topic_label": TOPICS[topic].label,
            "cadence": Cadence.IMMEDIATELY.label.lower(),
        },
    )


def digest_email(
    *, user: User, items: list[Notification], topics: list[str]
) -> EmailMultiAlternatives:
    """The day's notifications of the topics `user` takes as a digest, newest first."""
    count = len(items)
    return _message(
        user=user,
        subject=f"your daily digest: {count} notification{'s' if count != 1 else ''}",
        template="digest",
        unsubscribe=DIGEST,
        context={
            "lines": [_line(item) for item in items],
            "topic_labels": [TOPICS[topic].label for topic in topics],
        },
    )
