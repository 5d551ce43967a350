"""Fixtures of the insight tests: posts placed on exact characters of the blog reading."""

import pytest

from annotations.services import annotation_create


@pytest.fixture
def place(blog_reading):
    """place(author, start, end, kind="critique", **options): a post on text[start:end]."""
    text = blog_reading.current_revision.text

    def make(author, start, end, kind="critique", **options):
        quote = {"exact": text[start:end], "start": start, "end": end}
        return annotation_create(
            reading=blog_reading,
            author=author,
            kind=kind,
            text=f"On {start}-{end}.",
            quote=quote,
            **options,
        )[0]

    return make
