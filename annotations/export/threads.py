"""A reading's discussion as the archive lays it out: sections of threads, in reading order.

Annotations on passages come in the order of the text (those no longer in it apart), page
comments in the order they were posted and numbered as under a blog post, replies under what
they answer, oldest first. The HTML and Markdown archives both read this.

An `Outline` holds no post at all, only how many each section has: each section is a query
in its own order, read in chunks (`threads`, `highlights`), and each batch of threads is
loaded whole, replies and all, by the roots' thread ids. A reading with 100,000 posts is
laid out in the memory of a batch, not of the reading.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from annotations.export.snapshot import CHUNK
from annotations.models import AnchorStatus, Kind

# Threads loaded per query: a few hundred posts with their replies, whatever the reading.
ROOTS_PER_BATCH = 250

SECTIONS = ("passages", "orphans", "comments", "loose")
NUMBERED = ("passages", "comments")  # [n] in the text; "n." under the post

ROW_FIELDS = (
    "id",
    "parent_id",
    "thread_id",
    "start",
    "end",
    "kind",
    "anchor_status",
    "anchored_revision__number",
)


@dataclass
class Post:
    row: dict
    number: int = 0
    replies: list = field(default_factory=list)


class Outline:
    def __init__(self, scope, *, current_number):
        self.scope = scope
        self.current = current_number
        self.counts = dict.fromkeys(SECTIONS, 0)
        self.count = 0
        for row in self._rows(self._queryset()):
            self.count += 1
            section = self._section(row)
            if section is not None:
                self.counts[section] += 1

    def _queryset(self):
        queryset = self.scope.annotations()
        if self.scope.owner is not None:
            # Only a member's own export leaves out the posts some replies answer.
            exported = self.scope.annotations().filter(pk=OuterRef("parent_id"))
            queryset = queryset.annotate(parent_known=Exists(exported))
        return queryset

    def _rows(self, queryset):
        fields = (*ROW_FIELDS, "parent_known") if self.scope.owner is not None else ROW_FIELDS
        dropped = self.scope.dropped
        for values in queryset.values_list(*fields).iterator(chunk_size=CHUNK):
            if values[0] not in dropped:
                yield values

    def _section(self, row):
        """Which section a post starts a thread in, or None for a reply under its parent.
        The queries of `_ordered` select the same posts; this is the rule."""
        _pk, parent, _thread, start, _end, _kind, anchor, revision, *known = row
        if parent is not None:
            return "loose" if known and not known[0] else None
        if start is None:
            return "comments"
        if anchor == AnchorStatus.ORPHANED or revision is None or revision != self.current:
            return "orphans"
        return "passages"

    def _ordered(self, name):
        queryset = self._queryset()
        top = queryset.filter(parent__isnull=True)
        if name == "passages":
            if self.current is None:
                return queryset.none()
            # By place in the text; where passages share their words, by time.
            return (
                top.filter(start__isnull=False, anchored_revision__number=self.current)
                .exclude(anchor_status=AnchorStatus.ORPHANED)
                .order_by("start", "end", "created", "id")
            )
        if name == "orphans":
            orphans = top.filter(start__isnull=False)
            if self.current is not None:
                orphans = orphans.filter(
                    Q(anchor_status=AnchorStatus.ORPHANED)
                    | ~Q(anchored_revision__number=self.current)
                )
            return orphans.order_by("created", "id")
        if name == "comments":
            return top.filter(start__isnull=True).order_by("created", "id")
        if self.scope.owner is None:
            return queryset.none()
        return queryset.filter(parent__isnull=False, parent_known=False).order_by("created", "id")

    def roots(self, name):
        """(row, number) of the posts that start the threads of section `name`, in order."""
        number = 0
        for row in self._rows(self._ordered(name)):
            if self._section(row) == name:
                number += 1
                yield row, number if name in NUMBERED else 0

    def highlights(self):
        """(start, end, number, kind, id) of each passage on the current text, by start."""
        for row, number in self.roots("passages"):
            yield row[3], row[4], number, row[5], row[0]

    def threads(self, name):
        """Post trees of section `name`, in order, loaded ROOTS_PER_BATCH threads at a time."""
        batch = []
        for row, number in self.roots(name):
            batch.append((row[0], row[2] or row[0], number))
            if len(batch) >= ROOTS_PER_BATCH:
                yield from self._load(batch)
                batch = []
        if batch:
            yield from self._load(batch)

    def _load(self, roots):
        threads = {thread for _pk, thread, _number in roots}
        posts = {}
        # Thread order puts each thread's posts in time order: replies oldest first.
        for row in self.scope.annotation_rows(order="thread", scored=True, threads=threads):
            post = posts[row["id"]] = Post(row)
            parent = posts.get(row["parent_id"])
            if parent is not None:
                parent.replies.append(post)
        out = []
        for pk, _thread, number in roots:
            post = posts.get(pk)
            if post is not None:
                post.number = number
                out.append(post)
        return out


MONTHS = (
    "January February March April May June July August September October November December"
).split()


def when(value):
    """ "November 23, 2026 at 2:13 p.m." in the site's time zone, as the pages write it.
    (Django's date filter says the same, twenty times slower: archives print thousands.)"""
    if value is None:
        return ""
    local = timezone.localtime(value)
    hour = local.hour % 12 or 12
    half = "a.m." if local.hour < 12 else "p.m."
    return (
        f"{MONTHS[local.month - 1]} {local.day}, {local.year} at {hour}:{local.minute:02d} {half}"
    )


KIND_LABELS = dict(Kind.choices)  # Kind(kind).label costs microseconds a post


def kind_label(kind):
    return KIND_LABELS.get(kind, kind)
