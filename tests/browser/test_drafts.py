"""Drafts that survive (drafts.js, composer.js): what Lena writes stays in her browser until
it is posted or she discards it. Escape keeps it, the same passage, parent or post brings it
back, a reload offers it back above the text; the counter warns near the limit, and a text
over it is kept in full but refused before anything is sent.
"""

import re

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation
from annotations.rendering import MAX_TEXT_CHARS, render_markdown
from tests.texts import AID, SWEET_SPOT

from ..conftest import PASSWORD
from .conftest import LAPTOP, PHONE, log_in, screenshot
from .test_annotator import SELECT, annotate, open_reading, screen, wait_ready

pytestmark = pytest.mark.browser

DRAFT_KEYS = "Object.keys(localStorage).filter((key) => key.startsWith('seminar.draft'))"


def open_composer(page, phrase):
    page.evaluate(SELECT, phrase)
    page.get_by_role("button", name="Annotate").click()
    page.wait_for_selector("dialog.composer[open]")
    return page.get_by_role("textbox", name="Your annotation")


def closed(page):
    page.wait_for_selector("dialog.composer[open]", state="detached")


def posts_sent(page):
    """Every write the page sends to the API from now on."""
    sent = []
    page.on(
        "request",
        lambda request: request.method != "GET" and "/api/" in request.url and sent.append(request),
    )
    return sent


def test_lena_s_draft_survives_escape_and_comes_back_on_the_same_passage(
    open_page, student, blog_reading
):
    page = open_reading(open_page, student, blog_reading)
    box = open_composer(page, SWEET_SPOT)
    box.fill("Premature: the task force has not met its first test.")
    page.get_by_role("radio", name="Question").check()
    page.keyboard.press("Escape")
    closed(page)
    expect(page.locator("#annotator-status")).to_have_text("Draft kept.")
    assert len(page.evaluate(DRAFT_KEYS)) == 1
    # Another passage starts empty; its own words are not this draft's.
    expect(open_composer(page, AID)).to_have_value("")
    page.keyboard.press("Escape")
    closed(page)
    assert len(page.evaluate(DRAFT_KEYS)) == 1

    box = open_composer(page, SWEET_SPOT)
    expect(box).to_have_value("Premature: the task force has not met its first test.")
    expect(page.get_by_role("radio", name="Question")).to_be_checked()
    expect(page.locator(".composer-draft")).to_contain_text("is back")
    expect(page.get_by_role("button", name="Discard draft")).to_be_visible()
    page.get_by_role("button", name="Close", exact=True).click()
    closed(page)
    expect(page.locator("#annotator-status")).to_have_text("Draft kept.")


def test_a_draft_survives_a_reload_is_offered_back_and_saving_clears_it(
    open_page, student, blog_reading
):
    page = open_reading(open_page, student, blog_reading)
    open_composer(page, SWEET_SPOT).fill("Is the sweet spot claim premature?")
    page.get_by_label("Tags").fill("timing")
    # No Escape, no Close: the tab just goes.
    page.reload()
    wait_ready(page)
    notice = page.locator(".drafts-notice")
    expect(notice).to_contain_text("You have an unsaved draft")
    expect(notice).to_contain_text(f"A draft on “{SWEET_SPOT}”")
    screenshot(page, "drafts-notice")

    notice.get_by_role("button", name="Resume").click()
    page.wait_for_selector("dialog.composer[open]")
    expect(page.locator(".composer-quote")).to_have_text(SWEET_SPOT)
    expect(page.get_by_role("textbox", name="Your annotation")).to_have_value(
        "Is the sweet spot claim premature?"
    )
    expect(page.get_by_label("Tags")).to_have_value("timing")
    page.get_by_role("button", name="Save annotation").click()
    closed(page)
    stored = Annotation.objects.get(reading=blog_reading, kind="critique")
    assert (stored.text, stored.tags, stored.quote_exact) == (
        "Is the sweet spot claim premature?",
        ["timing"],
        SWEET_SPOT,
    )
    assert page.evaluate(DRAFT_KEYS) == []
    expect(notice).to_have_count(0)
    # And it does not come back on the same passage.
    expect(open_composer(page, SWEET_SPOT)).to_have_value("")


def test_discard_removes_the_draft_after_asking(open_page, student, blog_reading):
    page = open_reading(open_page, student, blog_reading)
    open_composer(page, SWEET_SPOT).fill("A thought I will not keep.")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Discard draft").click()
    closed(page)
    assert asked == ["Discard this draft? Its text will be gone."]
    expect(page.locator("#annotator-status")).to_have_text("Draft discarded.")
    assert page.evaluate(DRAFT_KEYS) == []
    expect(open_composer(page, SWEET_SPOT)).to_have_value("")
    page.keyboard.press("Escape")
    closed(page)

    # From the notice after a reload, too.
    open_composer(page, AID).fill("Another one.")
    page.keyboard.press("Escape")
    closed(page)
    page.reload()
    wait_ready(page)
    page.locator(".drafts-notice").get_by_role("button", name="Discard").click()
    expect(page.locator(".drafts-notice")).to_have_count(0)
    assert asked[-1] == f"Discard a draft on “{AID}”? Its text will be gone."
    assert page.evaluate(DRAFT_KEYS) == []


