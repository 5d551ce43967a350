"""Fixtures of the question tests: Lena's question on the blog reading, with Sam's reply."""

import pytest

from annotations.services import annotation_create, reply_create
from tests.texts import SWEET_SPOT


@pytest.fixture
def question(blog_reading, student):
    """Lena asks about the famous sentence."""
    return annotation_create(
        reading=blog_reading,
        author=student,
        kind="question",
        text="What does “ripe” mean here?",
        quote={"exact": SWEET_SPOT},
    )[0]


@pytest.fixture
def answer(question, student2):
    """Sam answers it."""
    return reply_create(parent=question, author=student2, text="Both sides are hurting.")[0]
