"""Threads in the margin, in a real browser: replies nest three deep and deeper ones are
flattened "in reply to" their parent's author (threads.js MAX_LEVEL); on wide screens each
thread sits beside its passage; and the reading page as the guides show it."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from annotations import services
from seminar.models import Reading

from .conftest import LAPTOP, PHONE, log_in, screenshot
from .test_annotator import SWEET_SPOT, annotate, compose, open_reading, wait_ready

pytestmark = pytest.mark.browser

# Each reply: how many reply lists it sits in, its left edge, and its "in reply to" line.
REPLIES = """(ids) => ids.map((id) => {
  const card = document.getElementById(`annotation-${id}`);
  let depth = 0;
  for (let node = card; node; node = node.parentElement) if (node.matches("ol.replies")) depth += 1;
  return {
    depth,
    level: card.closest("ol.replies").className.match(/replies-level-(\\d)/)[1],
    x: Math.round(card.getBoundingClientRect().left),
    inReplyTo: card.querySelector(":scope > .in-reply-to")?.textContent ?? null,
  };
})"""

# Each card of the margin's passage threads, and the top of its passage's highlight, in one
# read (the page may be scrolling between two).
BESIDE = """() => {
  const tops = {};
  for (const name of ["critique", "question", "evidence", "connection", "note"]) {
    for (const range of CSS.highlights.get(`annot-${name}`) || []) {
      tops[range.toString()] = [...range.getClientRects()].find((r) => r.width > 0).top;
    }
  }
  const list = document.querySelector("#annotator-margin > .thread-list");
  return [...list.children].map((li) => {
    const quote = li.querySelector(".thread-quote").textContent;
    const card = li.querySelector(".thread-card").getBoundingClientRect();
    return {quote, want: tops[quote], top: card.top, bottom: card.bottom, left: card.left};
  });
}"""


def test_replies_nest_three_deep_then_flatten_with_in_reply_to(
    open_page, seminar, ta, student, student2, blog_reading
):
    top = annotate(blog_reading, student, SWEET_SPOT, text="Is the sweet spot claim premature?")
    chain, parent = [], top
    for depth, author in enumerate([student2, student, ta, student2, student], 1):
        reply, _ = services.reply_create(parent=parent, author=author, text=f"Depth {depth}.")
        chain.append(reply)
        parent = reply

    page = open_reading(open_page, student2, blog_reading)
    card = page.locator(".thread-card")
    shown = page.evaluate(REPLIES, [r.pk for r in chain])
    # Levels 1-3 nest; depth 4 and 5 join level 3, each saying whom it answers.
    assert [r["depth"] for r in shown] == [1, 2, 3, 3, 3]
    assert [r["level"] for r in shown] == ["1", "2", "3", "3", "3"]
    assert [r["inReplyTo"] for r in shown] == [
        None,
        None,
        None,
        "in reply to Jonas Weber",
        "in reply to Sam Park",
    ]
    assert shown[0]["x"] < shown[1]["x"] < shown[2]["x"]
    assert shown[2]["x"] == shown[3]["x"] == shown[4]["x"]
    assert card.locator(".replies-level-4").count() == 0
    # In the order written, which is the order of the conversation.
    texts = card.locator(".replies .post-text").all_inner_texts()
    assert texts == [f"Depth {n}." for n in range(1, 6)]

    # A reply to the deepest post joins level 3 too, "in reply to" its author.
    deepest = page.locator(f"#annotation-{chain[-1].pk}")
    deepest.get_by_role("button", name="Reply to Lena Ortiz").click()
    page.get_by_label("Reply to Lena Ortiz").fill("Depth 6.")
    page.get_by_role("button", name="Post reply").click()
    newest = card.locator(".post-card", has_text="Depth 6.")
    expect(newest.locator(".in-reply-to")).to_have_text("in reply to Lena Ortiz")
    expect(newest).to_be_focused()
    six = chain[-1].replies.get()
    assert page.evaluate(REPLIES, [six.pk])[0]["depth"] == 3


def check_beside(page, gap=12, tolerance=2, settle=2000):
    """Every card level with its highlight, unless the card above pushed it down. The margin
    is laid out in the frame after a ResizeObserver reports a card's new size, so a read just
    after a reply form opens may come before it: read again until it holds or `settle` ms
    pass (the last read's failure is the one reported)."""
    for _ in range(settle // 50):
        try:
            return beside_now(page, gap, tolerance)
        except AssertionError:
            page.wait_for_timeout(50)
    return beside_now(page, gap, tolerance)


def beside_now(page, gap, tolerance):
    cards = page.evaluate(BESIDE)
    previous = None
    for card in cards:
        want = card["want"]
        if previous is None or want >= previous["bottom"] + gap - tolerance:
            assert card["top"] == pytest.approx(want, abs=tolerance), card
        else:
            assert card["top"] == pytest.approx(previous["bottom"] + gap, abs=tolerance), card
            assert card["top"] > want
        previous = card
    return cards


def test_threads_sit_beside_their_passages_on_wide_screens(
    open_page, seminar, student, student2, blog_reading
):
    annotate(blog_reading, student, "foreign aid and support", "question", "Whose aid?")
    annotate(blog_reading, student2, "Mensah and Lund, (2009)", "connection", "Week 2.")
    # Two passages on neighbouring lines: the second card is pushed below the first.
    annotate(blog_reading, student, SWEET_SPOT, "critique", "Premature?")
    annotate(blog_reading, student2, "sweet spot of timing", "note", "Which method?")
    annotate(
        blog_reading,
        student2,
        "thrown the insurgents’ chain of command into disorder",
        "evidence",
        "Which effect?",
    )

    page = open_reading(open_page, student, blog_reading, LAPTOP)
    cards = check_beside(page)
    # Reading order top to bottom, which is also the order of the cards in the page (and so
    # the order keyboard focus takes).
    assert [c["quote"] for c in cards] == [
        "foreign aid and support",
        "Mensah and Lund, (2009)",
        SWEET_SPOT,
        "sweet spot of timing",
        "thrown the insurgents’ chain of command into disorder",
    ]
    assert [c["top"] for c in cards] == sorted(c["top"] for c in cards)
    pushed = cards[3]
    assert pushed["top"] > pushed["want"] + 10
    # Beside the text, not over it.
    body = page.locator("#reading-body").bounding_box()
    assert all(c["left"] > body["x"] + body["width"] for c in cards)
    # Keyboard focus goes from card to card in reading order.
    first = page.locator(".thread-card").first
    first.focus()
    order = []
    for _ in range(40):
        focused = page.evaluate(
            "document.activeElement.closest('.thread-list > .thread')?.dataset.thread ?? null"
        )
        if focused and focused not in order:
            order.append(focused)
        page.keyboard.press("Tab")
    dom = page.evaluate(
        "[...document.querySelectorAll('#annotator-margin > .thread-list > .thread')]"
        ".map((li) => li.dataset.thread)"
    )
    assert order == dom

    # Recomputed when the text reflows...
    page.set_viewport_size({"width": 1000, "height": 800})
    page.wait_for_timeout(100)
    check_beside(page)
    page.set_viewport_size(LAPTOP)
    page.wait_for_timeout(100)
    check_beside(page)
    # ...when a card grows (a reply form opens under it) ...
    page.locator(".thread-card", has_text="Premature?").get_by_role(
        "button", name="Reply to Lena Ortiz"
    ).click()
    page.get_by_label("Reply to Lena Ortiz").wait_for()
    check_beside(page)
    page.get_by_role("button", name="Cancel").click()
    # ...and when threads come and go.
    compose(page, "the task force has retaken", "evidence", "Operation Lakeshore.")
    page.locator(".thread", has_text="Operation Lakeshore.").wait_for()
    assert len(check_beside(page)) == 6
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".thread-card", has_text="Premature?").get_by_role(
        "button", name="Delete your annotation"
    ).click()
    expect(page.locator(".thread", has_text="Premature?")).to_have_count(0)
    assert len(check_beside(page)) == 5
    # Filters too.
    page.get_by_role("button", name="Question").click()
    expect(page.locator("#annotator-margin > .thread-list > .thread")).to_have_count(1)
    check_beside(page)

    # Narrow screens: a plain list under the text.
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(100)
    assert "is-beside" not in page.locator(".thread-list").first.get_attribute("class")
    body = page.locator("#reading-body").bounding_box()
    assert page.locator(".thread-card").first.bounding_box()["y"] > body["y"] + body["height"]


@pytest.fixture
def demo(transactional_db):
    call_command("demo", stdout=io.StringIO())
    return Reading.objects.get(title="Peacekeeping Without a Peace to Keep")


@pytest.mark.parametrize(("viewport", "name"), [(LAPTOP, "laptop"), (PHONE, "phone")])
def test_the_demo_reading_as_the_guides_show_it(open_page, demo, viewport, name):
    page = open_page(viewport)
    log_in(page, "student1", "seminar-demo")
    page.goto(demo.get_absolute_url())
    wait_ready(page)
    expect(page.locator(".thread")).to_have_count(4)
    if viewport is LAPTOP:
        check_beside(page)
    page.evaluate("document.fonts.ready.then(() => true)")
    page.evaluate("window.scrollTo(0, 0)")
    # docs/screenshots/reading-{laptop,phone}.png are copies of these.
    screenshot(page, f"reading-annotated-{name}")