def test_logging_out_asks_then_takes_the_drafts_so_the_next_person_never_sees_them(
    open_page, student, student2, blog_reading
):
    page = open_reading(open_page, student, blog_reading)
    open_composer(page, SWEET_SPOT).fill("Lena's words.")
    page.keyboard.press("Escape")
    closed(page)
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Log out").click()
    assert asked == [
        "You have an unsaved draft in this browser. Log out and discard it, so that nobody "
        "else using this browser can read it?"
    ]
    assert len(page.evaluate(DRAFT_KEYS)) == 1  # she said no: still logged in, draft kept
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    assert page.evaluate(DRAFT_KEYS) == []
    log_in(page, student2.username, PASSWORD)
    page.goto(blog_reading.get_absolute_url())
    wait_ready(page)
    expect(page.locator(".drafts-notice")).to_have_count(0)
    expect(open_composer(page, SWEET_SPOT)).to_have_value("")


def test_reply_and_edit_drafts_come_back(open_page, student, student2, blog_reading):
    mine = annotate(blog_reading, student, SWEET_SPOT, text="Premature?")
    annotate(blog_reading, student2, AID, text="Aid is not support.")
    page = open_reading(open_page, student, blog_reading)
    sams = page.locator(".thread", has_text="Aid is not support.")

    # A reply: Escape closes the box and keeps the words; Reply again brings them back.
    sams.get_by_role("button", name="Reply to Sam Park").click()
    reply = page.get_by_label("Reply to Sam Park")
    reply.fill("Support can be aid too.")
    reply.press("Escape")
    expect(reply).to_have_count(0)
    expect(page.locator("#annotator-status")).to_have_text("Draft kept.")
    sams.get_by_role("button", name="Reply to Sam Park").click()
    expect(reply).to_have_value("Support can be aid too.")
    sams.get_by_role("button", name="Cancel").click()

    # An edit: the changed words, not the saved ones, after a reload.
    page.locator(".thread", has_text="Premature?").get_by_role(
        "button", name="Edit your annotation"
    ).click()
    box = page.get_by_role("textbox", name="Your annotation")
    box.fill("Premature, and the evidence says so.")
    page.keyboard.press("Escape")
    closed(page)
    page.reload()
    wait_ready(page)
    notice = page.locator(".drafts-notice")
    expect(notice).to_contain_text("You have 2 unsaved drafts")
    expect(notice).to_contain_text("A reply to Sam Park")
    expect(notice).to_contain_text(f"Changes to your annotation on “{SWEET_SPOT[:59]}")

    notice.locator("li", has_text="Changes to").get_by_role("button", name="Resume").click()
    expect(box).to_have_value("Premature, and the evidence says so.")
    page.get_by_role("button", name="Save changes").click()
    closed(page)
    mine.refresh_from_db()
    assert mine.text == "Premature, and the evidence says so."

    notice.get_by_role("button", name="Resume").click()
    expect(reply).to_have_value("Support can be aid too.")
    expect(notice).to_have_count(0)  # the draft is open under Sam's post
    page.get_by_role("button", name="Post reply").click()
    page.locator(".reply", has_text="Support can be aid too.").wait_for()
    assert Annotation.objects.filter(
        parent__author=student2, text="Support can be aid too."
    ).exists()
    assert page.evaluate(DRAFT_KEYS) == []
    expect(notice).to_have_count(0)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_counter_warns_near_the_limit(open_page, student, blog_reading, viewport):
    assert MAX_TEXT_CHARS == 10_000  # the number the page was given, not one of its own
    page = open_reading(open_page, student, blog_reading, viewport)
    box = open_composer(page, SWEET_SPOT)
    count = page.locator(".composer-count")
    expect(count).to_have_text("0 / 10,000")
    expect(count).to_have_attribute("aria-live", "off")
    box.fill("word " * 1700)  # 8,499 once trimmed: not yet near
    expect(count).to_have_text("8,499 / 10,000")
    expect(count).not_to_have_class(re.compile("is-near"))
    box.fill("w" * 9850)
    expect(count).to_have_text("9,850 / 10,000")
    expect(count).to_have_class(re.compile("is-near"))
    expect(count).to_have_attribute("aria-live", "polite")
    expect(page.locator(".composer-limit")).to_be_hidden()
    screen(page, f"drafts-counter-{'phone' if viewport == PHONE else 'laptop'}")


