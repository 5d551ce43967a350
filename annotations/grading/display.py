"""How a grade or a score is written for people: always with its unit, in one place.

A grade is out of 100 and reads as a percentage, one decimal: `grade(88.888) == "88.9%"`.
A rubric score of a post reads against its scale: `score(2, 3) == "2 / 3"`. Nothing to show
is an em dash. Pure Python (no Django), so the policy's explanations, the pages (through the
`grading` template filters) and the CSV headers all say it the same way. The JSON API keeps
bare numbers: a unit there would be a string a client has to parse back.
"""

from __future__ import annotations

NOTHING = "—"

# What a CSV grade column is out of, for headers that can carry it (docs/grading.md).
OUT_OF = "out of 100"


def grade(value) -> str:
    """A grade out of 100 as people read it: "88.9%", or "—" when there is none."""
    if value is None or value == "":
        return NOTHING
    return f"{float(value):.1f}%"


def score(value, out_of) -> str:
    """A rubric score against its scale: "2 / 3", or "—" when the post is not scored."""
    if value is None or value == "":
        return NOTHING
    return f"{value} / {out_of}"


def grade_header(title) -> str:
    """A CSV grade column's header with its unit: "Reading (out of 100)"."""
    return f"{title} ({OUT_OF})"
