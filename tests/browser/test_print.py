"""The reading page prints as the post and its discussion, without the site around it."""

import io

import pytest
from django.core.management import call_command

from seminar.models import Reading

from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    call_command("demo", stdout=io.StringIO())
    return Reading.objects.get(title="Peacekeeping Without a Peace to Keep")


def test_printing_a_reading_keeps_the_post_and_comments_and_drops_the_chrome(open_page, demo):
    page = open_page()
    log_in(page, "student1", "seminar-demo")
    page.goto(demo.get_absolute_url())
    page.wait_for_selector("body[data-annotator-ready]")
    page.emulate_media(media="print")
    for chrome in (".site-nav", ".site-footer", ".comment-form", ".annotator-margin"):
        assert not page.locator(chrome).first.is_visible(), chrome
    assert page.locator(".post-date").is_visible()
    assert page.locator("#reading-body").is_visible()
    assert page.get_by_role("heading", name="3 comments").is_visible()
    assert page.locator(".comment").first.is_visible()
    # Nothing cut at the right edge, and Chromium makes a PDF of it.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert page.pdf(format="A4").startswith(b"%PDF")
