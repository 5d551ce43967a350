"""Anchoring: placing a quoted passage in a reading's text, exactly or not at all.

A passage is described by two W3C selectors against one revision's canonical text:
a TextQuoteSelector (`exact`, with up to 32 code points of `prefix` and `suffix` context) and
a TextPositionSelector (`start`, `end` in Unicode code points, as Python indexes strings).

The server never trusts a client's offsets. `locate` accepts them only when they hold the
quote; otherwise it searches for the quote and uses its context (and the claimed position,
as a tie-breaker) to pick one occurrence. When the context cannot tell occurrences apart it
refuses: a highlight on the wrong words is worse than none.

When a reading's text changes, `reanchor` carries every anchor to the new text:

1. map its offsets through the diff of the two texts (diff-match-patch); if the mapped span
   holds the same words, or the same words overlap it (an edit at an edge can clip the
   mapping), and no other copy of those words has context that fits better (a diff of
   swapped paragraphs can align one paragraph's copy of a phrase with the other's), it is
   ANCHORED: the words may have shifted, they did not change;
2. else search the new text for the quote, accepting an occurrence only when enough of its
   prefix and suffix match (nearness to the mapped place breaks ties), or when a long quote
   occurs once in the old text and once in the new: MOVED;
3. else, if the quote's first and last characters survived and the span between them is an
   edited version of the quote (similar enough), it follows the edit: MOVED;
4. else a fuzzy search: spans that begin where the quote's head or its prefix is found and
   end where its tail or its suffix is found, scored on their likeness to the quote and on
   their context, with a minimum for each; the best one, if it beats every other: MOVED;
5. else the anchor is an ORPHAN: it keeps its quote, and nobody sees it on the wrong words.

Context is compared as a careful reader would (`loose_context_score`): any run of whitespace
equals any other, and a space missing or extra next to the quote is forgiven; `locate`
ranks copies of a quote so, and finds a quote whose whitespace differs from the text's
(a newline for a space) when it is not in the text as sent. `find_quote` places a quote
made on another copy of the text (an import): its position if it holds the words, else by
context, else `_fuzzy` with its minimum scores, else an orphan.

Pure Python, no Django: the same rules serve the API, re-anchoring and the benchmarks.
"""

from __future__ import annotations

import bisect
import functools
import gc
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from diff_match_patch import diff_match_patch

CONTEXT = 32
MAX_QUOTE = 5000


class AnchorError(ValueError):
    """The passage cannot be placed; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def anchor_at(text: str, start: int, end: int) -> Anchor:
    """The anchor for text[start:end], with its context taken from the text itself."""
    return Anchor(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
    )


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def occurrences(text: str, exact: str) -> list[int]:
    found, i = [], text.find(exact)
    while i != -1:
        found.append(i)
        i = text.find(exact, i + 1)
    return found


def context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many code points of the given context match around text[start:end]."""
    before = text[max(0, start - len(prefix)) : start]
    after = text[end : end + len(suffix)]
    return _common_suffix(before, prefix) + _common_prefix(after, suffix)


def _short(quote: str) -> str:
    return quote if len(quote) <= 60 else quote[:57] + "…"


def locate(
    text: str,
    *,
    exact: str,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    end: int | None = None,
) -> Anchor:
    """Place `exact` in `text`, or raise AnchorError saying why it cannot be placed.

    The claimed position is kept when it holds the quote. Otherwise every copy of the quote
    is a candidate, ranked by its context compared as a careful reader would (whitespace
    forgiven: `loose_context_score`), then character for character, then by nearness to the
    claimed position. Only where the quote is not in the text as sent are copies whose
    whitespace differs (a newline for a space, a double space) looked for."""
    if not exact:
        raise AnchorError("The quote (TextQuoteSelector.exact) is empty: select some words.")
    if len(exact) > MAX_QUOTE:
        raise AnchorError(
            f"The quote is {len(exact):,} characters; a passage can be at most {MAX_QUOTE:,}."
        )
    if start is not None and end is not None:
        if not 0 <= start < end <= len(text):
            raise AnchorError(
                f"The position {start}–{end} is outside the text, which has {len(text):,} "
                "characters (counted in Unicode code points)."
            )
        if text[start:end] == exact:
            return anchor_at(text, start, end)
    spans = [(i, i + len(exact)) for i in occurrences(text, exact)] or loose_occurrences(
        text, exact
    )
    if not spans:
        raise AnchorError(f"The quote “{_short(exact)}” is not in the text of this reading.")
    if len(spans) == 1:
        return anchor_at(text, *spans[0])
    ranked = _ranked(text, spans, prefix, suffix, start)
    if ranked[0][0] != ranked[1][0]:
        return anchor_at(text, *ranked[0][1])
    # Forgiving whitespace can make many copies in a repetitive text fit equally well; the
    # context character for character may still tell one apart, as it did before.
    strict = sorted(
        (
            (
                -context_score(text, s, e, prefix, suffix),
                abs(s - start) if start is not None else 0,
            ),
            (s, e),
        )
        for s, e in spans
    )
    if strict[0][0] != strict[1][0]:
        return anchor_at(text, *strict[0][1])
    raise AnchorError(
        f"The quote “{_short(exact)}” occurs {len(spans)} times and its context does not "
        "say which one is meant: send its prefix and suffix, or its position."
    )


