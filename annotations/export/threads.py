"""A reading's discussion as the archive lays it out: an outline first, then the threads.

Annotations on passages come in the order of the text (those no longer in it apart), page
comments in the order they were posted and numbered as under a blog post, replies under what
they answer, oldest first. The HTML and Markdown archives both read this.

`Outline` reads every exported post of the reading once, keeping only what the layout needs
(ids, parents, positions, numbers: a few dozen bytes a post); `Outline.threads` then loads
the full posts a batch of threads at a time. A reading with 100,000 posts is laid out
without ever holding them all.
"""

from dataclasses import dataclass, field

from django.utils import timezone

from ..models import AnchorStatus, Kind
from .snapshot import CHUNK

BATCH_POSTS = 500

OUTLINE_FIELDS = (
    "id",
    "parent_id",
    "kind",
    "start",
    "end",
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
        self.orphans, self.comments, self.loose = [], [], []
        self.children = {}
        self.count = 0
        spans = []  # (start, end, kind, id) of each passage on the current text
        rows = scope.annotations().order_by("created", "id").values_list(*OUTLINE_FIELDS)
        dropped = scope.dropped
        # Only a member's own export leaves out the posts some replies answer.
        known = set() if scope.owner is not None else None
        replies = []
        for pk, parent, kind, start, end, anchor, revision in rows.iterator(chunk_size=CHUNK):
            if pk in dropped:
                continue
            self.count += 1
            if known is not None:
                known.add(pk)
            if parent is not None:
                replies.append((pk, parent))
            elif start is None:
                self.comments.append(pk)
            elif anchor == AnchorStatus.ORPHANED or revision != current_number:
                self.orphans.append(pk)
            else:
                spans.append((start, end, kind, pk))
        for pk, parent in replies:  # in time order, so replies are oldest first
            if known is None or parent in known:
                self.children.setdefault(parent, []).append(pk)
            else:
                self.loose.append(pk)
        del replies, known
        spans.sort(key=lambda span: span[:2])  # stable: by time where they share words
        self.passages = [span[3] for span in spans]
        self.numbers = {pk: number for number, pk in enumerate(self.passages, 1)}
        self.numbers.update((pk, number) for number, pk in enumerate(self.comments, 1))
        self.highlights = [
            (start, end, number, kind, pk) for number, (start, end, kind, pk) in enumerate(spans, 1)
        ]

    def _family(self, root):
        ids, stack = [], [root]
        while stack:
            pk = stack.pop()
            ids.append(pk)
            stack.extend(self.children.get(pk, ()))
        return ids

    def threads(self, roots):
        """Post trees for `roots`, in that order, loaded BATCH_POSTS posts at a time."""
        batch, ids = [], []
        for root in roots:
            batch.append(root)
            ids.extend(self._family(root))
            if len(ids) >= BATCH_POSTS:
                yield from self._load(batch, ids)
                batch, ids = [], []
        if batch:
            yield from self._load(batch, ids)

    def _load(self, roots, ids):
        posts = {
            row["id"]: Post(row, self.numbers.get(row["id"], 0))
            for row in self.scope.annotation_rows(order="id", scored=True, ids=ids)
        }
        for pk in ids:
            post = posts.get(pk)
            if post is not None:
                post.replies = [posts[c] for c in self.children.get(pk, ()) if c in posts]
        return [posts[pk] for pk in roots if pk in posts]


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


def kind_label(kind):
    return Kind(kind).label if kind in Kind.values else kind
