"""Annotations as CSV: a row per annotation or reply, for spreadsheets and statistics.

Threads are contiguous (a thread's first post, then its replies in time order), and `thread`
and `parent` say how rows hang together. Cells go through `spreadsheets.safe_cell`, so a
post that starts with "=" is text, never a formula; `excel=True` adds the byte-order mark
Excel needs to read UTF-8. Positions are code points into the revision named in `revision`.
"""

from annotations.export.snapshot import LIST_FIELDS
from annotations.spreadsheets import stream_csv

HEADER = [
    "id",
    "reading",
    "thread",
    "parent",
    "kind",
    "quote",
    "start",
    "end",
    "revision",
    "anchor status",
    "tags",
    "text",
    "author",
    "role",
    "visibility",
    "status",
    "pinned",
    "locked",
    "moderation reason",
    "created",
    "updated",
    "edited",
    "marks",
    "score",
    "score comment",
]


def rows(scope):
    """The header, then a list of cells per annotation."""
    yield HEADER
    titles = {r.pk: r.title for r in scope.readings}
    credit, role = scope.people.credit, scope.people.author_role
    for a in scope.annotation_rows(order="thread", scored=True, fields=LIST_FIELDS):
        passage = a["start"] is not None
        yield [
            a["id"],
            titles.get(a["reading_id"], ""),
            a["thread_id"] or a["id"],
            a["parent_id"],
            a["kind"],
            a["quote_exact"],
            a["start"],
            a["end"],
            a["anchored_revision__number"] if passage else a["revision__number"],
            a["anchor_status"],
            "; ".join(a["tags"]),
            a["text"],
            credit(a),
            role(a),
            a["visibility"],
            a["status"],
            a["pinned"],
            a["locked"],
            a["moderation_reason"],
            a["created"],
            a["updated"],
            a["edited"],
            a["marks"] or 0,
            a["score__value"],
            a["score__comment"],
        ]


BATCH_BYTES = 64 * 1024


def batched(chunks, size=BATCH_BYTES):
    """Small chunks joined into ~64 KB ones: a WSGI server writes each chunk it gets with a
    system call of its own, and 100,000 rows should not cost 100,000 of them."""
    pending, length = [], 0
    for chunk in chunks:
        pending.append(chunk)
        length += len(chunk)
        if length >= size:
            yield b"".join(pending)
            pending, length = [], 0
    if pending:
        yield b"".join(pending)


def stream(scope, *, excel=False):
    """Encoded CSV (UTF-8) in chunks of about 64 KB, one row at a time underneath."""
    return batched(stream_csv(rows(scope), excel=excel))
