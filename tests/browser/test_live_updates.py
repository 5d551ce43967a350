"""Live updates (issue 16), in a real browser: Lena has the reading open; Sam's new critique
reaches her page without a reload, behind "1 new post — Show" rather than under her eyes;
a post a moderator hides leaves it the same way; a background tab asks nothing."""

import pytest
from playwright.sync_api import expect

from annotations.moderation.services import annotation_moderate

from ..conftest import PASSWORD
from .conftest import LAPTOP, log_in, screenshot
from .test_annotator import SWEET_SPOT, annotate, wait_ready

pytestmark = pytest.mark.browser

SAMS = "The sweet spot reads like hindsight dressed as a rule."


def lenas_page(open_page, student, reading):
    page = open_page(LAPTOP)
    page.clock.install()  # the page's 15-second timer, run on demand
    log_in(page, student.username, PASSWORD)
    requests = []
    page.on("request", lambda r: "/changes" in r.url and requests.append(r.url))
    page.goto(reading.get_absolute_url())
    wait_ready(page)
    return page, requests


def test_a_classmates_critique_appears_without_a_reload(
    open_page, student, student2, instructor, blog_reading
):
    page, polls = lenas_page(open_page, student, blog_reading)
    margin = page.locator("#annotator-margin")
    expect(margin.locator(".thread-card")).to_have_count(0)
    with page.expect_response("**/changes?since=*") as polled:
        page.clock.run_for(16_000)
    assert polled.value.status == 304  # nothing changed
    expect(margin.locator(".live-banner")).to_be_hidden()
    assert len(polls) == 1

    sams = annotate(blog_reading, student2, SWEET_SPOT, text=SAMS)
    page.clock.run_for(16_000)
    show = margin.get_by_role("button", name="1 new post — Show")
    expect(show).to_be_visible()
    expect(margin.locator(".thread-card")).to_have_count(0)  # not moved in by itself
    screenshot(page, "live-new-post")
    show.click()
    card = margin.locator(".thread-card", has_text=SAMS)
    expect(card).to_be_visible()
    expect(card).to_be_focused()  # the button is gone: focus goes to what it showed
    expect(show).to_be_hidden()
    assert page.evaluate("window.location.pathname") == blog_reading.get_absolute_url()

    annotation_moderate(annotation=sams, moderator=instructor, action="hide", reason="Rude")
    page.clock.run_for(16_000)
    removed = margin.get_by_role("button", name="1 post removed — Show")
    expect(removed).to_be_visible()
    removed.click()
    expect(margin.locator(".thread-card", has_text=SAMS)).to_have_count(0)


def test_a_background_tab_waits_until_it_is_looked_at(open_page, student, blog_reading):
    page, polls = lenas_page(open_page, student, blog_reading)
    page.evaluate(
        "Object.defineProperty(document, 'hidden', {value: true, configurable: true});"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    page.clock.run_for(60_000)
    assert polls == []
    page.evaluate(
        "Object.defineProperty(document, 'hidden', {value: false, configurable: true});"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    page.wait_for_timeout(500)
    assert len(polls) == 1


def test_a_deep_link_opens_the_post_in_place(open_page, student, student2, blog_reading):
    sams = annotate(blog_reading, student2, SWEET_SPOT, text=SAMS)
    page = open_page(LAPTOP)
    log_in(page, student.username, PASSWORD)
    page.goto(f"{blog_reading.get_absolute_url()}#annotation-{sams.pk}")
    wait_ready(page)
    target = page.locator(f"#annotation-{sams.pk}")
    expect(target).to_be_in_viewport()
    assert "is-target" in (target.get_attribute("class") or "")
