"""Insight endpoint of the JSON API (docs/api.md, "Insight"): the heat map's spans."""

import hashlib
import json

from django.http import Http404
from ninja import Field, Router, Schema

from annotations.insight import services as insight
from annotations.insight.permissions import can_see_insight
from annotations.listing.responses import revalidated_json
from seminar.api import access_reading_api

router = Router(tags=["insight"])


class SpanOut(Schema):
    start: int = Field(..., description="First code point of the span in the current text.")
    end: int = Field(..., description="One past its last code point.")
    posts: int = Field(..., description="The class's posts covering every character of it.")
    questions: int
    critiques: int
    evidence: int
    connections: int
    notes: int


class TotalsOut(Schema):
    questions: int
    critiques: int
    evidence: int
    connections: int
    notes: int


class InsightOut(Schema):
    reading: int
    revision: int | None
    group: int | None = Field(..., description="The group counted, or null for the class.")
    posts: int = Field(..., description="How many posts on a passage the map counts.")
    totals: TotalsOut
    max_posts: int
    max_questions: int
    spans: list[SpanOut]


@router.get("/readings/{reading_id}/insight", response=InsightOut)
def reading_insight(request, reading_id: int, group: int | None = None):
    """Staff: the reading shaded by how many of the class's posts cover each character, as
    merged spans with counts by kind (orphans, private notes, hidden and deleted posts are
    not counted). `group`: one group's posts only."""
    reading = access_reading_api(request.user, reading_id)
    if not can_see_insight(request.user, reading.seminar):
        raise Http404
    chosen = insight.group_named(seminar=reading.seminar, group_id=group)
    # Bytes, not the schema's objects: checking 5,000 spans against it again cost 40% of the
    # request (bench/insight.py). The ETag is the body's own: a repeat load that finds the
    # class has not moved is a 304 without a body, gzip when the client takes it.
    body = json.dumps(
        insight.passage_map(reading=reading, group=chosen), separators=(",", ":")
    ).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    return revalidated_json(request, etag, lambda: body)
