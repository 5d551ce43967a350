"""Searching a seminar in the browser: from the seminar page's box to the post on its
reading's page, at a laptop's width and a phone's; axe finds nothing serious on the page."""

import pytest

from annotations.services import annotation_create
from tests.texts import SWEET_SPOT

from ..conftest import PASSWORD
from .conftest import LAPTOP, PHONE, log_in, screenshot
from .test_accessibility import FAILING, axe

pytestmark = pytest.mark.browser


@pytest.fixture
def critique(blog_reading, student):
    return annotation_create(
        reading=blog_reading,
        author=student,
        kind="critique",
        text="The argument is a palimpsest: older claims <show> through.",
        quote={"exact": SWEET_SPOT},
        tags=["rhetoric"],
    )[0]


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_search_then_open_the_post(open_page, critique, student2, seminar, viewport):
    page = open_page(viewport)
    log_in(page, student2.username, PASSWORD)
    page.goto(seminar.get_absolute_url())
    page.get_by_label("Search this seminar").fill('"palimpsest" -nothing')
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=*")
    assert page.get_by_role("status").inner_text().startswith("1 result for")
    mark = page.locator(".search-snippet mark")
    assert mark.first.inner_text().lower() == "palimpsest"
    assert "<show>" in page.locator(".search-snippet").first.inner_text()
    screenshot(page, f"search-{'phone' if viewport == PHONE else 'laptop'}")
    violations = [v for v in axe(page) if v["impact"] in FAILING]
    assert violations == [], violations

    page.get_by_role("link", name="Critique by Lena Ortiz").click()
    page.wait_for_url(f"**{critique.get_absolute_url()}")
    post = page.locator(f"#annotation-{critique.pk}")
    post.wait_for()
    assert "palimpsest" in post.inner_text()


def test_no_results_and_filters(open_page, critique, student2, seminar):
    page = open_page(PHONE)
    log_in(page, student2.username, PASSWORD)
    page.goto(f"/s/{seminar.slug}/search/?q=palimpsest")
    page.get_by_label("Find").select_option("reading")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("status").inner_text() == "No results for “palimpsest”."
    screenshot(page, "search-none-phone")