def test_twelve_thousand_pasted_characters_are_kept_and_refused(open_page, student, blog_reading):
    page = open_reading(open_page, student, blog_reading)
    box = open_composer(page, SWEET_SPOT)
    sent = posts_sent(page)
    pasted = ("A long critique. " * 706)[:12_000]
    assert len(pasted.strip()) == 12_000
    box.focus()
    page.keyboard.insert_text(pasted)  # as a paste arrives: a maxlength would cut it
    assert page.evaluate("document.getElementById('composer-text').value.length") == len(pasted)
    message = "Your text is 12,000 characters; the limit is 10,000. Shorten it by 2,000 to post."
    limit = page.locator(".composer-limit")
    expect(limit).to_have_text(message)
    expect(page.locator(".composer-count")).to_have_class(re.compile("is-over"))
    expect(box).to_have_attribute("aria-invalid", "true")

    page.get_by_role("button", name="Save annotation").click()
    expect(limit).to_have_attribute("role", "alert")
    expect(limit).to_have_text(message)
    expect(box).to_be_focused()
    screen(page, "drafts-over-the-limit")
    page.keyboard.press("Control+Enter")
    expect(page.locator("dialog.composer")).to_be_visible()
    assert sent == []
    assert not Annotation.objects.filter(reading=blog_reading, kind="critique").exists()
    assert page.evaluate("document.getElementById('composer-text').value") == pasted

    # Shortened to the limit, it posts.
    page.evaluate("document.getElementById('composer-text').setSelectionRange(0, 2000)")
    page.keyboard.press("Delete")
    expect(limit).to_be_hidden()
    expect(page.locator(".composer-count")).to_have_text("10,000 / 10,000")
    page.get_by_role("button", name="Save annotation").click()
    closed(page)
    assert len(Annotation.objects.get(reading=blog_reading, kind="critique").text) == 10_000


def test_a_reply_over_the_limit_is_refused_before_it_is_sent(
    open_page, student, student2, blog_reading
):
    annotate(blog_reading, student2, AID, text="Aid is not support.")
    page = open_reading(open_page, student, blog_reading)
    page.get_by_role("button", name="Reply to Sam Park").click()
    reply = page.get_by_label("Reply to Sam Park")
    sent = posts_sent(page)
    reply.focus()
    page.keyboard.insert_text("x" * 10_500)
    expect(page.locator(".reply-form .text-count")).to_have_text("10,500 / 10,000")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator(".reply-error")).to_have_text(
        "Your text is 10,500 characters; the limit is 10,000. Shorten it by 500 to post."
    )
    screen(page, "drafts-reply-over-the-limit")
    assert sent == []
    assert reply.input_value() == "x" * 10_500
    assert Annotation.objects.filter(parent__isnull=False).count() == 0


# A refused or lost request logs its own console error: expected here, and only here.
EXPECTED_FAILURE = re.compile(
    r"^Failed to load resource: (the server responded with a status of 409|net::ERR_FAILED)"
)


@pytest.fixture
def failing_page(browser, live_server):
    context = browser.new_context(viewport=LAPTOP, base_url=live_server.url)
    page = context.new_page()
    errors = []
    page.on(
        "console",
        lambda m: (
            m.type == "error" and not EXPECTED_FAILURE.match(m.text) and errors.append(m.text)
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == [], errors


def test_a_failed_save_keeps_the_text_and_the_draft(failing_page, student, blog_reading):
    page = failing_page
    log_in(page, student.username, PASSWORD)
    page.goto(blog_reading.get_absolute_url())
    wait_ready(page)
    box = open_composer(page, SWEET_SPOT)
    box.fill("Saved at the second try.")
    answers = iter(["conflict", "offline"])

    def refuse(route):
        if route.request.method != "POST":
            return route.continue_()
        if next(answers, None) == "conflict":
            return route.fulfill(
                status=409, json={"detail": "The reading changed; reload the page."}
            )
        return route.abort()

    page.route("**/api/readings/*/annotations", refuse)
    page.get_by_role("button", name="Save annotation").click()
    expect(page.locator(".composer-error")).to_have_text("The reading changed; reload the page.")
    expect(box).to_have_value("Saved at the second try.")
    page.get_by_role("button", name="Save annotation").click()
    expect(page.locator(".composer-error")).to_contain_text("The connection failed")
    expect(box).to_have_value("Saved at the second try.")
    assert len(page.evaluate(DRAFT_KEYS)) == 1
    page.keyboard.press("Escape")
    closed(page)
    expect(page.locator("#annotator-status")).to_have_text("Draft kept.")

    page.unroute("**/api/readings/*/annotations")
    page.locator(".drafts-notice").get_by_role("button", name="Resume").click()
    page.get_by_role("button", name="Save annotation").click()
    closed(page)
    assert (
        Annotation.objects.get(reading=blog_reading, kind="critique").text
        == "Saved at the second try."
    )
    assert page.evaluate(DRAFT_KEYS) == []


def test_a_megabyte_without_a_space_wraps_in_the_margin(open_page, student, blog_reading):
    critique = annotate(blog_reading, student, SWEET_SPOT)
    word = "x" * 1_000_000  # only the ORM can store it: the API refuses past 10,000
    Annotation.objects.filter(pk=critique.pk).update(text=word, html=render_markdown(word))
    for viewport in (LAPTOP, PHONE):
        page = open_page(viewport)
        page.set_default_timeout(20_000)
        log_in(page, student.username, PASSWORD)
        page.goto(blog_reading.get_absolute_url())
        wait_ready(page)
        text = page.locator(f"#annotation-{critique.pk} .post-text")
        text.wait_for()
        width = viewport["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert text.bounding_box()["width"] <= width
