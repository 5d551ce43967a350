"""Fixtures for search: the seminar's cast, the blog reading, and posts with words found
nowhere else (the reading's text holds none of them)."""

import pytest

from annotations.search.services import search
from annotations.services import annotation_create, reply_create
from tests.texts import SWEET_SPOT


def post(reading, author, text, *, kind="critique", quote=SWEET_SPOT, **extra):
    if kind == "comment":
        quote = None
    return annotation_create(
        reading=reading,
        author=author,
        kind=kind,
        text=text,
        quote={"exact": quote} if quote else None,
        **extra,
    )[0]


def reply(parent, author, text):
    return reply_create(parent=parent, author=author, text=text)[0]


def found(user, seminar, query, **filters):
    """The (type, id) of each result, best first."""
    results = search(user=user, seminar=seminar, query=query, **filters)
    return [(r["type"], r["id"]) for r in results.results]


def found_ids(user, seminar, query, **filters):
    return {id_ for type_, id_ in found(user, seminar, query, **filters) if type_ == "annotation"}


@pytest.fixture
def palimpsest(blog_reading, student):
    """Lena's critique about a palimpsest, with tags."""
    return post(
        blog_reading,
        student,
        "The text is a palimpsest: older claims show through the new timing argument.",
        tags=["rhetoric", "Timing"],
    )
