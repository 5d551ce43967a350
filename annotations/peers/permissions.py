"""Whether a student sees classmates' posts on a reading yet (annotations/peers)."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class ListView:
    """How `user`'s annotation list on a reading differs from their audience's."""

    held: bool  # classmates' posts are held back from them
    own: bool  # their list is theirs alone: held back, or a student of a group reading


def list_view(user: User | AnonymousUser, reading: Reading) -> ListView:
    """No query for a reading that neither holds posts back nor is discussed in groups; at
    most one for each of those it does."""
    held = not sees_classmates(user, reading)
    grouped = (
        not held
        and reading.discussion == Discussion.GROUPS
        and user.is_authenticated
        and readings_in_groups(user).filter(pk=reading.pk).exists()
    )
    return ListView(held=held, own=held or grouped)


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
