"""The annotation endpoints of the JSON API (see docs/api.md): threads, replies, marks,
and revising a reading's text (which re-anchors its annotations)."""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from ninja import Field, Router, Schema, Status

from annotations import services
from annotations.listing import documents as listing
from annotations.listing.access import access_reading_for_list, access_reading_for_write
from annotations.listing.responses import revalidated_json
from annotations.live.cursors import cursor_of
from annotations.mentions import mention_candidates
from annotations.models import AnchorStatus
from annotations.peers.permissions import list_view
from annotations.peers.services import reading_set_discussion, reading_set_peer_visibility
from annotations.permissions import can_comment
from annotations.revisions.services import reading_revise_and_reanchor
from annotations.schemas import AnnotationOut, access_annotation_api, present_new, present_one
from seminar.api import ReadingOut, access_reading_api, reading_out
from seminar.permissions import can_edit_reading
from seminar.services import ServiceError

router = Router(tags=["annotations"])


class SelectorIn(Schema):
    type: Literal["TextQuoteSelector", "TextPositionSelector"]
    exact: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    start: int | None = None
    end: int | None = None


class TargetIn(Schema):
    selector: list[SelectorIn] = Field(..., min_length=1, max_length=4)


class AnnotationIn(Schema):
    kind: str = "comment"
    text: str
    tags: list[str] = []
    visibility: str = "seminar"
    target: TargetIn | None = None
    client_id: str = Field("", max_length=64)


class AnnotationPatch(Schema):
    text: str | None = None
    kind: str | None = None
    tags: list[str] | None = None
    visibility: str | None = None


class ReplyIn(Schema):
    text: str
    client_id: str = Field("", max_length=64)


class AnnotationList(Schema):
    reading: int
    revision: int | None
    count: int
    held_back: int | None = Field(
        None,
        description="How many classmates' posts the caller will see once they may (the "
        "reading's peer_visibility: after posting, or after the due date); null when they "
        "see them already.",
    )
    items: list[AnnotationOut]


class ReadingBodyIn(Schema):
    body: str = Field(..., max_length=5 * 1024 * 1024)
    format: Literal["text", "markdown", "html"] | None = None
    note: str = Field("", max_length=300)


class RevisionSummaryOut(Schema):
    revision: int
    anchored: int
    moved: int
    orphaned: int


class ReattachIn(Schema):
    target: TargetIn


class VotesOut(Schema):
    votes: int
    voted: bool


class MemberOut(Schema):
    id: int = Field(..., description="The membership's id: what a mention token holds.")
    name: str = Field(..., description="As the caller may name them: a pseudonym or a name.")
    role: str | None
    unreached: dict[str, str] = Field(
        ...,
        description="{visibility: why a post of that visibility would not notify them}; "
        "a visibility missing here would.",
    )


def quote_from(target):
    """One dict of the two W3C selectors; the position is optional, the quote is not."""
    quote = {}
    for selector in target.selector:
        if selector.type == "TextQuoteSelector":
            quote.update(exact=selector.exact, prefix=selector.prefix, suffix=selector.suffix)
        else:
            if selector.start is None or selector.end is None:
                raise ServiceError("A TextPositionSelector needs both start and end.")
            quote.update(start=selector.start, end=selector.end)
    if not quote.get("exact"):
        raise ServiceError("The target needs a TextQuoteSelector with the exact words quoted.")
    return quote


@router.get("/readings/{reading_id}/annotations", response={200: AnnotationList, 304: None})
def list_annotations(request, reading_id: int):
    """Every post the caller may see, with placeholders for concealed posts above their own
    (permissions.py). A strong ETag: sent back in `If-None-Match`, 304 while nothing the list
    shows the caller has changed."""
    reading = access_reading_for_list(request.user, reading_id)
    view = list_view(request.user, reading)
    # The schema documents this response; validating 2,000 items against it would double
    # the time of the page's busiest request, and the presenter builds exactly that shape.
    response = revalidated_json(
        request,
        listing.etag(request.user, reading, held=view.held),
        lambda: listing.list_body(request.user, reading, view=view),
    )
    # Where the page's live updates start from (annotations/live): the version read
    # before the rows, so nothing after it is missed.
    response["X-Changes-Cursor"] = cursor_of(reading.list_version)
    return response


@router.post(
    "/readings/{reading_id}/annotations", response={200: AnnotationOut, 201: AnnotationOut}
)
def create_annotation(request, reading_id: int, payload: AnnotationIn):
    # Not its text: the write reads that under its lock (services._lock_current_text).
    reading = access_reading_for_write(request.user, reading_id)
    if not can_comment(request.user, reading):
        raise Http404
    quote = quote_from(payload.target) if payload.target else None
    kind = payload.kind if (payload.target or payload.kind != "comment") else "comment"
    annotation, created = services.annotation_create(
        reading=reading,
        author=request.user,
        kind=kind,
        text=payload.text,
        tags=payload.tags,
        visibility=payload.visibility,
        quote=quote,
        client_id=payload.client_id,
    )
    if not created:  # the first of a repeated client_id: as it is now, votes and all
        return Status(200, present_one(request.user, annotation))
    return Status(201, present_new(request.user, annotation))


