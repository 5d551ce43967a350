"""The staff's passage heat map on the reading page (static/js/annotator/heatmap.js), in a
real browser: turned on and off from the keyboard, painted from the server's merged spans
into the heat-N highlights, by all posts or questions only, and never offered to students."""

import pytest
from playwright.sync_api import expect

from annotations import services
from tests.texts import AID, CHAIN, PLEDGED, SWEET_SPOT

from ..conftest import PASSWORD
from .conftest import ARTIFACTS, LAPTOP, PHONE, log_in, screenshot
from .test_accessibility import axe, report

pytestmark = pytest.mark.browser

# Two passages of one sentence that overlap on "the sweet spot".
FOUND = "believe it has found the sweet spot"
TIMING = "the sweet spot of timing and method this time"
OVERLAP = "the sweet spot"

LAYERS = """() => {
  const out = {};
  for (let level = 1; level <= 5; level += 1) {
    const highlight = CSS.highlights.get(`heat-${level}`);
    if (highlight) out[level] = [...highlight].map((range) => range.toString());
  }
  return out;
}"""


def layers(page):
    """{level: [the text of each range]} of the heat-N highlights that are set."""
    return {int(level): texts for level, texts in page.evaluate(LAYERS).items()}


def annotate(reading, author, phrase, kind, within=None):
    """A post on `phrase` (found inside `within`, when it occurs more than once)."""
    text = reading.current_revision.text
    start = text.index(within) + within.index(phrase) if within else text.index(phrase)
    services.annotation_create(
        reading=reading,
        author=author,
        kind=kind,
        text=f"On “{phrase}”.",
        quote={"exact": phrase, "start": start, "end": start + len(phrase)},
    )


def open_reading(open_page, user, reading, viewport=LAPTOP):
    page = open_page(viewport)
    log_in(page, user.username, PASSWORD)
    page.goto(reading.get_absolute_url())
    page.wait_for_selector("body[data-annotator-ready]", state="attached")
    return page


def press(page, selector, key="Enter"):
    page.locator(selector).focus()
    page.keyboard.press(key)


def test_instructor_toggles_the_heat_map_from_the_keyboard(
    open_page, instructor, student, student2, blog_reading
):
    annotate(blog_reading, student, FOUND, "critique", within=SWEET_SPOT)
    annotate(blog_reading, student2, TIMING, "question", within=SWEET_SPOT)
    annotate(blog_reading, student, AID, "question")
    page = open_reading(open_page, instructor, blog_reading)
    toggle = page.locator("#heatmap-toggle")
    status = page.locator("#heatmap-status")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_role("link", name="Before class")).to_have_attribute(
        "href", f"/s/{blog_reading.seminar.slug}/r/{blog_reading.slug}/insight/"
    )
    assert layers(page) == {}

    press(page, "#heatmap-toggle")
    expect(status).to_have_text("Heat map on: 3 posts on 2 passages; darkest where 2 overlap.")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#annotator")).to_have_class("reading-layout heat-on")
    painted = layers(page)
    # Two posts at most: one covers a character at level 3, two (the darkest) at level 5.
    assert painted[5] == [OVERLAP]
    assert sorted(painted[3]) == sorted(
        [AID, FOUND.removesuffix(OVERLAP), TIMING.removeprefix(OVERLAP)]
    )
    assert set(painted) == {3, 5}
    expect(page.locator("#heatmap-legend li")).to_have_text(["1", "2", "posts on a passage"])
    # The annotator's own layers are still there, receded under the heat (annotator.css).
    assert page.evaluate("CSS.highlights.has('annot-depth-2')")

    # Questions only, by the arrow keys in the radio group.
    press(page, "#heatmap-mode-posts", "ArrowRight")
    expect(page.locator("#heatmap-mode-questions")).to_be_checked()
    expect(status).to_have_text(
        "Heat map on, questions only: 2 questions on 2 passages; no two questions overlap."
    )
    assert layers(page) == {5: [AID, TIMING]} or layers(page) == {5: [TIMING, AID]}
    expect(page.locator("#heatmap-legend li")).to_have_text(["1", "questions on a passage"])

    # Without motion, Bootstrap's buttons change colour at once: axe never reads a radio
    # button's label halfway through its transition.
    page.emulate_media(reduced_motion="reduce")
    violations = axe(page)
    assert not violations, "\n" + report([("reading", page.url, v) for v in violations])

    press(page, "#heatmap-toggle", " ")
    expect(status).to_have_text("Heat map off.")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#heatmap-panel")).to_be_hidden()
    expect(page.locator("#annotator")).to_have_class("reading-layout")
    assert layers(page) == {}
    assert page.evaluate("CSS.highlights.has('annot-depth-2')")


def test_students_are_not_offered_the_heat_map(open_page, student, student2, blog_reading):
    annotate(blog_reading, student2, TIMING, "question", within=SWEET_SPOT)
    page = open_reading(open_page, student, blog_reading)
    assert page.locator("#heatmap-toggle, #heatmap-panel, #heatmap-status").count() == 0
    assert page.get_by_role("link", name="Before class").count() == 0
    assert page.get_by_role("button", name="Heat map").count() == 0


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_heat_map_at_both_viewports(
    open_page, instructor, student, student2, blog_reading, viewport
):
    """A class's worth of overlap, for the eye (test-artifacts/heatmap-*.png): every level of
    the ramp in use, and nothing spilling sideways."""
    sentence = [
        (student, FOUND, "critique"),
        (student2, TIMING, "question"),
        (student, OVERLAP, "evidence"),
        (student2, "found the sweet spot", "critique"),
        (student, "sweet spot of timing", "question"),
        (student2, "sweet spot", "connection"),
    ]
    for author, phrase, kind in sentence:
        annotate(blog_reading, author, phrase, kind, within=SWEET_SPOT)
    for author, phrase, kind in [
        (student, AID, "question"),
        (student2, "foreign aid", "critique"),
        (student, "foreign aid", "evidence"),
        (student, PLEDGED, "evidence"),
        (student2, CHAIN, "question"),
    ]:
        annotate(blog_reading, author, phrase, kind)
    page = open_reading(open_page, instructor, blog_reading, viewport)
    press(page, "#heatmap-toggle")
    expect(page.locator("#heatmap-status")).to_have_text(
        "Heat map on: 11 posts on 4 passages; darkest where 6 overlap."
    )
    expect(page.locator("#heatmap-legend li")).to_have_text(
        ["1", "2", "3", "4", "5–6", "posts on a passage"]
    )
    assert layers(page)[5] == ["sweet spot"]
    screenshot(page, f"heatmap-{viewport['width']}")
    page.screenshot(path=str(ARTIFACTS / f"heatmap-{viewport['width']}-top.png"))
