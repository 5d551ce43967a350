"""GET /api/readings/{id}/changes?since=<cursor> (annotations/live)."""

from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponseNotModified
from ninja import Router, Schema

from annotations.listing.responses import revalidated_json
from annotations.live import cursors
from annotations.live.access import access_reading_for_poll
from annotations.live.changes import changes_since
from annotations.schemas import AnnotationOut

router = Router(tags=["annotations"])


class ChangedThread(Schema):
    thread: int
    items: list[AnnotationOut]


class Changes(Schema):
    cursor: str
    reset: bool
    threads: list[ChangedThread]
    others: bool


def etag(cursor: str, since: str, user_id: int) -> str:
    facts = f"{cursors.FORMAT}:{since}:{cursor}:{user_id}"
    return f'"{hashlib.sha256(facts.encode()).hexdigest()[:32]}"'


@router.get("/readings/{reading_id}/changes", auth=None, response={200: Changes, 304: None})
def reading_changes(request, reading_id: int, since: str = ""):
    """What changed since `since` (a cursor from an earlier answer, or the list's
    `X-Changes-Cursor` header) that the caller may see: each changed thread as the list
    gives it. 304 while nothing changed. Without `since`: the current cursor."""
    reading = access_reading_for_poll(request, reading_id)
    since = since.strip()
    before = cursors.parse(since) if since else None  # a 400 that says what to send
    cursor = cursors.cursor_of(reading.list_version)
    if before == reading.list_version:
        response = HttpResponseNotModified()
        response["ETag"] = etag(cursor, cursor, request.user.pk)
        response["Cache-Control"] = "private, no-cache"
        return response
    if before is None:
        answer = {"cursor": cursor, "reset": False, "threads": [], "others": False}
    else:
        answer = changes_since(user=request.user, reading=reading, since=before)
    # Serialized as the list is: the presenter builds the schema's shape (annotations/api.py).
    body = json.dumps(answer, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    return revalidated_json(request, etag(cursor, since, request.user.pk), lambda: body)
