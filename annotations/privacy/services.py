"""Erasing an account: one transaction, nothing half-done (see the package docstring)."""

from dataclasses import dataclass

from django.db import models, transaction

from annotations.models import (
    Annotation,
    Flag,
    Grade,
    ModerationEvent,
    Notification,
    Score,
    Status,
    Vote,
)
from annotations.notifications.models import EmailDelivery, NotificationPreference
from seminar.errors import ServiceError
from seminar.models import ApiToken, Membership, ReadingVisit, User

FORMER_MEMBER = "A former member"


@dataclass(frozen=True)
class Erasure:
    posts: int
    scores: int
    grades: int


@transaction.atomic
def account_erase(*, user: User) -> Erasure:
    """Remove `user` as a person from the site; their threads stay, anonymous."""
    if user.is_superuser:
        raise ServiceError("A site administrator's account cannot be erased this way.")
    user = User.objects.select_for_update().get(pk=user.pk)
    posts = Annotation.objects.filter(author=user)
    scores = Score.objects.filter(annotation__in=posts).delete()[0]
    grades = Grade.objects.filter(student=user).delete()[0]
    count = posts.update(
        author=None,
        author_name=FORMER_MEMBER,
        text="",
        html="",
        tags=[],
        client_id="",
        status=Status.DELETED,
    )
    # The email records outlive a deleted notification (SET_NULL), not the person.
    emails = (EmailDelivery, NotificationPreference)
    for model in (*emails, Vote, Flag, Notification, ReadingVisit, ApiToken, Membership):
        model.objects.filter(user=user).delete()
    # Others' posts that mentioned them keep the words, as "@Former member" (no membership).
    user.mentioned_in.clear()
    # The audit log is append-only, and the database refuses any change but this one: the
    # name someone acted under replaced, nothing else (annotations migration 0009).
    models.QuerySet(ModerationEvent).filter(moderator=user).update(
        moderator_name=FORMER_MEMBER, moderator_username=""
    )
    user.username = f"former-member-{user.pk}"
    user.email = ""
    user.first_name = user.last_name = ""
    user.display_name = FORMER_MEMBER
    user.is_active = False
    user.set_unusable_password()
    user.save()
    return Erasure(posts=count, scores=scores, grades=grades)
