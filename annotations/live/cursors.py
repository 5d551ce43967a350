"""A changes cursor: where a reader's copy of a reading's discussion stands.

It is the reading's list version (annotations/listing/versions.py: the newest change's id
and the number of changes) with the shape's number, written `<format>-<newest>-<count>`.
It moves with every change in the reading, including changes the reader cannot see, as the
list's ETag does; it says nothing else about them.
"""

from __future__ import annotations

import re

from seminar.errors import ServiceError

FORMAT = 1
SHAPE = re.compile(r"([0-9]{1,6})-([0-9]{1,19})-([0-9]{1,19})")
HELP = (
    "since must be a cursor from an earlier answer of this endpoint or of the annotation "
    "list (its X-Changes-Cursor header), like 1-2841-1907; leave it out to get the current one."
)


def cursor_of(version: tuple[int, int]) -> str:
    newest, count = version
    return f"{FORMAT}-{newest}-{count}"


def parse(text: str) -> tuple[int, int]:
    """The version a cursor stands for; a ServiceError (400) that says what to send."""
    found = SHAPE.fullmatch(text.strip())
    if found is None or int(found[1]) != FORMAT:
        raise ServiceError(HELP)
    return int(found[2]), int(found[3])