# --- Whitespace as a careful reader sees it ---------------------------------------------------
#
# Text copied from a page, or from another tool's idea of its text, keeps the words but not
# always the whitespace between them: a newline for a space, two spaces for one, a context
# that stops short of the space next to the quote. The comparisons below treat any run of
# whitespace as equal to any other and forgive a space missing or extra right next to the
# quote; they never make different words equal.


def _loose_common(text: str, at: int, context: str, step: int) -> int:
    """How many code points of `context` match the text from `at` on, walking `step` (-1:
    backwards, the context being a prefix, read from its end; +1: forwards, a suffix)."""
    i = at - 1 if step < 0 else at
    j = len(context) - 1 if step < 0 else 0
    size = len(text)

    def skip(s: str, k: int, limit: int) -> int:
        while 0 <= k < limit and s[k].isspace():
            k += step
        return k

    def done(k: int) -> int:  # code points of the context consumed when it stands at k
        return len(context) - 1 - k if step < 0 else k

    # Next to the quote, a space on either side is forgiven.
    spaced = 0 <= i < size and text[i].isspace()
    i, j = skip(text, i, size), skip(context, j, len(context))
    words = False  # whether a character other than whitespace matched
    while 0 <= i < size and 0 <= j < len(context):
        a, b = text[i], context[j]
        if a.isspace() and b.isspace():
            i, j = skip(text, i, size), skip(context, j, len(context))
        elif a == b:
            i, j, words = i + step, j + step, True
        else:
            break
    # The context's own space next to the quote counts only beside words, or a space.
    return done(j) if words or spaced else 0


def loose_context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """`context_score` with whitespace compared as a careful reader would: never less."""
    before = _loose_common(text, start, prefix, -1) if prefix else 0
    after = _loose_common(text, end, suffix, +1) if suffix else 0
    return max(before + after, context_score(text, start, end, prefix, suffix))


def loose_occurrences(text: str, exact: str) -> list[tuple[int, int]]:
    """(start, end) of every copy of the quote's words with any whitespace between them."""
    words = exact.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
    found, match = [], pattern.search(text)
    while match:
        found.append(match.span())
        match = pattern.search(text, match.start() + 1)
    return found


def _ranked(
    text: str, spans: list[tuple[int, int]], prefix: str, suffix: str, near: int | None
) -> list[tuple[tuple[int, int, int], tuple[int, int]]]:
    """Spans best first, each with its key: context as a careful reader reads it, then
    character for character, then nearness to `near`. Equal keys: the context cannot tell."""
    return sorted(
        (
            (
                -loose_context_score(text, s, e, prefix, suffix),
                -context_score(text, s, e, prefix, suffix),
                abs(s - near) if near is not None else 0,
            ),
            (s, e),
        )
        for s, e in spans
    )


# --- Re-anchoring through an edit -------------------------------------------------------------

ANCHORED, MOVED, ORPHANED = "anchored", "moved", "orphaned"
# An edited quote is followed only while it stays this similar to the original words.
MIN_EDIT_SIMILARITY = 0.75
# A quote found elsewhere needs this share of its context to match around it.
MIN_CONTEXT_SHARE = 0.5
DIFF_TIMEOUT = 5.0


@dataclass(frozen=True)
class Placement:
    status: str
    anchor: Anchor | None  # None when orphaned


