"""Fixtures for imports: the blog reading's text and a copy of the reading to import onto."""

import pytest

from tests.conftest import import_reading
from tests.texts import BLOG


@pytest.fixture
def text(blog_reading):
    return blog_reading.current_revision.text


@pytest.fixture
def copy_reading(seminar, instructor):
    """The same post imported again: a second reading with the same text."""
    return import_reading(seminar, BLOG, creator=instructor)
