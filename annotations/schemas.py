"""An annotation as the JSON API shows it, and fetching one for the API: shared by the
annotation endpoints and by every capability's router (moderation, grading, exports).

`AnnotationOut` is the one description of that shape; the presenter fills it.
"""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Schema

from annotations.models import CONTENT_FIELDS, Annotation
from annotations.presenting import Presenter, rows
from seminar.errors import NotPermitted
from seminar.permissions import remember_role, role_in, role_subquery


class AuthorOut(Schema):
    name: str
    role: str | None
    is_me: bool
    pseudonym: bool
    imported: bool
    group: str | None = Field(None, description="Their group's name: for the staff only.")


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


class ResolutionOut(Schema):
    state: str
    note: str
    by: str | None
    at: datetime.datetime | None


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
    can_resolve: bool = False
    can_endorse: bool = False
    # A question's state (null on other kinds); a reply staff endorsed as the answer.
    resolution: ResolutionOut | None = None
    endorsed: bool = False
    # A stand-in for a concealed post above one of the caller's own: its place, no content.
    placeholder: bool = False
    target: TargetOut | None


def access_annotation_api(user, annotation_id, *, allowed=None):
    """The annotation, or 404 if the caller may not see it; 403 if seen but not allowed."""
    # Its author too (a reply tells them: a join, not a query); not the reading's text, which
    # no endpoint about one post reads and a long reading makes large.
    queryset = Annotation.objects.visible_to(user).select_related("reading__seminar", "author")
    if user.is_authenticated:  # the caller's role comes with the post: one query, not two
        queryset = queryset.annotate(caller_role=role_subquery(user, "reading__seminar_id"))
    annotation = get_object_or_404(queryset, pk=annotation_id)
    if user.is_authenticated:
        remember_role(user, annotation.reading.seminar_id, annotation.caller_role)
    if allowed is not None and not allowed(user, annotation):
        raise NotPermitted("Only its author can do that to a post.")
    return annotation


def present_one(user, annotation):
    row = rows(Annotation.objects.filter(pk=annotation.pk), user).get()
    return Presenter(user, annotation.reading).present(row)


def present_new(user, annotation):
    """A post `user` has just written, as `present_one` shows it, from what the write already
    holds instead of reading it back: nobody has marked or flagged it yet, its thread took it
    (so it is not locked), and its author is the caller, whose role the request knows. Only a
    post that mentions someone loads the seminar's members, to name them."""
    if annotation.author_id != user.pk or _thread_kind(annotation) is False:
        return present_one(user, annotation)
    row = {field: getattr(annotation, field) for field in CONTENT_FIELDS}
    row.update(
        id=annotation.pk,
        reading_id=annotation.reading_id,
        parent_id=annotation.parent_id,
        thread_id=annotation.thread_id,
        author_id=user.pk,
        author__display_name=user.display_name,
        author__username=user.username,
        anchored_revision_id=annotation.anchored_revision_id,
        revision_id=annotation.revision_id,
        thread__locked=False,
        thread__kind=None if annotation.thread_id is None else _thread_kind(annotation),
        resolved_by_id=None,
        resolved_by__display_name=None,
        resolved_by__username=None,
        vote_total=0,
        voted_by_me=False,
        open_flags=0,
        flagged_by_me=False,
    )
    reading = annotation.reading
    known = None
    if 'class="mention"' not in annotation.html:
        known = ({user.pk: role_in(user, reading.seminar)}, {})
    return Presenter(user, reading, known_people=known).present(row)


def _thread_kind(annotation):
    """The kind of a new reply's thread from what the write loaded: its parent, when that
    is the top; False when only a query would tell."""
    if annotation.thread_id is None:
        return None
    parent = annotation.parent
    return parent.kind if parent is not None and parent.thread_id is None else False
