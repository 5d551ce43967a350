"""Annotations as CSV: a row per annotation or reply, for spreadsheets and statistics.

Threads are contiguous (a thread's first post, then its replies in time order), and `thread`
and `parent` say how rows hang together. Cells go through `spreadsheets.safe_cell`, so a
post that starts with "=" is text, never a formula; `excel=True` adds the byte-order mark
Excel needs to read UTF-8. Positions are code points into the revision named in `revision`.
"""

from functools import partial

from django.db import connection

from annotations.export import csvsql
from annotations.export.snapshot import LIST_FIELDS
from annotations.spreadsheets import line_writer, safe_text, stream_csv

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
    "group",
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
    "question state",
    "question note",
]


def rows(scope):
    """The header, then a list of cells per annotation."""
    yield HEADER
    cells = Cells(scope)
    for a in scope.annotation_rows(order="thread", scored=True, fields=LIST_FIELDS):
        yield cells(a)


class Cells:
    """An annotation row's cells: what `safe_cell` would make of each, in fewer steps (numbers
    and empty cells stay as they are, booleans are words, text is checked for formulas)."""

    def __init__(self, scope):
        self.titles = {r.pk: r.title for r in scope.readings}
        people = scope.people
        self.credit, self.role, self.group = people.credit, people.author_role, people.author_group

    def __call__(self, a):
        passage = a["start"] is not None
        return [
            a["id"],
            safe_text(self.titles.get(a["reading_id"], "")),
            a["thread_id"] or a["id"],
            a["parent_id"],
            safe_text(a["kind"]),
            safe_text(a["quote_exact"]),
            a["start"],
            a["end"],
            a["anchored_revision__number"] if passage else a["revision__number"],
            safe_text(a["anchor_status"]),
            safe_text("; ".join(a["tags"])),
            safe_text(a["text"]),
            safe_text(self.credit(a)),
            safe_text(self.role(a)),
            safe_text(self.group(a)),
            safe_text(a["visibility"]),
            safe_text(a["status"]),
            "true" if a["pinned"] else "false",
            "true" if a["locked"] else "false",
            safe_text(a["moderation_reason"]),
            safe_text(a["created"]),
            safe_text(a["updated"]),
            safe_text(a["edited"]),
            a["marks"] or 0,
            a["score__value"],
            safe_text(a["score__comment"]),
            safe_text(a["resolution"]),
            safe_text(a["resolution_note"]),
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
    """Encoded CSV (UTF-8) in chunks of about 64 KB: on PostgreSQL the database writes the
    lines (`csvsql`), elsewhere `rows` are written one at a time."""
    if connection.vendor == "postgresql":
        return csvsql.stream(
            scope, header=HEADER, redo=partial(line, scope), excel=excel, size=BATCH_BYTES
        )
    return python_stream(scope, excel=excel)


def line(scope, pk):
    """One annotation's CSV line (text), or None if it is no longer exported."""
    for row in scope.annotation_rows(order="thread", scored=True, fields=LIST_FIELDS, ids=[pk]):
        return line_writer()(Cells(scope)(row)).decode()
    return None


def python_stream(scope, *, excel=False):
    return batched(stream_csv(rows(scope), excel=excel, safe=True))
