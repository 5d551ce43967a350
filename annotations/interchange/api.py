"""Annotation import endpoint of the JSON API (docs/api.md, "Importing annotations")."""

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema

from annotations.interchange.formats import MAX_BYTES, Bad, too_large
from annotations.interchange.services import annotations_import
from seminar.api import access_reading_api
from seminar.permissions import can_edit_reading

router = Router(tags=["interchange"])


class ImportReportOut(Schema):
    placed_exactly: int = Field(..., description="Passages found where their position said.")
    moved: int = Field(
        ..., description="Passages found elsewhere, with other whitespace, or slightly edited."
    )
    orphaned: int = Field(..., description="Passages not placed: kept with their quote.")
    replies: int
    page_comments: int
    skipped: int = Field(..., description="Items not imported (see skipped_by_reason).")
    skipped_by_reason: dict[str, int]
    orphan_quotes: list[str] = Field(..., description="The first 20 orphans' quotes.")


@router.post("/readings/{reading_id}/annotations/import", response=ImportReportOut)
def import_annotations(request, reading_id: int, visibility: str = "seminar"):
    """Instructors: import a Hypothesis export or W3C Web Annotation JSON-LD (Seminar's own
    included) onto the reading's current text, as the JSON body or a multipart `file`. Each
    passage is placed exactly, moved, or kept as an orphan with its quote; a file of the
    wrong shape is a 400 naming the first bad item, and nothing is imported."""
    reading = access_reading_api(request.user, reading_id)
    if not can_edit_reading(request.user, reading):
        raise PermissionDenied("Only instructors of the seminar can import annotations.")
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size > MAX_BYTES:
            raise Bad(too_large())
        data = upload.read()
    else:
        data = request.body
    report = annotations_import(
        reading=reading, actor=request.user, data=data, visibility=visibility
    )
    return report.as_dict()
