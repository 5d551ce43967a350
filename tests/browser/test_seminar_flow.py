"""An instructor sets up a seminar and a student joins it, clicking as people do."""

import pytest

from seminar.models import Membership, Reading
from tests.texts import BLOG, reading_path

from ..conftest import PASSWORD
from .conftest import LAPTOP, PHONE, log_in, screenshot

pytestmark = pytest.mark.browser


def test_instructor_sets_up_a_seminar_and_a_student_joins(open_page, instructor, student2):
    page = open_page(LAPTOP)
    log_in(page, instructor.username, PASSWORD)
    page.get_by_role("link", name="New seminar").click()
    page.get_by_label("Title").fill("Security in the Sahel")
    page.get_by_label("Term").fill("Spring 2027")
    page.get_by_role("button", name="Create seminar").click()
    assert page.get_by_role("heading", name="Security in the Sahel").is_visible()

    page.get_by_role("link", name="Add a reading").first.click()
    page.get_by_label("…or upload a file").set_input_files(str(reading_path(BLOG)))
    page.get_by_label("Status").select_option("published")
    screenshot(page, "reading-form-laptop")
    page.get_by_role("button", name="Preview").click()
    assert page.get_by_role("heading", name="Check the reading before saving").is_visible()
    page.get_by_role("button", name="Save reading").click()
    assert page.get_by_role("heading", name="Regional Forces and the Lake Chad Basin").is_visible()
    assert page.get_by_role("heading", name="3 comments").is_visible()

    page.get_by_role("link", name="Security in the Sahel").click()
    page.get_by_role("link", name="Roster & invites").click()
    code = page.locator(".join-code").inner_text()
    screenshot(page, "roster-laptop")
    page.set_viewport_size(PHONE)
    screenshot(page, "roster-phone")

    student_page = open_page(PHONE)
    log_in(student_page, student2.username, PASSWORD)
    student_page.goto("/join/")
    student_page.get_by_label("Join code").fill(code.lower())
    student_page.get_by_role("button", name="Join").click()
    assert student_page.get_by_role("heading", name="Security in the Sahel").is_visible()
    assert Membership.objects.filter(user=student2, seminar__title="Security in the Sahel").exists()
    student_page.goto("/dashboard/")
    screenshot(student_page, "dashboard-phone")
    assert student_page.get_by_role(
        "link", name="Regional Forces and the Lake Chad Basin"
    ).is_visible()


def test_keyboard_only_comment(open_page, student, blog_reading):
    page = open_page(LAPTOP)
    log_in(page, student.username, PASSWORD)
    page.goto(blog_reading.get_absolute_url())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the reading"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    # Walk forward with Tab only until the comment box has focus.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "text":
            break
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Post comment"
    page.keyboard.press("Enter")
    page.wait_for_url("**#annotation-*")
    assert page.locator(".comment").last.inner_text().endswith("Typed without a mouse.")
    assert Reading.objects.get(pk=blog_reading.pk).annotations.count() == 4
