"""Merged spans: the reading cut into runs of characters covered by the same posts.

Each post covers [start, end) of the text (code points of the current revision). The sweep
walks the boundaries once, in order, keeping a running count per kind; a run of characters
with the same counts is one span, and runs nobody covers are left out. Adjacent runs with
equal counts merge into one (two passages that touch read as one stretch of equal heat),
so a span always differs from its neighbour or has a gap beside it.

Pure Python, fed by a query that already summed the boundaries (services.passage_map): the
work grows with the number of distinct boundaries, not of posts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Each passage kind and its name as a count in the API ("questions": 3).
KIND_COUNTS = {
    "question": "questions",
    "critique": "critiques",
    "evidence": "evidence",
    "connection": "connections",
    "note": "notes",
}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    counts: tuple[int, ...]  # in the order of KIND_COUNTS

    @property
    def posts(self) -> int:
        return sum(self.counts)

    def count(self, kind: str) -> int:
        return self.counts[list(KIND_COUNTS).index(kind)]

    def as_dict(self) -> dict:
        shown = dict(zip(KIND_COUNTS.values(), self.counts, strict=True))
        return {"start": self.start, "end": self.end, "posts": self.posts, **shown}


def boundaries(passages: Iterable[tuple[int, int, str]]) -> list[tuple[int, str, int]]:
    """(position, kind, +1 or -1) of each passage's start and end: what the query sums."""
    out = []
    for start, end, kind in passages:
        if end > start:
            out.append((start, kind, 1))
            out.append((end, kind, -1))
    return out


def sweep(deltas: Iterable[tuple[int, str, int]]) -> list[Span]:
    """The merged spans of summed boundaries (position, kind, change in its count)."""
    kinds = list(KIND_COUNTS)
    at: dict[int, list[int]] = {}
    for position, kind, change in deltas:
        row = at.setdefault(position, [0] * len(kinds))
        row[kinds.index(kind) if kind in KIND_COUNTS else kinds.index("note")] += change
    running = [0] * len(kinds)
    spans: list[Span] = []
    positions = sorted(at)
    for here, there in zip(positions, positions[1:], strict=False):
        running = [n + d for n, d in zip(running, at[here], strict=True)]
        if not any(running):
            continue
        counts = tuple(running)
        last = spans[-1] if spans else None
        if last is not None and last.end == here and last.counts == counts:
            spans[-1] = Span(last.start, there, counts)
        else:
            spans.append(Span(here, there, counts))
    return spans


def hot_passages(spans: list[Span], *, limit: int = 5) -> list[tuple[int, int, int]]:
    """(start, end, peak) of the most-covered stretches, hottest first: from each peak, the
    run of touching spans at least half as covered as it is. Where the class piled onto the
    same words, that is the passage, not the paragraph around it. A lower span touching a
    passage already found is its flank (the ends of the same posts), never a passage of its
    own; a second hill beyond a valley is."""
    taken = [False] * len(spans)
    order = sorted(range(len(spans)), key=lambda i: (-spans[i].posts, spans[i].start))
    found = []
    for peak in order:
        if len(found) == limit:
            break
        if taken[peak] or _beside_taken(spans, peak, taken):
            taken[peak] = True
            continue
        floor = max(1, (spans[peak].posts + 1) // 2)
        lo = hi = peak
        while lo > 0 and _joins(spans, lo - 1, lo, floor, taken):
            lo -= 1
        while hi + 1 < len(spans) and _joins(spans, hi + 1, hi, floor, taken):
            hi += 1
        for i in range(lo, hi + 1):
            taken[i] = True
        found.append((spans[lo].start, spans[hi].end, spans[peak].posts))
    return found


def _touch(spans: list[Span], i: int, j: int) -> bool:
    return spans[i].end == spans[j].start or spans[j].end == spans[i].start


def _beside_taken(spans: list[Span], i: int, taken: list[bool]) -> bool:
    return any(0 <= j < len(spans) and taken[j] and _touch(spans, i, j) for j in (i - 1, i + 1))


def _joins(spans: list[Span], i: int, beside: int, floor: int, taken: list[bool]) -> bool:
    return _touch(spans, i, beside) and not taken[i] and spans[i].posts >= floor
