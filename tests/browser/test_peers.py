"""Think first, in a real browser: Lena opens a reading that holds classmates' posts back
until she posts. She sees the notice and the staff's question, none of Sam's posts; she
annotates a passage, and the class's posts appear without a reload."""

import pytest
from playwright.sync_api import expect

from annotations.peers.services import reading_set_peer_visibility
from annotations.services import comment_create

from .conftest import PHONE, screenshot
from .test_accessibility import FAILING, axe
from .test_annotator import SWEET_SPOT, annotate, compose, open_reading

pytestmark = pytest.mark.browser

SAMS = "Sam thinks the timing claim is premature."


@pytest.fixture
def held(blog_reading, instructor, student2):
    annotate(blog_reading, student2, SWEET_SPOT, text=SAMS)
    comment_create(reading=blog_reading, author=student2, text="Sam's page comment.")
    annotate(blog_reading, instructor, "foreign aid and support", "question", "Whose aid, though?")
    reading_set_peer_visibility(reading=blog_reading, actor=instructor, value="after_posting")
    return blog_reading


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["laptop", "phone"])
def test_a_student_posts_first_then_sees_the_class(open_page, student, held, viewport):
    page = open_reading(open_page, student, held, **({"viewport": viewport} if viewport else {}))
    notice = page.locator("#held-back")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("2 posts by classmates appear once you annotate a passage")
    margin = page.locator("#annotator-margin")
    expect(margin.locator(".thread", has_text="Whose aid, though?")).to_have_count(1)
    expect(page.get_by_text(SAMS)).to_have_count(0)
    expect(page.get_by_text("Sam's page comment.")).to_have_count(0)
    name = "phone" if viewport else "laptop"
    screenshot(page, f"peers-held-back-{name}")
    assert [v["id"] for v in axe(page) if v["impact"] in FAILING] == []

    compose(page, "thrown the insurgents’ chain of command into disorder", "critique", "Mine.")
    expect(margin.locator(".thread", has_text=SAMS)).to_have_count(1)
    expect(notice).to_be_hidden()
    expect(page.locator("#comments").get_by_text("Sam's page comment.")).to_have_count(1)
    screenshot(page, f"peers-class-shown-{name}")
