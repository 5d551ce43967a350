"""Selecting words the way people do, in a real browser: a mouse drag over the words on a
laptop, and a finger on a phone, each ending at the Annotate control and a saved annotation.

Playwright's mouse is the real input pipeline (mousedown, mousemove, mouseup: Chromium makes
the selection itself). Touch is harder: headless Chromium dispatches real touch events
(Input.dispatchTouchEvent, as a finger would send them) but does not turn a long press into a
word selection or show selection handles, which on a phone are the browser's own UI, outside
the page. So the phone test sends the real touches (touchstart, touchmove steps, touchend on
the words) and, in step with them, does what the browser's long press and handle drag do to
the document: select the first word, then extend the selection to the point under the finger.
The page sees what it sees on a phone: `selectionchange` events during the drag, then a
trusted `touchend` on the text, which is the path selection.js takes for touch. The Annotate
control is then tapped with a real tap.
"""

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation

from ..conftest import PASSWORD
from .conftest import ARTIFACTS, PHONE, log_in
from .test_annotator import SWEET_SPOT, open_reading, wait_ready

pytestmark = pytest.mark.browser

# The phrase scrolled to the middle of the screen; the centre-left of its first character and
# the centre-right of its last (viewport px), and its line boxes.
ENDS = """(phrase) => {
  const root = document.getElementById("reading-body");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(phrase);
    if (at < 0) continue;
    const box = (from, to) => {
      const range = document.createRange();
      range.setStart(node, from);
      range.setEnd(node, to);
      return range.getBoundingClientRect();
    };
    // The phrase itself to the middle (its paragraph may be taller than a phone's screen).
    const whole = box(at, at + phrase.length);
    window.scrollBy({top: whole.top + whole.height / 2 - innerHeight / 2, behavior: "instant"});
    const first = box(at, at + 1);
    const last = box(at + phrase.length - 1, at + phrase.length);
    return {
      start: {x: first.left + 1, y: first.top + first.height / 2},
      end: {x: last.right - 1, y: last.top + last.height / 2},
      bottom: last.bottom,
    };
  }
  throw new Error("not in the text: " + phrase);
}"""

# What a long press does: the word under the finger becomes the selection.
PRESS = """({x, y}) => {
  const at = document.caretRangeFromPoint(x, y);
  const selection = document.getSelection();
  selection.collapse(at.startContainer, at.startOffset);
  selection.modify("extend", "forward", "word");
}"""

# What dragging the end handle does: the selection's focus follows the finger.
DRAG = """({x, y}) => {
  const at = document.caretRangeFromPoint(x, y);
  document.getSelection().extend(at.startContainer, at.startOffset);
}"""


def test_a_mouse_drag_over_the_words_brings_up_annotate(open_page, student, blog_reading):
    page = open_reading(open_page, student, blog_reading)
    ends = page.evaluate(ENDS, SWEET_SPOT)
    page.mouse.move(ends["start"]["x"], ends["start"]["y"])
    page.mouse.down()
    page.mouse.move(ends["end"]["x"], ends["end"]["y"], steps=15)
    page.mouse.up()

    button = page.get_by_role("button", name="Annotate the selected passage")
    expect(button).to_be_visible()
    assert page.evaluate("document.getSelection().toString()") == SWEET_SPOT
    # By the selection: just under the last line of the selected words.
    box = button.bounding_box()
    assert 0 <= box["y"] - ends["bottom"] <= 24
    button.click()
    expect(page.locator(".composer-quote")).to_have_text(SWEET_SPOT)
    page.get_by_role("textbox", name="Your annotation").fill("Struck by whom?")
    page.get_by_role("button", name="Save annotation").click()
    page.locator(".thread", has_text="Struck by whom?").wait_for()
    stored = Annotation.objects.get(text="Struck by whom?")
    assert stored.quote_exact == SWEET_SPOT


@pytest.fixture
def touch_page(browser, live_server):
    """A phone: 390×844, touch input, mobile viewport; console errors fail the test."""
    context = browser.new_context(
        viewport=PHONE, has_touch=True, is_mobile=True, base_url=live_server.url
    )
    errors = []
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == [], errors


def test_a_finger_selects_words_on_a_phone_and_taps_annotate(touch_page, student, blog_reading):
    page = touch_page
    log_in(page, student.username, PASSWORD)
    page.goto(blog_reading.get_absolute_url())
    wait_ready(page)
    assert page.evaluate("matchMedia('(pointer: coarse)').matches")
    page.evaluate(
        """() => {
          window.touchesSeen = [];
          document.getElementById("reading-body").addEventListener("touchend", (event) => {
            window.touchesSeen.push(event.isTrusted);
          });
        }"""
    )
    ends = page.evaluate(ENDS, SWEET_SPOT)
    cdp = page.context.new_cdp_session(page)

    def touch(kind, point=None):
        points = [{"x": point["x"], "y": point["y"]}] if point else []
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    start, end = ends["start"], ends["end"]
    touch("touchStart", start)
    page.wait_for_timeout(600)  # a long press
    page.evaluate(PRESS, start)
    steps = 8
    for i in range(1, steps + 1):
        point = {
            "x": start["x"] + (end["x"] - start["x"]) * i / steps,
            "y": start["y"] + (end["y"] - start["y"]) * i / steps,
        }
        touch("touchMove", point)
        page.evaluate(DRAG, point)
    touch("touchEnd")

    button = page.get_by_role("button", name="Annotate the selected passage")
    expect(button).to_be_visible()
    assert page.evaluate("window.touchesSeen") == [True]
    assert page.evaluate("document.getSelection().toString()") == SWEET_SPOT
    # Phones: a bar at the bottom of the screen, clear of the native selection handles.
    box = button.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(PHONE["height"] - 16, abs=4)
    assert box["width"] > PHONE["width"] / 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "selection-touch-phone.png"))

    button.tap()
    expect(page.locator(".composer-quote")).to_have_text(SWEET_SPOT)
    page.get_by_role("textbox", name="Your annotation").fill("Struck by whom, on a phone?")
    page.get_by_role("button", name="Save annotation").tap()
    page.locator(".thread", has_text="Struck by whom, on a phone?").wait_for()
    stored = Annotation.objects.get(text="Struck by whom, on a phone?")
    assert stored.quote_exact == SWEET_SPOT
