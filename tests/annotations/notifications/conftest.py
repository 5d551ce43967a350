"""The notifications' cast: Lena's comment on the blog reading, which Sam answers or flags."""

import pytest

from annotations.services import comment_create


@pytest.fixture
def comment(blog_reading, student):
    return comment_create(reading=blog_reading, author=student, text="Mali is a test case.")