@router.get("/readings/{reading_id}/members", response=list[MemberOut])
def list_members(request, reading_id: int, q: str = "", parent: int | None = None):
    """Whom the caller may mention in a post on this reading (`q`: a name's first letters;
    `parent`: the post a reply would answer), each named as the caller may name them."""
    reading = access_reading_api(request.user, reading_id)
    answered = None
    if parent is not None:
        answered = access_annotation_api(request.user, parent)
        if answered.reading_id != reading.pk:
            raise Http404
    return mention_candidates(writer=request.user, reading=reading, parent=answered, q=q[:100])


@router.get("/annotations/{annotation_id}", response=AnnotationOut)
def get_annotation(request, annotation_id: int):
    return present_one(request.user, access_annotation_api(request.user, annotation_id))


@router.patch("/annotations/{annotation_id}", response=AnnotationOut)
def update_annotation(request, annotation_id: int, payload: AnnotationPatch):
    annotation = access_annotation_api(request.user, annotation_id)
    updated = services.annotation_update(
        annotation=annotation, editor=request.user, **payload.dict(exclude_unset=True)
    )
    return present_one(request.user, updated)


@router.delete("/annotations/{annotation_id}", response={204: None})
def delete_annotation(request, annotation_id: int):
    annotation = access_annotation_api(request.user, annotation_id)
    services.annotation_delete(annotation=annotation, actor=request.user)
    return Status(204, None)


@router.post(
    "/annotations/{annotation_id}/replies", response={200: AnnotationOut, 201: AnnotationOut}
)
def create_reply(request, annotation_id: int, payload: ReplyIn):
    parent = access_annotation_api(request.user, annotation_id)
    reply, created = services.reply_create(
        parent=parent, author=request.user, text=payload.text, client_id=payload.client_id
    )
    if not created:
        return Status(200, present_one(request.user, reply))
    return Status(201, present_new(request.user, reply))


@router.post("/annotations/{annotation_id}/vote", response=VotesOut)
def add_vote(request, annotation_id: int):
    annotation = access_annotation_api(request.user, annotation_id)
    return {"votes": services.vote_add(annotation=annotation, user=request.user), "voted": True}


@router.delete("/annotations/{annotation_id}/vote", response=VotesOut)
def remove_vote(request, annotation_id: int):
    annotation = access_annotation_api(request.user, annotation_id)
    return {"votes": services.vote_remove(annotation=annotation, user=request.user), "voted": False}


@router.get("/readings/{reading_id}", response=ReadingOut, tags=["seminars"])
def get_reading(request, reading_id: int):
    return reading_out(access_reading_api(request.user, reading_id), text=True)


@router.put("/readings/{reading_id}", response=RevisionSummaryOut)
def revise_reading(request, reading_id: int, payload: ReadingBodyIn):
    """Instructors: a new revision from new source text; annotations re-anchor to it."""
    reading = access_reading_api(request.user, reading_id)
    if not can_edit_reading(request.user, reading):
        raise PermissionDenied("Only instructors of the seminar can change a reading's text.")
    current = reading.current_revision
    revision, summary = reading_revise_and_reanchor(
        reading=reading,
        editor=request.user,
        source=payload.body,
        format=payload.format or (current.format if current else "text"),
        note=payload.note,
    )
    if revision is None:  # the same text: nothing moved, and orphans stay orphans
        passages = reading.annotations.filter(start__isnull=False)
        orphaned = passages.filter(anchor_status=AnchorStatus.ORPHANED).count()
        anchored = passages.count() - orphaned
        return {"revision": current.pk, "anchored": anchored, "moved": 0, "orphaned": orphaned}
    return {"revision": revision.pk, **summary.as_dict()}


class ReadingSettingsIn(Schema):
    peer_visibility: Literal["always", "after_posting", "after_due"] | None = Field(
        None,
        description="When students see classmates' posts: always; once they have published "
        "a passage annotation there; or once the due date has passed (the reading needs one).",
    )
    discussion: Literal["class", "groups"] | None = Field(
        None,
        description="Among whom students discuss it: the whole class, or each group by itself.",
    )


class ReadingSettingsOut(ReadingOut):
    effect: str = Field(..., description="What the change did, as the audit trail records it.")


@router.patch("/readings/{reading_id}", response=ReadingSettingsOut, tags=["seminars"])
def change_reading(request, reading_id: int, payload: ReadingSettingsIn):
    """Instructors: change a reading's settings. A change of who sees what is recorded in
    the seminar's audit log with what it did."""
    reading = access_reading_api(request.user, reading_id)
    if not can_edit_reading(request.user, reading):
        raise PermissionDenied("Only instructors of the seminar can change a reading's settings.")
    changes = []
    with transaction.atomic():
        if payload.peer_visibility is not None:
            changes.append(
                reading_set_peer_visibility(
                    reading=reading, actor=request.user, value=payload.peer_visibility
                )
            )
        if payload.discussion is not None:
            changes.append(
                reading_set_discussion(
                    reading=reading, actor=request.user, value=payload.discussion
                )
            )
    effect = " ".join(change.effect for change in changes if change) or "Nothing changed."
    return {**reading_out(reading, text=True), "effect": effect}


@router.post("/annotations/{annotation_id}/reattach", response=AnnotationOut)
def reattach_annotation(request, annotation_id: int, payload: ReattachIn):
    annotation = access_annotation_api(request.user, annotation_id)
    moved = services.annotation_reattach(
        annotation=annotation, quote=quote_from(payload.target), actor=request.user
    )
    return present_one(request.user, moved)
