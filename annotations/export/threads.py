"""A reading's discussion as the archive lays it out: sections of threads, in reading order.

Annotations on passages come in the order of the text (those no longer in it apart), page
comments in the order they were posted and numbered as under a blog post, replies under what
they answer, oldest first. The HTML and Markdown archives both read this.

In the archive, a `Layout` gets the same sections from the one pass over a reading's rows
(threads come whole in thread order), rendering each thread as it ends into a spool; the
downloads of a single reading's HTML or Markdown read through an `Outline`.

An `Outline` holds no post at all, only how many each section has: each section is a query
in its own order, read in chunks (`threads`, `highlights`), and each batch of threads is
loaded whole, replies and all, by the roots' thread ids. A reading with 100,000 posts is
laid out in the memory of a batch, not of the reading.
"""

import datetime
from array import array
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from annotations.export.snapshot import CHUNK
from annotations.models import AnchorStatus, Kind

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)
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


class Layout:
    """The same sections as `Outline`, gathered in one pass: rows of one reading come in thread
    order (`add`), each thread is put together as it ends and its top posts are rendered at
    once by `renderers` ({format: post -> str}, the post without its number) into a spool.
    Memory holds a sort key and the spans of each thread, never a post; `finish` sorts them
    into the sections' orders, and `fragments` gives (number, text) in that order."""

    def __init__(self, *, current_number, renderers, spool):
        self.current = current_number
        self.renderers, self.spool = renderers, spool
        self.counts = dict.fromkeys(SECTIONS, 0)
        self.count = 0
        # Per section, a column per field: (start, end, created µs, id, kind, offset, the
        # length of each rendering); 8 bytes a field, whatever the post.
        width = 6 + len(renderers)
        self.columns = {name: [array("q") for _ in range(width)] for name in SECTIONS}
        self.order = {}
        self.kinds = {}
        self.thread, self.posts, self.open = None, {}, []

    def add(self, row):
        self.count += 1
        thread = row["thread_id"] or row["id"]
        if thread != self.thread:
            self._close()
            self.thread = thread
        post = self.posts[row["id"]] = Post(row)
        parent = self.posts.get(row["parent_id"])
        if parent is not None:
            parent.replies.append(post)
        section = _section_of(row, self.current)
        if section is not None:
            self.counts[section] += 1
            self.open.append((section, post))

    def _close(self):
        for section, post in self.open:
            row = post.row
            offset = self.spool.size
            lengths = [
                self.spool.write(render(post, section).encode())[1]
                for render in self.renderers.values()
            ]
            kind = self.kinds.setdefault(row["kind"], len(self.kinds))
            created = (row["created"] - EPOCH) // MICROSECOND
            values = (row["start"] or 0, row["end"] or 0, created, row["id"], kind, offset)
            for column, value in zip(self.columns[section], (*values, *lengths), strict=True):
                column.append(value)
        self.posts, self.open = {}, []

    def finish(self):
        self._close()
        for name, (start, end, created, pk, *_rest) in self.columns.items():
            if name == "passages":  # by place in the text, then time: one number a post
                keys = [
                    (((start[i] << 32 | end[i]) << 64 | created[i]) << 64) | pk[i]
                    for i in range(len(pk))
                ]
            else:
                keys = [created[i] << 64 | pk[i] for i in range(len(pk))]
            self.order[name] = array("q", sorted(range(len(pk)), key=keys.__getitem__))
        self.kinds = {code: kind for kind, code in self.kinds.items()}
        return self

    def highlights(self):
        """(start, end, number, kind, id) of each passage on the current text, by start."""
        start, end, _created, pk, kind, *_rest = self.columns["passages"]
        for number, i in enumerate(self.order["passages"], 1):
            yield start[i], end[i], number, self.kinds[kind[i]], pk[i]

    def fragments(self, fmt, section):
        """(number or 0, rendered text) of the threads of `section`, in order."""
        index = list(self.renderers).index(fmt)
        columns = self.columns[section]
        offsets, lengths = columns[5], columns[6:]
        numbered = section in NUMBERED
        for number, i in enumerate(self.order[section], 1):
            offset = offsets[i] + sum(column[i] for column in lengths[:index])
            text = self.spool.read(offset, lengths[index][i]).decode()
            yield number if numbered else 0, text


def _section_of(row, current):
    """`Outline._section` for a row dict of a staff export (no post without its parent)."""
    if row["parent_id"] is not None:
        return None
    if row["start"] is None:
        return "comments"
    revision = row["anchored_revision__number"]
    if row["anchor_status"] == AnchorStatus.ORPHANED or revision is None or revision != current:
        return "orphans"
    return "passages"


MONTHS = (
    "January February March April May June July August September October November December"
).split()


def when(value, tz=None):
    """ "November 23, 2026 at 2:13 p.m." in the site's time zone, as the pages write it.
    (Django's date filter says the same, twenty times slower: archives print thousands.)"""
    if value is None:
        return ""
    # `tz`: the current time zone, looked up once by the caller (a lookup costs microseconds)
    local = value.astimezone(tz) if tz is not None else timezone.localtime(value)
    hour = local.hour % 12 or 12
    half = "a.m." if local.hour < 12 else "p.m."
    return (
        f"{MONTHS[local.month - 1]} {local.day}, {local.year} at {hour}:{local.minute:02d} {half}"
    )


KIND_LABELS = dict(Kind.choices)  # Kind(kind).label costs microseconds a post


def kind_label(kind):
    return KIND_LABELS.get(kind, kind)
