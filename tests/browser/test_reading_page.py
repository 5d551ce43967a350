"""A student reads a post and joins its discussion, in a real browser."""

import io

import pytest
from django.core.management import call_command

from seminar.models import Reading
from tests.texts import ALL

from ..conftest import PASSWORD, import_reading
from .conftest import LAPTOP, PHONE, log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    call_command("demo", stdout=io.StringIO())
    return Reading.objects.get(title="Peacekeeping Without a Peace to Keep")


@pytest.mark.parametrize(("viewport", "name"), [(LAPTOP, "laptop"), (PHONE, "phone")])
def test_demo_student_posts_a_comment_and_sees_it_numbered(open_page, demo, viewport, name):
    page = open_page(viewport)
    log_in(page, "student1", "seminar-demo")
    page.goto(demo.get_absolute_url())
    assert page.locator(".post-date").inner_text().lower() == "tuesday, september 8, 2026"
    assert page.get_by_role("heading", name="3 comments").is_visible()
    screenshot(page, f"reading-{name}")

    page.get_by_label("Your comment").fill("Is the **robust mandate** claim fair to the Council?")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url("**#annotation-*")

    assert page.get_by_role("heading", name="4 comments").is_visible()
    last = page.locator(".comment").last
    assert last.locator(".comment-number").inner_text() == "4"
    assert last.locator(".comment-author").inner_text() == "Lena Ortiz"
    assert last.locator("strong").inner_text() == "robust mandate"


def test_reading_body_text_content_equals_the_stored_text(open_page, seminar, instructor):
    readings = [import_reading(seminar, name) for name in ALL]
    page = open_page()
    log_in(page, instructor.username, PASSWORD)
    for reading in readings:
        page.goto(reading.get_absolute_url())
        shown = page.locator("#reading-body").evaluate("el => el.textContent")
        assert shown == reading.current_revision.text, reading.title


def test_the_page_runs_no_inline_script(open_page, demo):
    page = open_page()
    log_in(page, "student1", "seminar-demo")
    response = page.goto(demo.get_absolute_url())
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("script:not([src])").count() == 0