class PositionMap:
    """Maps offsets of the old text to the new one, from the diff's chunks.

    A chunk is (old_start, old_end, new_start, new_end) and either equal or replaced (a
    deletion and/or insertion). Offsets inside equal chunks map exactly; inside a replaced
    chunk, a start maps to the replacement's start and an end to its end.
    """

    def __init__(self, old: str, new: str):
        engine = diff_match_patch()
        engine.Diff_Timeout = DIFF_TIMEOUT
        diffs = engine.diff_main(old, new, True)
        # A raw diff keeps chance equalities inside rewritten stretches ("Operation Serval in"
        # of one paragraph aligned with the other's after a swap); the semantic cleanup folds
        # them into the edit, then shifts edits between repeated letters to word edges.
        engine.diff_cleanupSemantic(diffs)
        chunks: list[list] = []
        o = n = 0
        for op, segment in diffs:
            size = len(segment)
            if op == 0:
                chunks.append([o, o + size, n, n + size, True])
                o, n = o + size, n + size
                continue
            if not chunks or chunks[-1][4]:
                chunks.append([o, o, n, n, False])
            if op == -1:
                chunks[-1][1] += size
                o += size
            else:
                chunks[-1][3] += size
                n += size
        self.chunks = [tuple(c) for c in chunks]
        self.starts = [c[0] for c in self.chunks]
        self.ends = [c[1] for c in self.chunks]

    def start(self, p: int) -> tuple[int, bool]:
        """(new offset, whether the character at p survived the edit unchanged)."""
        # The chunk whose old range holds p, skipping empty (pure insertion) chunks.
        i = bisect.bisect_right(self.starts, p) - 1
        while i >= 0 and not (self.chunks[i][0] <= p < self.chunks[i][1]):
            i -= 1
        if i < 0:
            return 0, False
        os_, _oe, ns, _ne, equal = self.chunks[i]
        return (ns + (p - os_), True) if equal else (ns, False)

    def end(self, p: int) -> tuple[int, bool]:
        """(new offset, whether the character before p survived the edit unchanged)."""
        i = bisect.bisect_left(self.ends, p)
        while i < len(self.chunks) and not (self.chunks[i][0] < p <= self.chunks[i][1]):
            i += 1
        if i >= len(self.chunks):
            return (self.chunks[-1][3] if self.chunks else 0), False
        os_, _oe, ns, ne, equal = self.chunks[i]
        return (ns + (p - os_), True) if equal else (ne, False)


def similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _room(text: str, anchor: Anchor, start: int, end: int) -> int:
    """How much of the anchor's context could match around text[start:end] at most."""
    return min(len(anchor.prefix), start) + min(len(anchor.suffix), len(text) - end)


def _search(new: str, anchor: Anchor, near: int | None) -> Anchor | None:
    """The occurrence of the quote whose context matches best, if it matches well enough.

    `near` (where the diff put the passage) breaks ties; without it a tie is ambiguous."""
    exact = anchor.exact
    context = len(anchor.prefix) + len(anchor.suffix)
    best = None
    for i in occurrences(new, exact):
        score = context_score(new, i, i + len(exact), anchor.prefix, anchor.suffix)
        if context and score < MIN_CONTEXT_SHARE * context:
            continue
        # Between equal scores, a copy that contradicts none of its context (it has less of
        # it only because the text ends) beats one where a character differs.
        whole = score == _room(new, anchor, i, i + len(exact))
        key = (-score, not whole, abs(i - near) if near is not None else 0)
        if best is None or key < best[0]:
            best = (key, i, False)
        elif key == best[0]:
            best = (key, i, True)  # a tie: the context cannot tell them apart
    if best is None or best[2]:
        return None
    return anchor_at(new, best[1], best[1] + len(exact))


def _confirm(new: str, anchor: Anchor, at: int) -> Placement:
    """The quote's words are at `at`, where the diff put them: unless their context says
    another copy of the same words is the one this passage was about."""
    end = at + len(anchor.exact)
    score = context_score(new, at, end, anchor.prefix, anchor.suffix)
    # Most of the context that fits between here and the text's ends is there too (an edit
    # nearby may have changed the rest): these are the words. Checking every other copy
    # only when it is not keeps the common case to one comparison.
    if score >= MIN_CONTEXT_SHARE * _room(new, anchor, at, end):
        return Placement(ANCHORED, anchor_at(new, at, end))
    other = _search(new, anchor, at)
    if (
        other is not None
        and other.start != at
        and context_score(new, other.start, other.end, anchor.prefix, anchor.suffix) > score
    ):
        return Placement(MOVED, other)
    return Placement(ANCHORED, anchor_at(new, at, end))


UNIQUE_MIN_QUOTE = 20  # a quote this long that occurs once is not there by chance
FUZZY_MIN_QUOTE = 20  # shorter quotes are too common to find by likeness
FUZZY_PIECE = 16  # code points of head, tail, prefix and suffix that must survive exactly
FUZZY_MAX_HITS = 8  # a piece found more often than this says nothing about where it is


def _hits(text: str, piece: str) -> list[int]:
    found, i = [], text.find(piece)
    while i != -1:
        found.append(i)
        if len(found) > FUZZY_MAX_HITS:
            return []
        i = text.find(piece, i + 1)
    return found


