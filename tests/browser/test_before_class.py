"""The Before class page in a real browser: an instructor reads where the class piled on,
opens that passage in the reading from the keyboard, and the page passes axe on a laptop
and a phone (who may see it: tests/annotations/insight/test_before_class.py)."""

import pytest
from playwright.sync_api import expect

from annotations import services

from ..conftest import PASSWORD, member
from .conftest import LAPTOP, PHONE, log_in, screenshot
from .test_accessibility import axe, report
from .test_annotator import wait_ready

pytestmark = pytest.mark.browser

ACTIVE = """() => {
  const highlight = CSS.highlights.get("annot-active");
  return highlight ? [...highlight].map((range) => range.toString()) : [];
}"""


def post(reading, author, start, end, kind):
    text = reading.current_revision.text
    return services.annotation_create(
        reading=reading,
        author=author,
        kind=kind,
        text=f"A {kind} on these words.",
        quote={"exact": text[start:end], "start": start, "end": end},
    )[0]


@pytest.fixture
def discussed(seminar, blog_reading, student, student2):
    """Three students on one sentence (two of them asking), one elsewhere; a quiet fourth."""
    text = blog_reading.current_revision.text
    start = text.index("sweet spot")
    third = member(seminar, "ines", "Inès Duarte", "student")
    member(seminar, "quiet", "Kwame Mensah", "student")
    question = post(blog_reading, student, start - 20, start + 30, "question")
    post(blog_reading, student2, start - 10, start + 25, "question")
    post(blog_reading, third, start, start + 40, "critique")
    post(blog_reading, student2, 40, 90, "evidence")
    services.reply_create(parent=question, author=third, text="Ripe for whom?")
    services.vote_add(annotation=question, user=student2)
    return question


def open_before_class(open_page, user, reading, viewport=LAPTOP):
    page = open_page(viewport)
    log_in(page, user.username, PASSWORD)
    page.goto(f"{reading.get_absolute_url()}insight/")
    return page


def test_an_instructor_opens_the_hottest_passage_from_before_class(
    open_page, instructor, blog_reading, discussed
):
    page = open_before_class(open_page, instructor, blog_reading)
    expect(page.get_by_role("heading", name="Most-discussed passages")).to_be_visible()
    first = page.locator(".insight-passage").first
    expect(first).to_contain_text("3 posts")
    expect(first).to_contain_text("sweet spot")
    expect(page.locator(".insight-quiet")).to_contain_text("Kwame Mensah")
    assert report([("before class", "laptop", v) for v in axe(page)]) == ""
    screenshot(page, "insight-before-class-laptop")
    link = first.get_by_role("link", name="Open this passage in the reading")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**#annotation-{discussed.pk}")
    wait_ready(page)
    expect(page.locator(".is-target")).to_have_count(1)
    expect(page.locator(".is-target")).to_contain_text("A question on these words.")
    flashed = page.evaluate(ACTIVE)
    assert flashed and "sweet spot" in "".join(flashed)


def test_before_class_reads_on_a_phone(open_page, ta, blog_reading, discussed):
    page = open_before_class(open_page, ta, blog_reading, viewport=PHONE)
    expect(page.get_by_role("heading", name="Not posted yet")).to_be_visible()
    assert report([("before class", "phone", v) for v in axe(page)]) == ""
    screenshot(page, "insight-before-class-phone")
