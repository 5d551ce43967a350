"""Notifications: people hear about their posts (replies, hiding, restoring, approval, pins).

Each is a row in the person's in-app list; when the site has email configured (EMAIL_HOST),
an email follows after the transaction commits, so a rolled-back action sends nothing. A
notification about a post the person may not see is never shown (views filter them) nor
emailed; the row stays, so it appears if a moderator restores what concealed the post.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from annotations.models import Annotation, Notification, NotificationKind, Status


def notify(*, user, kind, annotation, reason=""):
    if user is None or not user.is_active:
        return None
    notification = Notification.objects.create(
        user=user, kind=kind, annotation=annotation, reason=reason
    )
    if settings.EMAIL_HOST and user.email:
        transaction.on_commit(lambda: _email(notification))
    return notification


def notify_reply(*, reply):
    """Tell the author of the post replied to, once the reply is visible to them."""
    parent = reply.parent
    if reply.status != Status.PUBLISHED or parent is None or parent.author_id is None:
        return None
    if parent.author_id == reply.author_id:
        return None
    return notify(user=parent.author, kind=NotificationKind.REPLY, annotation=reply)


def describe(notification):
    kind = NotificationKind(notification.kind)
    reading = notification.annotation.reading.title
    if kind == NotificationKind.REPLY:
        return f"Someone replied to your post on “{reading}”."
    text = f"A moderator {kind.label} on “{reading}”."
    if notification.reason:
        text += f" Reason: {notification.reason}"
    return text


def _email(notification):
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