def _fuzzy(new: str, anchor: Anchor, near: int | None, *, loose: bool = False) -> Anchor | None:
    """An edited copy of the quote elsewhere (a typo fixed in a paragraph that also moved).

    Candidate spans start where the quote's head or the end of its prefix survived and end
    where its tail or the start of its suffix survived; a span must be like the quote and
    sit in enough of the old context, and must beat every other candidate. `loose`: the
    context is compared with whitespace forgiven (`_loose_common`), as on import."""
    exact, prefix, suffix = anchor.exact, anchor.prefix, anchor.suffix
    size = len(exact)
    if size < FUZZY_MIN_QUOTE:
        return None
    piece = min(FUZZY_PIECE, size // 2)
    starts = set(_hits(new, exact[:piece]))
    ends = {i + piece for i in _hits(new, exact[-piece:])}
    if len(prefix) >= FUZZY_MIN_QUOTE:
        tail = prefix[-FUZZY_PIECE:]
        starts.update(i + len(tail) for i in _hits(new, tail))
    if len(suffix) >= FUZZY_MIN_QUOTE:
        ends.update(_hits(new, suffix[:FUZZY_PIECE]))
    context = len(prefix) + len(suffix)
    ordered_ends = sorted(ends)
    best = None
    for s in starts:
        low = bisect.bisect_left(ordered_ends, s + (size + 1) // 2)
        high = bisect.bisect_right(ordered_ends, s + size * 3 // 2)
        for e in ordered_ends[low:high]:
            likeness = similarity(new[s:e], exact)
            if likeness < MIN_EDIT_SIMILARITY:
                continue
            # Context on both sides: a deleted quote leaves its prefix and suffix side by side,
            # and a span reaching into the suffix would sit on one side only.
            if loose:
                before = _loose_common(new, s, prefix, -1) if prefix else 0
                after = _loose_common(new, e, suffix, +1) if suffix else 0
            else:
                before = _common_suffix(new[max(0, s - len(prefix)) : s], prefix)
                after = _common_prefix(new[e : e + len(suffix)], suffix)
            if before < MIN_CONTEXT_SHARE * min(len(prefix), s):
                continue
            if after < MIN_CONTEXT_SHARE * min(len(suffix), len(new) - e):
                continue
            fit = (before + after) / context if context else 1.0
            key = (-round(likeness + fit, 6), abs(s - near) if near is not None else 0)
            if best is None or key < best[0]:
                best = (key, s, e, False)
            elif key == best[0]:
                best = (key, s, e, True)
    if best is None or best[3]:
        return None
    return anchor_at(new, best[1], best[2])


def place(old: str, new: str, anchor: Anchor, positions: PositionMap) -> Placement:
    """Where `anchor` (against `old`) belongs in `new`, following the rules at the top."""
    (start, start_kept), (end, end_kept) = positions.start(anchor.start), positions.end(anchor.end)
    if start < end and new[start:end] == anchor.exact:
        return _confirm(new, anchor, start)
    # An edit right at an edge can make the diff clip or widen the span; the same words
    # overlapping the mapped place are still these words.
    # Only while the mapped span is about the quote's size: a diff that gave up on a long
    # stretch (its time limit) maps a short quote onto all of it.
    size = len(anchor.exact)
    if end - start <= 2 * size + CONTEXT:
        near = new.find(anchor.exact, max(0, start - size), end + size)
        if near != -1 and near < max(end, start + 1) and near + size > start:
            return _confirm(new, anchor, near)
    # The same words elsewhere (a moved paragraph, or a diff that aligned repeated letters
    # differently) come before an edited version of them at the mapped place. Where the
    # quote's first character did not survive, the mapped place says little: no tie-break.
    near_place = start if start_kept else None
    found = _search(new, anchor, near_place)
    if found is not None:
        return Placement(MOVED, found)
    # Edits on both sides of the words left too little context to go by; but a long quote
    # found once in each text is the same words, wherever they went.
    exact = anchor.exact
    if len(exact) >= UNIQUE_MIN_QUOTE and new.count(exact) == 1 and old.count(exact) == 1:
        at = new.index(exact)
        return Placement(MOVED, anchor_at(new, at, at + len(exact)))
    # Follow an edit inside the quote only while both its ends survived: then the span
    # between them is these words, edited, and not neighbouring words that look alike.
    edited_inside = start_kept and end_kept and start < end
    if edited_inside and similarity(new[start:end], anchor.exact) >= MIN_EDIT_SIMILARITY:
        return Placement(MOVED, anchor_at(new, start, end))
    found = _fuzzy(new, anchor, near_place)
    if found is not None:
        return Placement(MOVED, found)
    return Placement(ORPHANED, None)


def reanchor(old: str, new: str, anchors: list[Anchor]) -> list[Placement]:
    """Carry every anchor from `old` to `new`: one diff, then each anchor on its own."""
    if old == new:
        return [Placement(ANCHORED, a) for a in anchors]
    # The diff and the placements allocate many short-lived objects, and every collection
    # they trigger walks the whole heap of a web process (10,000 annotations: 2.0 s with
    # collections, 1.2 s without). Nothing made here forms a cycle; collect afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        positions = PositionMap(old, new)
        return [place(old, new, a, positions) for a in anchors]
    finally:
        if collecting:
            gc.enable()


# --- Placing a quote from elsewhere (an import) -----------------------------------------------


def _fits(text: str, anchor: Anchor, start: int, end: int) -> bool:
    """Enough of the context fits around text[start:end], whitespace forgiven."""
    room = _room(text, anchor, start, end)
    score = loose_context_score(text, start, end, anchor.prefix, anchor.suffix)
    return score >= MIN_CONTEXT_SHARE * room


def find_quote(
    text: str,
    *,
    exact: str,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    end: int | None = None,
) -> Placement:
    """Where a quote made on another copy of the text belongs in `text`, or an orphan.

    ANCHORED: the words where the position says (whitespace aside), or, with no position,
    the copy the context picks. MOVED: the words elsewhere (a text moved by an edit), or
    with other whitespace between them, or an edited copy found by `_fuzzy` with its
    minimum likeness and context. Never a guess: a short quote whose context is not
    there, or copies the context cannot tell apart, make an ORPHAN."""
    if not exact.strip() or len(exact) > MAX_QUOTE:
        return Placement(ORPHANED, None)
    positioned = isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
    anchor = Anchor(start if positioned else 0, end if positioned else 0, exact, prefix, suffix)
    near = start if positioned else None
    if (
        positioned
        and text[start:end] == exact
        and (text.count(exact) == 1 or _fits(text, anchor, start, end))
    ):
        return Placement(ANCHORED, anchor_at(text, start, end))
    verbatim = [(i, i + len(exact)) for i in occurrences(text, exact)]
    spans = verbatim or loose_occurrences(text, exact)
    if spans:
        ranked = _ranked(text, spans, prefix, suffix, near)
        key, (s, e) = ranked[0]
        unique_best = len(ranked) == 1 or ranked[1][0] != key
        # One copy of a long quote is these words; a short one, or one of several, must
        # also sit in its context (when it came with one).
        sure = len(spans) == 1 and (len(exact.strip()) >= UNIQUE_MIN_QUOTE or not prefix + suffix)
        if unique_best and (sure or _fits(text, anchor, s, e)):
            here = positioned and (s, e) == (start, end)
            status = ANCHORED if here or (verbatim and not positioned) else MOVED
            return Placement(status, anchor_at(text, s, e))
    found = _fuzzy_collapsed(text, anchor, near)
    if found is not None:
        return Placement(MOVED, found)
    return Placement(ORPHANED, None)


_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=4)
def _collapsed(text: str) -> tuple[str, tuple[int, ...]]:
    """The text with each run of whitespace one space, and where each of its characters
    is in the text. Cached: an import looks for every quote in the same text."""
    parts, where, at = [], [], 0
    for match in _SPACES.finditer(text):
        parts.append(text[at : match.start()])
        where.extend(range(at, match.start()))
        parts.append(" ")
        where.append(match.start())
        at = match.end()
    parts.append(text[at:])
    where.extend(range(at, len(text)))
    return "".join(parts), tuple(where)


def _fuzzy_collapsed(text: str, anchor: Anchor, near: int | None) -> Anchor | None:
    """`_fuzzy` on the text and the quote with their whitespace collapsed (whitespace that
    differs would break the exact pieces it starts from), mapped back to the text."""
    flat, where = _collapsed(text)
    collapse = functools.partial(_SPACES.sub, " ")
    flat_anchor = Anchor(
        0, 0, collapse(anchor.exact), collapse(anchor.prefix), collapse(anchor.suffix)
    )
    flat_near = bisect.bisect_left(where, near) if near is not None else None
    found = _fuzzy(flat, flat_anchor, flat_near, loose=True)
    if found is None:
        return None
    start, end = found.start, found.end
    while start < end and flat[start] == " ":
        start += 1
    while end > start and flat[end - 1] == " ":
        end -= 1
    if start == end:
        return None
    return anchor_at(text, where[start], where[end - 1] + 1)
