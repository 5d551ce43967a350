"""An annotation as the JSON API shows it, and fetching one for the API: shared by the
annotation endpoints and by every capability's router (moderation, grading, exports).

`AnnotationOut` is the one description of that shape; the presenter fills it.
"""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Schema

from annotations.models import Annotation
from annotations.presenting import Presenter, rows
from seminar.errors import NotPermitted


class AuthorOut(Schema):
    name: str
    role: str | None
    is_me: bool
    pseudonym: bool
    imported: bool


class SelectorOut(Schema):
    type: str
    exact: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    start: int | None = None
    end: int | None = None


class TargetOut(Schema):
    source: str
    revision: int | None
    written_on: int | None
    original_quote: str
    selector: list[SelectorOut]


class AnnotationOut(Schema):
    id: int
    reading: int
    parent: int | None
    thread: int
    kind: str
    text: str
    html: str
    tags: list[str]
    visibility: str
    status: str
    anchor_status: str | None
    author: AuthorOut
    created: datetime.datetime
    updated: datetime.datetime
    edited: bool
    deleted: bool
    votes: int
    voted: bool
    pinned: bool
    locked: bool
    moderation_reason: str
    flags: int
    flagged: bool
    can_edit: bool
    can_delete: bool
    can_reply: bool
    can_flag: bool
    can_moderate: bool
    can_reattach: bool
    # A stand-in for a concealed post above one of the caller's own: its place, no content.
    placeholder: bool = False
    target: TargetOut | None


def access_annotation_api(user, annotation_id, *, allowed=None):
    """The annotation, or 404 if the caller may not see it; 403 if seen but not allowed."""
    queryset = Annotation.objects.visible_to(user).select_related(
        "reading__seminar", "reading__current_revision"
    )
    annotation = get_object_or_404(queryset, pk=annotation_id)
    if allowed is not None and not allowed(user, annotation):
        raise NotPermitted("Only its author can do that to a post.")
    return annotation


def present_one(user, annotation):
    row = rows(Annotation.objects.filter(pk=annotation.pk), user).get()
    return Presenter(user, annotation.reading).present(row)
