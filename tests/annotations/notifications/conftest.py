"""The notifications' cast: Lena's comment on the blog reading, which Sam answers or flags."""

import pytest

from annotations.services import comment_create


@pytest.fixture
def comment(blog_reading, student):
    return comment_create(reading=blog_reading, author=student, text="Mali is a test case.")


@pytest.fixture
def outbox(db, mailoutbox):
    """Django's locmem outbox. After `db`: setting up the database starts a fresh list, which
    pytest-django's `mailoutbox` would miss if it came first."""
    return mailoutbox
