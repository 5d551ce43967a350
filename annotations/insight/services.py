"""The class's posts on a reading, as the heat map and Before class count them.

"The class" is the seminar's students (one group of them, if asked): their posts on a
passage of the current revision, published or awaiting approval. Private notes are their
author's alone; hidden and deleted posts are the moderators' business, not the class's
confusion; orphans have no place in the text to shade. Staff see every one of these posts
(annotations/models.py, the staff audience), so counting them shows staff nothing new.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, IntegerField, Q, QuerySet, Value

from annotations.insight.spans import KIND_COUNTS, Span, sweep
from annotations.models import PASSAGE_KINDS, AnchorStatus, Annotation, Status, Visibility
from seminar.errors import ServiceError
from seminar.models import Group, Membership, Role

if TYPE_CHECKING:
    from seminar.models import Reading, Seminar

COUNTED = (Status.PUBLISHED, Status.PENDING)


def group_named(*, seminar: Seminar, group_id: int | str | None) -> Group | None:
    """The seminar's group of that id, None for the whole class; a ServiceError for any
    other id (a group of another seminar reads like one that does not exist)."""
    if group_id in (None, ""):
        return None
    try:
        return Group.objects.get(seminar=seminar, pk=int(group_id))
    except (Group.DoesNotExist, ValueError, TypeError):
        raise ServiceError("No such group in this seminar: choose one from the list.") from None


def class_members(*, seminar: Seminar, group: Group | None = None) -> QuerySet[Membership]:
    """The seminar's students, or one group's."""
    members = Membership.objects.filter(seminar=seminar, role=Role.STUDENT)
    if group is not None:
        members = members.filter(group=group)
    return members


def class_posts(*, reading: Reading, group: Group | None = None) -> QuerySet[Annotation]:
    """Every post the class has made on the reading, replies and page comments too."""
    students = class_members(seminar=reading.seminar, group=group).values("user_id")
    return Annotation.objects.filter(
        ~Q(visibility=Visibility.PRIVATE),
        reading=reading,
        status__in=COUNTED,
        author_id__in=students,
    )


def class_passages(*, reading: Reading, group: Group | None = None) -> QuerySet[Annotation]:
    """The class's posts on a passage that is in the current text."""
    return (
        class_posts(reading=reading, group=group)
        .filter(
            kind__in=PASSAGE_KINDS,
            parent__isnull=True,
            start__isnull=False,
            end__isnull=False,
            anchored_revision_id=reading.current_revision_id,
        )
        .exclude(anchor_status=AnchorStatus.ORPHANED)
    )


def _boundary_rows(reading: Reading, group: Group | None) -> list[tuple[int, str, int]]:
    # One query that sums the posts starting (+n) and ending (-n) at each position, by
    # kind, so Python sees distinct boundaries, not posts.
    posts = class_passages(reading=reading, group=group).order_by()
    starts = posts.values("start", "kind").annotate(n=Count("pk")).values_list("start", "kind", "n")
    ends = (
        posts.values("end", "kind")
        .annotate(n=Count("pk") * Value(-1, output_field=IntegerField()))
        .values_list("end", "kind", "n")
    )
    return list(starts.union(ends, all=True))


def passage_spans(*, reading: Reading, group: Group | None = None) -> list[Span]:
    """The merged spans of the class's passages."""
    return sweep(_boundary_rows(reading, group))


def passage_map(*, reading: Reading, group: Group | None = None) -> dict:
    """The heat map's document: the spans, the most posts on any character, and how many
    posts of each kind it counts."""
    rows = _boundary_rows(reading, group)
    spans = sweep(rows)
    totals = dict.fromkeys(KIND_COUNTS.values(), 0)
    for _, kind, n in rows:
        if n > 0:
            totals[KIND_COUNTS.get(kind, "notes")] += n
    return {
        "reading": reading.pk,
        "revision": reading.current_revision_id,
        "group": group.pk if group else None,
        "posts": sum(totals.values()),
        "totals": totals,
        "max_posts": max((span.posts for span in spans), default=0),
        "max_questions": max((span.count("question") for span in spans), default=0),
        "spans": [span.as_dict() for span in spans],
    }
