"""Setting a reading's peer visibility, with what the change does said and put on record."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from annotations.models import PASSAGE_KINDS, Annotation, Status, Visibility
from seminar.models import AccessChange, Discussion, Membership, PeerVisibility, Role
from seminar.services import ServiceError, peer_visibility_problem

if TYPE_CHECKING:
    from seminar.models import Reading, User


def students_held_back(
    *, reading: Reading, value: str, due: datetime.datetime | None, now: datetime.datetime
) -> int:
    """How many of the seminar's students would not see classmates' posts under `value`
    (the rule of peer/rules.py, for a setting not saved yet)."""
    students = Membership.objects.filter(seminar=reading.seminar_id, role=Role.STUDENT)
    if value == PeerVisibility.ALWAYS:
        return 0
    if value == PeerVisibility.AFTER_DUE:
        return students.count() if due is None or due > now else 0
    posted = Annotation.objects.filter(
        reading=reading,
        author=OuterRef("user"),
        parent__isnull=True,
        kind__in=PASSAGE_KINDS,
        status=Status.PUBLISHED,
    ).exclude(visibility=Visibility.PRIVATE)
    return students.filter(~Exists(posted)).count()


def peer_visibility_effect(
    *, reading: Reading, value: str, due: datetime.datetime | None = None
) -> str:
    """What setting `value` would do, in a sentence for the instructor to confirm."""
    due = reading.due if due is None else due
    held = students_held_back(reading=reading, value=value, due=due, now=timezone.now())
    if value == PeerVisibility.ALWAYS or not held:
        return "Every student sees classmates' posts on this reading."
    who = "1 student" if held == 1 else f"{held} students"
    until = (
        "until they annotate a passage themselves"
        if value == PeerVisibility.AFTER_POSTING
        else f"until {timezone.localtime(due):%-d %B, %H:%M}"
    )
    return (
        f"{who} will see only their own posts and the staff's {until}. "
        "Nothing anyone has written is hidden from its author."
    )


def _recorded(reading, actor, setting, before, after, effect):
    change = AccessChange.of(
        seminar_id=reading.seminar_id,
        reading=reading,
        actor=actor,
        setting=setting,
        before=before,
        after=after,
        effect=effect,
    )
    change.save()
    return change


@transaction.atomic
def reading_set_peer_visibility(
    *,
    reading: Reading,
    actor: User,
    value: str,
    due: datetime.datetime | None = None,
) -> AccessChange | None:
    """Set when students see classmates' posts on `reading`; `due`: the due date it will
    have (its own if None). The change and what it did are recorded; None if nothing
    changed."""
    due = reading.due if due is None else due
    if problem := peer_visibility_problem(value, due):
        raise ServiceError(problem)
    before = reading.peer_visibility
    if value == before:
        return None
    effect = peer_visibility_effect(reading=reading, value=value, due=due)
    reading.peer_visibility = value
    reading.save(update_fields=["peer_visibility", "updated"])
    return _recorded(reading, actor, "peer_visibility", before, value, effect)


def discussion_effect(*, reading: Reading, value: str) -> str:
    """What discussing `reading` among `value` would do, in a sentence."""
    if value == Discussion.CLASS:
        return "Every student sees the whole class's posts on this reading."
    students = Membership.objects.filter(seminar=reading.seminar_id, role=Role.STUDENT)
    groups = students.exclude(group=None).values("group").distinct().count()
    alone = students.filter(group=None).count()
    effect = f"Students see and hear of their own group's posts only ({groups} groups)."
    if alone:
        who = "1 student" if alone == 1 else f"{alone} students"
        effect += f" {who} in no group will see only their own posts and the staff's."
    return effect


@transaction.atomic
def reading_set_discussion(*, reading: Reading, actor: User, value: str) -> AccessChange | None:
    """Discuss `reading` among the whole class or each group; recorded with what it did.
    None if nothing changed."""
    if value not in Discussion.values:
        raise ServiceError(f"discussion must be one of: {', '.join(Discussion.values)}.")
    before = reading.discussion
    if value == before:
        return None
    effect = discussion_effect(reading=reading, value=value)
    reading.discussion = value
    reading.save(update_fields=["discussion", "updated"])
    return _recorded(reading, actor, "discussion", before, value, effect)
