"""Anchoring: placing a quoted passage in a reading's text, exactly or not at all.

A passage is described by two W3C selectors against one revision's canonical text:
a TextQuoteSelector (`exact`, with up to 32 code points of `prefix` and `suffix` context) and
a TextPositionSelector (`start`, `end` in Unicode code points, as Python indexes strings).

The server never trusts a client's offsets. `locate` accepts them only when they hold the
quote; otherwise it searches for the quote and uses its context (and the claimed position,
as a tie-breaker) to pick one occurrence. When the context cannot tell occurrences apart it
refuses: a highlight on the wrong words is worse than none.

Pure Python, no Django: the same rules serve the API, re-anchoring and the benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    """Place `exact` in `text`, or raise AnchorError saying why it cannot be placed."""
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
    found = occurrences(text, exact)
    if not found:
        raise AnchorError(f"The quote “{_short(exact)}” is not in the text of this reading.")
    if len(found) == 1:
        return anchor_at(text, found[0], found[0] + len(exact))
    scored = sorted(
        (
            -context_score(text, i, i + len(exact), prefix, suffix),
            abs(i - start) if start is not None else 0,
            i,
        )
        for i in found
    )
    best, runner_up = scored[0], scored[1]
    if best[:2] == runner_up[:2]:
        raise AnchorError(
            f"The quote “{_short(exact)}” occurs {len(found)} times and its context does not "
            "say which one is meant: send its prefix and suffix, or its position."
        )
    return anchor_at(text, best[2], best[2] + len(exact))
