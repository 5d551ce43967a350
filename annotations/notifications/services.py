"""Notifications: people hear about their posts (replies, hiding, restoring, approval, pins).

Each is a row in the person's in-app list; when the site has email configured (EMAIL_HOST),
an email follows after the transaction commits, so a rolled-back action sends nothing.

What a notification shows follows visibility (annotations/permissions.py): it stays listed
while its recipient can see the post it is about or the post that one answered (for a reply,
their own post), so hiding a reply, or the post above it, does not take back what they were
told. Its excerpt and link show only what they may see now: a concealed post reads "Hidden by
a moderator" and the link opens the post they can see. Nothing is emailed about a post the
recipient may not see when the email would go: an email cannot be taken back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.text import Truncator

from annotations.models import Annotation, Notification, NotificationKind, Status, Visibility

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from seminar.models import User

EXCERPT_CHARS = 140


def notify(
    *, user: User | None, kind: str, annotation: Annotation, reason: str = ""
) -> Notification | None:
    if user is None or not user.is_active:
        return None
    notification = Notification.objects.create(
        user=user, kind=kind, annotation=annotation, reason=reason
    )
    if settings.EMAIL_HOST and user.email:
        transaction.on_commit(lambda: _email(notification))
    return notification


def notify_reply(*, reply: Annotation) -> Notification | None:
    """Tell the author of the post replied to, once the reply is visible to them."""
    parent = reply.parent
    if reply.status != Status.PUBLISHED or parent is None or parent.author_id is None:
        return None
    if parent.author_id == reply.author_id:
        return None
    return notify(user=parent.author, kind=NotificationKind.REPLY, annotation=reply)


def listed_notifications(user: User) -> QuerySet[Notification]:
    """The notifications `user` sees in their list, each annotated with `seen` (may they see
    the post it is about) and `parent_seen` (the post that one answered). One query."""
    visible = Annotation.objects.visible_to(user)
    return (
        Notification.objects.filter(user=user)
        .annotate(
            seen=Exists(visible.filter(pk=OuterRef("annotation_id"))),
            parent_seen=Exists(visible.filter(pk=OuterRef("annotation__parent_id"))),
        )
        .filter(Q(seen=True) | Q(parent_seen=True))
    )


def unread_count(user: User) -> int:
    """The number on the navigation bar: the unread ones of the same list."""
    return listed_notifications(user).filter(read__isnull=True).count()


def excerpt(notification: Notification) -> str:
    """What the post says, as far as the recipient may see it now."""
    annotation = notification.annotation
    if notification.seen:
        if annotation.status == Status.DELETED:
            return "This post was deleted."
        return Truncator(" ".join(annotation.text.split())).chars(EXCERPT_CHARS)
    if annotation.status == Status.DELETED:
        return "This post was deleted."
    if annotation.visibility == Visibility.PRIVATE:
        return "This post is no longer shared with you."
    if annotation.status == Status.PENDING:
        return "This post is awaiting a moderator's approval."
    # Hidden itself, or under a hidden (or waiting) post: hidden with its branch.
    return "Hidden by a moderator."


def link(notification: Notification) -> str:
    """Where opening it goes: the post, else the one it answered (which they can see)."""
    annotation = notification.annotation
    if notification.seen or annotation.parent_id is None:
        return annotation.get_absolute_url()
    return f"{annotation.reading.get_absolute_url()}#annotation-{annotation.parent_id}"


def describe(notification: Notification) -> str:
    kind = NotificationKind(notification.kind)
    reading = notification.annotation.reading.title
    if kind == NotificationKind.REPLY:
        return f"Someone replied to your post on “{reading}”."
    text = f"A moderator {kind.label} on “{reading}”."
    if notification.reason:
        text += f" Reason: {notification.reason}"
    return text


def _email(notification: Notification) -> None:
    # A reply deep under a hidden post is no news to a peer: an email cannot be taken back.
    user, annotation = notification.user, notification.annotation
    if not Annotation.objects.visible_to(user).filter(pk=annotation.pk).exists():
        return
    send_mail(
        subject="Seminar: " + describe(notification)[:70],
        message=describe(notification)
        + "\n\nSee it in Seminar: "
        + notification.annotation.get_absolute_url(),
        from_email=None,
        recipient_list=[notification.user.email],
        fail_silently=True,
    )
