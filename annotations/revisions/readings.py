"""Write paths for readings that touch their discussion.

Importing: the text becomes a Reading and its reader comments the first comments. The web form
(after its preview, annotations/revisions/imports.py) and `manage.py import_reading` both read
files with `read_upload` and save with `reading_import`, so a file behaves the same either
way. Editing: `reading_save` changes the details and the text in one transaction, with the
annotations re-anchored (annotations.revisions.services). These live here, not in `seminar`, because
comments are annotations and `seminar` never imports `annotations`.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from annotations.peers.services import reading_set_discussion, reading_set_peer_visibility
from annotations.revisions.services import Summary, reading_revise_and_reanchor
from annotations.services import comment_create
from seminar import textformats
from seminar.documents import uploads
from seminar.models import (
    Discussion,
    PeerVisibility,
    Reading,
    ReadingRevision,
    ReadingStatus,
    Seminar,
    User,
)
from seminar.services import ServiceError, reading_create, reading_update


def read_upload(*, data: bytes, filename: str) -> uploads.Imported:
    """Bytes of an uploaded file (text, Markdown, HTML, PDF, .docx, EPUB) -> Imported, with
    what the preview shows; or ServiceError saying what to fix."""
    try:
        return uploads.read_upload(data, filename=filename)
    except textformats.TextFormatError as exc:
        raise ServiceError(str(exc)) from exc


def read_pasted(*, source: str, format: str) -> uploads.Imported:
    try:
        return uploads.read_pasted(source, format=format)
    except textformats.TextFormatError as exc:
        raise ServiceError(str(exc)) from exc


def parse_upload(*, data: bytes, filename: str) -> textformats.ParsedReading:
    """Bytes of an uploaded file -> ParsedReading, or ServiceError saying what to fix."""
    return read_upload(data=data, filename=filename).parsed


def parse_pasted(*, source: str, format: str) -> textformats.ParsedReading:
    return read_pasted(source=source, format=format).parsed


@transaction.atomic
def reading_import(
    *,
    seminar: Seminar,
    creator: User,
    parsed: textformats.ParsedReading,
    title: str = "",
    byline: str = "",
    date: datetime.date | None = None,
    due: datetime.datetime | None = None,
    status: str = ReadingStatus.DRAFT,
    peer_visibility: str = PeerVisibility.ALWAYS,
    discussion: str = Discussion.CLASS,
) -> Reading:
    """Create the reading and its reader comments; what the form says wins over the file."""
    reading = reading_create(
        seminar=seminar,
        creator=creator,
        title=title or parsed.title,
        byline=byline or parsed.byline,
        date=date or parsed.date,
        due=due,
        status=status,
        peer_visibility=peer_visibility,
        discussion=discussion,
        source=parsed.source,
        format=parsed.format,
        rendered=parsed.rendered,
    )
    # Reader comments keep their order; they are dated on the post's day when it has one.
    base = (
        timezone.make_aware(datetime.datetime.combine(reading.date, datetime.time(12)))
        if reading.date
        else timezone.now()
    )
    for i, comment in enumerate(parsed.comments):
        comment_create(
            reading=reading,
            author=None,
            author_name=comment.author,
            text=comment.text,
            created=base + datetime.timedelta(minutes=i),
        )
    return reading


@transaction.atomic
def reading_save(
    *,
    reading: Reading,
    editor: User,
    title: str,
    byline: str,
    date: datetime.date | None,
    due: datetime.datetime | None,
    status: str,
    source: str,
    format: str,
    note: str = "",
    peer_visibility: str | None = None,
    discussion: str | None = None,
) -> tuple[ReadingRevision | None, Summary | None]:
    """Details and text together: a bad text leaves the details unsaved too.

    Returns (new revision, re-anchoring Summary), or (None, None) when the text is the same."""
    if peer_visibility is not None:
        reading_set_peer_visibility(reading=reading, actor=editor, value=peer_visibility, due=due)
    if discussion is not None:
        reading_set_discussion(reading=reading, actor=editor, value=discussion)
    reading_update(reading=reading, title=title, byline=byline, date=date, due=due, status=status)
    return reading_revise_and_reanchor(
        reading=reading, editor=editor, source=source, format=format, note=note
    )
