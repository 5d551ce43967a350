"""Moderation built for a class: flags, one audited function for every action, the queue.

Every change a moderator makes goes through `annotation_moderate`, which locks the post's
row, checks the action still makes sense (two moderators may act at once), applies it and
writes exactly one append-only ModerationEvent. Nothing is destroyed: "delete" is the same
soft delete an author can make, and hidden posts stay in the database with their reason.

Moderators see what `Annotation.objects.visible_to` shows them, like everyone else: a
student's private note is never in their queue, and acting on it is a 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from annotations.models import (
    Action,
    Annotation,
    Flag,
    FlagReason,
    NotificationKind,
    Status,
    Visibility,
)
from annotations.notifications.services import (
    notify,
    notify_flag,
    notify_mentions,
    notify_reply,
)
from annotations.permissions import can_comment, can_moderate, post_may_be_flagged
from annotations.services import moderation_event_write
from seminar.errors import Conflict, NotFound, NotPermitted, ServiceError

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from seminar.models import Seminar, User


@transaction.atomic
def flag_create(*, annotation: Annotation, user: User, reason: str, note: str = "") -> Flag:
    if reason not in FlagReason.values:
        raise ServiceError(f"Unknown reason “{reason}”: use one of {', '.join(FlagReason.values)}.")
    if reason == FlagReason.OTHER and not (note or "").strip():
        raise ServiceError("Say in a few words what is wrong when the reason is “other”.")
    mine = annotation.author_id == user.pk
    takes_part = can_comment(user, annotation.reading)
    if not post_may_be_flagged(takes_part=takes_part, mine=mine, status=annotation.status):
        if not takes_part:
            raise NotPermitted("Only members of the seminar can flag posts.")
        if mine:
            raise ServiceError("You cannot flag your own post; edit or delete it instead.")
        if annotation.status == Status.DELETED:
            raise ServiceError("This post was deleted.")
        raise ServiceError("Only a published post can be flagged.")
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                annotation=annotation, user=user, reason=reason, note=(note or "").strip()[:500]
            )
    except IntegrityError as exc:
        raise Conflict("You have already flagged this post.") from exc
    notify_flag(flag=flag)
    return flag


# action -> (statuses it applies to, status after, or None to keep it)
TRANSITIONS = {
    Action.HIDE: ({Status.PUBLISHED, Status.PENDING}, Status.HIDDEN),
    Action.UNHIDE: ({Status.HIDDEN}, Status.PUBLISHED),
    Action.APPROVE: ({Status.PENDING}, Status.PUBLISHED),
    Action.DELETE: ({Status.PUBLISHED, Status.PENDING, Status.HIDDEN}, Status.DELETED),
    Action.LOCK: ({Status.PUBLISHED, Status.HIDDEN, Status.PENDING}, None),
    Action.UNLOCK: ({Status.PUBLISHED, Status.HIDDEN, Status.PENDING}, None),
    Action.PIN: ({Status.PUBLISHED}, None),
    Action.UNPIN: ({Status.PUBLISHED, Status.HIDDEN, Status.PENDING}, None),
    Action.DISMISS: ({Status.PUBLISHED, Status.HIDDEN, Status.PENDING}, None),
}
TELLS_AUTHOR = {
    Action.HIDE: NotificationKind.HIDDEN,
    Action.UNHIDE: NotificationKind.RESTORED,
    Action.APPROVE: NotificationKind.APPROVED,
    Action.PIN: NotificationKind.PINNED,
}


def _check(annotation: Annotation, action: str) -> None:
    allowed, _after = TRANSITIONS[action]
    if annotation.status not in allowed:
        raise Conflict(
            f"Cannot {action} a post that is {annotation.get_status_display().lower()}: "
            "someone may have acted on it already. Reload to see its state."
        )
    if action in (Action.LOCK, Action.UNLOCK) and annotation.parent_id:
        raise ServiceError("Lock or unlock the thread at its first post.")
    if action == Action.LOCK and annotation.locked:
        raise Conflict("This thread is already locked.")
    if action == Action.UNLOCK and not annotation.locked:
        raise Conflict("This thread is not locked.")
    if action == Action.PIN and annotation.pinned:
        raise Conflict("This post is already pinned.")
    if action == Action.UNPIN and not annotation.pinned:
        raise Conflict("This post is not pinned.")
    if action == Action.DISMISS and not annotation.flags.filter(dismissed__isnull=True).exists():
        raise Conflict("There are no open flags on this post.")


@transaction.atomic
def annotation_moderate(
    *, annotation: Annotation, moderator: User, action: str, reason: str = ""
) -> Annotation:
    """Apply one moderation action and write its one audit row. Returns the post."""
    if action not in Action.values:
        raise ServiceError(f"Unknown action “{action}”: use one of {', '.join(Action.values)}.")
    reason = " ".join((reason or "").split())[:300]
    if action == Action.HIDE and not reason:
        raise ServiceError("Give a reason for hiding: its author will see it.")
    # The row lock makes concurrent moderators take turns; the second sees the first's result.
    annotation = (
        Annotation.objects.select_for_update(of=("self",))
        .select_related("reading__seminar")
        .get(pk=annotation.pk)
    )
    seminar = annotation.reading.seminar
    # Not "forbidden": a post the moderator may not see must not be confirmed to exist.
    if not Annotation.objects.visible_to(moderator).filter(pk=annotation.pk).exists():
        raise NotFound("No such post.")
    if not can_moderate(moderator, seminar):
        raise NotPermitted("Only the seminar's moderators can do that.")
    _check(annotation, action)
    before = annotation.status
    _allowed, after = TRANSITIONS[action]
    fields = ["updated"]
    if after is not None:
        annotation.status = after
        fields.append("status")
    if action == Action.HIDE:
        annotation.moderation_reason = reason
        fields.append("moderation_reason")
    elif action == Action.UNHIDE:
        annotation.moderation_reason = ""
        fields.append("moderation_reason")
    elif action in (Action.LOCK, Action.UNLOCK):
        annotation.locked = action == Action.LOCK
        fields.append("locked")
    elif action in (Action.PIN, Action.UNPIN):
        annotation.pinned = action == Action.PIN
        fields.append("pinned")
    elif action == Action.DISMISS:
        annotation.flags.filter(dismissed__isnull=True).update(dismissed=timezone.now())
    if action in (Action.HIDE, Action.DELETE, Action.APPROVE, Action.UNHIDE):
        # A decision on the post settles the flags raised about it.
        annotation.flags.filter(dismissed__isnull=True).update(dismissed=timezone.now())
    annotation.save(update_fields=fields)
    moderation_event_write(
        annotation=annotation, actor=moderator, action=action, reason=reason, before=before
    )
    if action in TELLS_AUTHOR and annotation.author_id and annotation.author_id != moderator.pk:
        notify(
            user=annotation.author,
            kind=TELLS_AUTHOR[action],
            annotation=annotation,
            actor=moderator,
            reason=reason,
        )
    if action == Action.APPROVE and annotation.parent_id:
        # A reply that waited for approval reaches the person it answers only now.
        notify_reply(reply=annotation)
    if action in (Action.APPROVE, Action.UNHIDE):
        # So do the members it mentions; those told already (staff) are not told again.
        notify_mentions(annotation=annotation, mentioned=annotation.mentions.all())
    return annotation


def _queue_posts(moderator: User) -> QuerySet[Annotation]:
    return Annotation.objects.visible_to(moderator).exclude(visibility=Visibility.PRIVATE)


# The queue's groups that ask a moderator to act: open flags on a post still there, and
# posts waiting for approval. (Recently hidden posts are a record, not a task.)
FLAGGED = Exists(Flag.objects.filter(annotation=OuterRef("pk"), dismissed__isnull=True)) & ~Q(
    status=Status.DELETED
)
WAITING = Q(status=Status.PENDING)


def moderation_queue(
    *, seminar: Seminar, moderator: User
) -> tuple[QuerySet[Annotation], QuerySet[Annotation], QuerySet[Annotation]]:
    """Posts that need a moderator: open flags, waiting for approval, recently hidden.

    Only posts the moderator may see, and never a private note (not even their own): the
    queue is about the class's discussion."""
    base = (
        _queue_posts(moderator).filter(reading__seminar=seminar).select_related("reading", "author")
    )
    flagged = (
        base.filter(FLAGGED)
        .annotate(
            open_flags=Count("flags", filter=Q(flags__dismissed__isnull=True), distinct=True),
            last_flag=Max("flags__created"),
        )
        .order_by("-open_flags", "-last_flag")
    )
    pending = base.filter(WAITING).order_by("created")
    hidden = base.filter(status=Status.HIDDEN).order_by("-updated")[:50]
    return flagged, pending, hidden


def open_item_counts(*, moderator: User, seminars: Iterable[Seminar]) -> dict[int, int]:
    """{seminar id: posts in its queue that need a moderator} for those of `seminars` that
    `moderator` moderates: the badge on every Moderation link. One query for all of them."""
    ids = [seminar.pk for seminar in seminars if can_moderate(moderator, seminar)]
    if not ids:
        return {}
    rows = (
        _queue_posts(moderator)
        .filter(reading__seminar_id__in=ids)
        .filter(FLAGGED | WAITING)
        .order_by()
        .values("reading__seminar_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("reading__seminar_id", "n")
    )
    return dict.fromkeys(ids, 0) | dict(rows)


def open_flag_reasons(annotation_ids: Iterable[int]) -> dict[int, list[str]]:
    """{annotation id: ["Off topic", "Other: …"]} for the open flags, in one query."""
    reasons = {}
    flags = Flag.objects.filter(annotation_id__in=annotation_ids, dismissed__isnull=True)
    for annotation_id, reason, note in flags.values_list("annotation_id", "reason", "note"):
        label = FlagReason(reason).label + (f": {note}" if note else "")
        reasons.setdefault(annotation_id, []).append(label)
    return reasons
