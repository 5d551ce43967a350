"""Whether a student sees classmates' posts on a reading yet (annotations/peers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from annotations.models import Annotation, Status, Visibility
from annotations.peers.rules import readings_held_back, readings_in_groups, shown_in_groups
from seminar.models import STAFF_ROLES, Discussion, Membership, PeerVisibility

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from seminar.models import Reading, User


def sees_classmates(user: User | AnonymousUser, reading: Reading) -> bool:
    """Whether `user` sees classmates' posts on `reading` now. No query for a reading that
    always shows them."""
    if reading.peer_visibility == PeerVisibility.ALWAYS or not user.is_authenticated:
        return True
    return not readings_held_back(user).filter(pk=reading.pk).exists()


def sees_the_class_list(user: User | AnonymousUser, reading: Reading) -> bool:
    """Whether `user` sees the list every member of their audience sees: not when
    classmates' posts are held back from them, nor as a student of a reading discussed in
    groups (their group's list is theirs). No query for a reading of neither kind."""
    if not sees_classmates(user, reading):
        return False
    if reading.discussion != Discussion.GROUPS or not user.is_authenticated:
        return True
    return not readings_in_groups(user).filter(pk=reading.pk).exists()


def held_back_count(user: User, reading: Reading) -> int:
    """How many classmates' posts on `reading` `user`, held back from them, will see once
    they may: a number, never which posts. Ask `sees_classmates` first."""
    staff = Membership.objects.filter(seminar=reading.seminar_id, role__in=STAFF_ROLES)
    return (
        Annotation.objects.filter(
            reading=reading,
            status=Status.PUBLISHED,
            visibility=Visibility.SEMINAR,
            author__isnull=False,
        )
        .exclude(author=user)
        .exclude(author__in=staff.values("user"))
        .filter(shown_in_groups(user) if reading.discussion == Discussion.GROUPS else Q())
        .count()
    )


def held_back_message(count: int, peer_visibility: str) -> str:
    """What the page says of the posts held back."""
    posts = "1 post" if count == 1 else f"{count} posts"
    until = (
        "once the discussion is due"
        if peer_visibility == PeerVisibility.AFTER_DUE
        else "once you annotate a passage yourself"
    )
    if not count:
        return f"Your classmates' posts appear here {until}."
    return f"{posts} by classmates appear {until}."
