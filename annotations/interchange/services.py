"""Importing annotations onto a reading: the file read whole (formats.parse), then every
passage placed by `anchoring.find_quote` against the reading's current text, and every post
written, all in one transaction. A wrong file imports nothing.

Placement, as re-anchoring places passages after an edit: the words where the position
says (placed exactly), else the copy their context picks (whitespace forgiven), else an
edited copy close enough (a fuzzy search with a minimum likeness and context); those two
are counted as moved. What cannot be placed with confidence is an orphan: it keeps its
quote, is listed among "passages no longer in the text", and an instructor can re-attach
it. Nothing is placed on words other than the quoted ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from annotations import anchoring
from annotations.interchange.formats import Bad, Item, parse
from annotations.models import AnchorStatus, Annotation, Kind, Resolution, Visibility
from annotations.rendering import render_markdown
from annotations.services import clean_tags, clean_text
from seminar.errors import NotPermitted, ServiceError
from seminar.models import Reading
from seminar.permissions import can_edit_reading

if TYPE_CHECKING:
    from seminar.models import User

# Imported posts belong to no account: a private note would be nobody's to read.
VISIBILITIES = (Visibility.SEMINAR, Visibility.INSTRUCTORS)
NARROWER = {Visibility.SEMINAR: 0, Visibility.INSTRUCTORS: 1, Visibility.PRIVATE: 1}
UNKNOWN_AUTHOR = "Imported reader"
# What the report calls one item not imported, by its reason (formats: the plural).
ONE_SKIPPED = {
    "highlights without a note": "highlight without a note",
    "scores": "score",
    "moderation records": "moderation record",
    "deleted, hidden or waiting posts": "deleted, hidden or waiting post",
    "annotations on something other than text": "annotation on something other than text",
    "replies whose thread is not in the file": "reply whose thread is not in the file",
}
ORPHANS_SHOWN = 20


@dataclass
class Report:
    placed_exactly: int = 0
    moved: int = 0
    orphaned: int = 0
    replies: int = 0
    page_comments: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    orphan_quotes: list[str] = field(default_factory=list)

    @property
    def passages(self) -> int:
        return self.placed_exactly + self.moved + self.orphaned

    @property
    def imported(self) -> int:
        return self.passages + self.replies + self.page_comments

    def as_dict(self) -> dict[str, Any]:
        return {
            "placed_exactly": self.placed_exactly,
            "moved": self.moved,
            "orphaned": self.orphaned,
            "replies": self.replies,
            "page_comments": self.page_comments,
            "skipped": sum(self.skipped.values()),
            "skipped_by_reason": dict(self.skipped),
            "orphan_quotes": self.orphan_quotes,
        }

    def skipped_lines(self) -> list[str]:
        """ "1 highlight without a note", "3 scores": the reasons, counted, for a person."""
        return [
            f"{count} {ONE_SKIPPED.get(reason, reason) if count == 1 else reason}"
            for reason, count in self.skipped.items()
        ]


def _skip(report: Report, reason: str) -> None:
    report.skipped[reason] = report.skipped.get(reason, 0) + 1


def _parents(items: list[Item], report: Report) -> dict[int, Item]:
    """Each reply's parent: its nearest ancestor imported from the file. Replies in a thread
    that is not imported (its top missing, skipped, or a loop of references) are skipped."""
    by_key = {item.key: item for item in items if item.key}
    parents: dict[int, Item] = {}
    for item in items:
        if item.skip or not item.reply:
            continue
        present = [by_key[key] for key in item.ancestors if key in by_key]
        if not present:
            item.skip = "replies whose thread is not in the file"
            continue
        parents[item.number] = present[-1]
    # A reply under a skipped post, or in a loop, is skipped too (to a fixed point).
    changed = True
    while changed:
        changed = False
        for item in items:
            parent = parents.get(item.number)
            if item.skip or parent is None:
                continue
            if parent.skip or _loops(item, parents):
                item.skip = (
                    "replies whose thread is not in the file" if not parent.skip else parent.skip
                )
                changed = True
    for item in items:
        if item.skip:
            _skip(report, item.skip)
    return parents


def _loops(item: Item, parents: dict[int, Item]) -> bool:
    seen, at = {item.number}, parents.get(item.number)
    while at is not None:
        if at.number in seen:
            return True
        seen.add(at.number)
        at = parents.get(at.number)
    return False


def _row(
    item: Item, *, reading: Reading, revision_id: int | None, visibility: str, now: Any
) -> Annotation:
    try:
        text = clean_text(item.text)
        tags = clean_tags(item.tags)
    except ServiceError as exc:
        raise Bad(f"Item {item.number}: {exc}") from exc
    if item.audience in NARROWER and NARROWER[item.audience] > NARROWER[visibility]:
        visibility = Visibility.INSTRUCTORS  # Seminar's own: never wider than it was
    return Annotation(
        reading=reading,
        revision_id=revision_id,
        kind=item.kind,
        author=None,
        author_name=(item.author.strip() or UNKNOWN_AUTHOR)[:120],
        text=text,
        html=render_markdown(text),
        tags=tags,
        visibility=visibility,
        created=item.created or now,
        resolution=Resolution.OPEN if item.kind == Kind.QUESTION else None,
    )


def _place(annotation: Annotation, item: Item, text: str, revision_id: int, report: Report) -> None:
    quote = item.quote or {}
    placement = anchoring.find_quote(
        text,
        exact=quote["exact"],
        prefix=quote.get("prefix") or "",
        suffix=quote.get("suffix") or "",
        start=quote.get("start"),
        end=quote.get("end"),
    )
    annotation.anchored_revision_id = revision_id
    annotation.original_quote = quote["exact"]
    annotation.anchor_status = placement.status
    if placement.anchor is None:  # an orphan keeps its quote, as re-anchoring's do
        annotation.quote_exact = quote["exact"]
        annotation.quote_prefix = (quote.get("prefix") or "")[-anchoring.CONTEXT :]
        annotation.quote_suffix = (quote.get("suffix") or "")[: anchoring.CONTEXT]
        annotation.start = annotation.end = 0  # no place in any revision
        report.orphaned += 1
        if len(report.orphan_quotes) < ORPHANS_SHOWN:
            report.orphan_quotes.append(quote["exact"])
        return
    a = placement.anchor
    annotation.quote_exact, annotation.quote_prefix, annotation.quote_suffix = (
        a.exact,
        a.prefix,
        a.suffix,
    )
    annotation.start, annotation.end = a.start, a.end
    if placement.status == AnchorStatus.ANCHORED:
        report.placed_exactly += 1
    else:
        report.moved += 1


def _depth(item: Item, parents: dict[int, Item]) -> int:
    depth, at = 0, parents.get(item.number)
    while at is not None:
        depth, at = depth + 1, parents.get(at.number)
    return depth


@transaction.atomic
def annotations_import(
    *, reading: Reading, actor: User, data: bytes | str | Any, visibility: str = "seminar"
) -> Report:
    """Import a Hypothesis or W3C annotation file onto the reading's current text.

    Raises `ServiceError` ("Item N: …") for a file of the wrong shape, before writing
    anything; `NotPermitted` unless `actor` may edit the reading."""
    if not can_edit_reading(actor, reading):
        raise NotPermitted("Only instructors of the seminar can import annotations.")
    if visibility not in VISIBILITIES:
        raise ServiceError(
            f"Unknown visibility “{visibility}” for imported posts: use seminar or instructors."
        )
    items = parse(data)
    report = Report()
    parents = _parents(items, report)
    kept = [item for item in items if not item.skip]
    # The reading's row held until this commits: an edit of its text waits, so no passage
    # is placed on a text that is no longer current.
    Reading.objects.select_for_update().filter(pk=reading.pk).values_list("pk").first()
    reading.refresh_from_db(fields=["current_revision"])
    revision = reading.current_revision
    if revision is None and any(item.quote for item in kept):
        raise ServiceError("This reading has no text yet to place the passages in.")
    now, revision_id = timezone.now(), revision.pk if revision else None
    rows: dict[int, Annotation] = {}
    for item in kept:
        rows[item.number] = _row(
            item, reading=reading, revision_id=revision_id, visibility=visibility, now=now
        )
    # Every row is checked before any is placed or written: a bad item late in the file
    # leaves nothing behind (and the transaction would roll it back anyway).
    for item in kept:
        annotation = rows[item.number]
        if item.reply:
            report.replies += 1
        elif item.quote is not None:
            _place(annotation, item, revision.text, revision.pk, report)
        else:
            report.page_comments += 1
    levels: dict[int, list[Item]] = {}
    for item in kept:
        levels.setdefault(_depth(item, parents), []).append(item)
    for depth in sorted(levels):
        batch = []
        for item in levels[depth]:
            annotation = rows[item.number]
            parent = parents.get(item.number)
            if parent is not None:
                above = rows[parent.number]
                annotation.parent_id = above.pk
                annotation.thread_id = above.thread_id or above.pk
                annotation.visibility = above.visibility  # a reply takes its thread's
            batch.append(annotation)
        Annotation.objects.bulk_create(batch, batch_size=500)
    return report


__all__ = ["Bad", "Report", "annotations_import"]
