"""Moderation endpoints of the JSON API: flags, actions and the queue (docs/api.md)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Field, Router, Schema, Status

from annotations.models import Annotation
from annotations.moderation import services as moderation
from annotations.permissions import can_flag, can_moderate
from annotations.presenting import Presenter, rows
from annotations.schemas import AnnotationOut, access_annotation_api, present_one
from seminar.api import access_seminar_api
from seminar.permissions import can_teach
from seminar.pseudonyms import people

router = Router(tags=["moderation"])


class FlagIn(Schema):
    reason: str
    note: str = Field("", max_length=500)


class FlagOut(Schema):
    id: int
    reason: str
    note: str


class ModerationIn(Schema):
    action: str
    reason: str = Field("", max_length=300)


class QueueItem(AnnotationOut):
    reading_title: str
    flag_reasons: list[str]


class QueueOut(Schema):
    flagged: list[QueueItem]
    pending: list[QueueItem]
    hidden: list[QueueItem]


@router.post("/annotations/{annotation_id}/flags", response={201: FlagOut})
def flag_annotation(request, annotation_id: int, payload: FlagIn):
    annotation = access_annotation_api(request.user, annotation_id)
    if not can_flag(request.user, annotation) and annotation.author_id != request.user.pk:
        raise PermissionDenied("You can flag published posts of others.")
    flag = moderation.flag_create(
        annotation=annotation, user=request.user, reason=payload.reason, note=payload.note
    )
    return Status(201, {"id": flag.pk, "reason": flag.reason, "note": flag.note})


@router.post("/annotations/{annotation_id}/moderation", response=AnnotationOut)
def moderate_annotation(request, annotation_id: int, payload: ModerationIn):
    annotation = access_annotation_api(request.user, annotation_id)
    if not can_moderate(request.user, annotation.reading.seminar):
        raise PermissionDenied("Only the seminar's moderators can do that.")
    done = moderation.annotation_moderate(
        annotation=annotation,
        moderator=request.user,
        action=payload.action,
        reason=payload.reason,
    )
    return present_one(request.user, done)


@router.get("/seminars/{seminar_id}/moderation", response=QueueOut)
def moderation_queue(request, seminar_id: int):
    seminar = access_seminar_api(request.user, seminar_id)
    if not can_teach(request.user, seminar):
        raise Http404  # a staff page (seminar.access): students may not know of it
    if not can_moderate(request.user, seminar):
        raise PermissionDenied("Only the seminar's moderators can see its queue.")
    flagged, pending, hidden = moderation.moderation_queue(seminar=seminar, moderator=request.user)
    groups = {"flagged": list(flagged), "pending": list(pending), "hidden": list(hidden)}
    ids = {a.pk for items in groups.values() for a in items}
    by_id = {row["id"]: row for row in rows(Annotation.objects.filter(pk__in=ids), request.user)}
    reasons = moderation.open_flag_reasons(ids)
    presenters, members = {}, people(seminar)
    out = {}
    for name, items in groups.items():
        out[name] = []
        for a in items:
            if a.reading_id not in presenters:
                presenters[a.reading_id] = Presenter(request.user, a.reading, known_people=members)
            presenter = presenters[a.reading_id]
            item = presenter.present(by_id[a.pk])
            item.update(reading_title=a.reading.title, flag_reasons=reasons.get(a.pk, []))
            out[name].append(item)
    return out
