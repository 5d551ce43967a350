"""Question endpoints of the JSON API (docs/api.md, "Questions that close"): a question's
state, and endorsing a reply as its answer. Each returns the post as `AnnotationOut`."""

from ninja import Field, Router, Schema

from annotations.questions import services as questions
from annotations.schemas import AnnotationOut, access_annotation_api, present_one

router = Router(tags=["questions"])


class ResolutionIn(Schema):
    state: str
    note: str = Field("", max_length=300)


@router.post("/annotations/{annotation_id}/resolution", response=AnnotationOut)
def resolve_question(request, annotation_id: int, payload: ResolutionIn):
    annotation = access_annotation_api(request.user, annotation_id)
    done = questions.question_resolve(
        question=annotation, user=request.user, state=payload.state, note=payload.note
    )
    return present_one(request.user, done)


@router.post("/annotations/{annotation_id}/endorsement", response=AnnotationOut)
def endorse_reply(request, annotation_id: int):
    reply = access_annotation_api(request.user, annotation_id)
    done = questions.reply_endorse(reply=reply, user=request.user, endorsed=True)
    return present_one(request.user, done)


@router.delete("/annotations/{annotation_id}/endorsement", response=AnnotationOut)
def unendorse_reply(request, annotation_id: int):
    reply = access_annotation_api(request.user, annotation_id)
    done = questions.reply_endorse(reply=reply, user=request.user, endorsed=False)
    return present_one(request.user, done)
