"""Fixtures shared by the annotation tests: a student's critique on the blog reading."""

import pytest

from annotations.services import annotation_create
from tests.texts import SWEET_SPOT


@pytest.fixture
def critique(blog_reading, student):
    """A student's critique of the famous sentence, the post moderators act on."""
    return annotation_create(
        reading=blog_reading,
        author=student,
        kind="critique",
        text="You are all wrong about this.",
        quote={"exact": SWEET_SPOT},
    )[0]
