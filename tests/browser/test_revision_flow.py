"""The text changes under its annotations (issue 4), in a real browser.

A student annotates the class blog; the instructor edits it through the edit page, with its
preview of what the edit does to the annotations; the student's highlights follow their
words, an edited passage says what it was about, and an annotation whose words were deleted
is listed apart and re-attached to new words.
"""

import re

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation

from .conftest import PHONE, screenshot
from .test_annotator import (
    HIGHLIGHTS,
    SELECT,
    SWEET_SPOT,
    annotate,
    compose,
    open_reading,
    screen,
    wait_ready,
)

pytestmark = pytest.mark.browser

LEAD = "This has lead to"
LED = "This has led to"
# The sentence, its citation and the spaces after it (non-breaking ones, in this import).
DELETED_SENTENCE = re.compile(r"Since the money arrived.*?\(Lakeside Herald, 2014\)\s*")
IN_DELETED = "reportedly killed by Chad’s soldiers"
NEW_PARAGRAPH = "Editor's note: this post was revised after class on March 6.\n\n"
NEW_WORDS = "The death of Abubakar Kolo"


# Where each range of a highlight starts and ends in the body's text (UTF-16 units).
SPANS = """(name) => {
  const body = document.getElementById("reading-body");
  return [...(CSS.highlights.get(name) || [])].map((range) => {
    const before = document.createRange();
    before.setStart(body, 0);
    before.setEnd(range.startContainer, range.startOffset);
    const start = before.toString().length;
    return [start, start + range.toString().length];
  });
}"""


def post_annotation(page, reading, phrase, kind, text):
    """POST /api/readings/{id}/annotations from the page's session, as a script would."""
    text_now = reading.current_revision.text
    start = text_now.index(phrase)
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    response = page.request.post(
        f"/api/readings/{reading.pk}/annotations",
        headers={"X-CSRFToken": token},
        data={
            "kind": kind,
            "text": text,
            "tags": [],
            "visibility": "seminar",
            "target": {
                "selector": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": phrase,
                        "prefix": text_now[max(0, start - 32) : start],
                        "suffix": text_now[start + len(phrase) : start + len(phrase) + 32],
                    },
                    {"type": "TextPositionSelector", "start": start, "end": start + len(phrase)},
                ]
            },
        },
    )
    assert response.status == 201, response.text()
    return response.json()


def edited(source):
    assert source.count("has lead to") == 1
    source, deleted = DELETED_SENTENCE.subn("", source.replace("has lead to", "has led to"))
    assert deleted == 1 and IN_DELETED not in source
    paragraph = source.index("With the increase")
    return source[:paragraph] + NEW_PARAGRAPH + source[paragraph:]


def test_annotations_follow_an_edit_and_orphans_are_reattached(
    open_page, instructor, student, blog_reading
):
    page = open_reading(open_page, student, blog_reading)
    compose(page, SWEET_SPOT, "critique", "Is the sweet spot claim premature?")
    page.locator(".thread", has_text="Is the sweet spot").wait_for()
    lead = post_annotation(page, blog_reading, LEAD, "critique", "Led, not lead.")
    gone = annotate(blog_reading, student, IN_DELETED, "question", "Confirmed by whom?")

    # The instructor edits the text: a new first paragraph, a fixed verb, a sentence gone.
    teacher = open_reading(open_page, instructor, blog_reading)
    header = teacher.locator(".post-header")
    expect(header.get_by_role("link", name="History")).to_be_visible()
    header.get_by_role("link", name="Edit text").click()
    source = teacher.get_by_role("textbox", name=re.compile(r"^Text\*?$"))
    source.fill(edited(source.input_value()))
    teacher.get_by_role("button", name="Save", exact=True).click()
    preview = teacher.locator(".edit-preview")
    expect(preview.get_by_role("heading")).to_have_text("What this edit does to the annotations")
    counts = preview.locator("li strong").all_inner_texts()
    assert counts == ["1", "1", "1"]  # stay, move with their words, leave the text
    assert IN_DELETED in preview.locator(".orphan-preview").inner_text()
    preview.get_by_role("button", name="Save this edit").click()
    teacher.wait_for_url(f"**{blog_reading.get_absolute_url()}")
    expect(teacher.locator(".messages")).to_contain_text(
        "1 stay on their words, 1 moved with them, 1 no longer in the text"
    )

    # The student's page, reloaded: highlights on the words where they are now.
    page.reload()
    wait_ready(page)
    text = page.locator("#reading-body").evaluate("el => el.textContent")
    assert text.index(NEW_PARAGRAPH.strip()) < text.index("With the increase")
    assert page.evaluate(HIGHLIGHTS, "annot-critique") == [LED, SWEET_SPOT]
    assert page.evaluate(HIGHLIGHTS, "annot-question") == []
    # At their new place: each phrase is in the new text once, and the sweet spot has moved
    # (a paragraph more before it, a longer sentence less).
    led, sweet_at = text.index(LED), text.index(SWEET_SPOT)
    spans = [[led, led + len(LED)], [sweet_at, sweet_at + len(SWEET_SPOT)]]
    assert page.evaluate(SPANS, "annot-critique") == spans
    assert sweet_at != blog_reading.revisions.order_by("number").first().text.index(SWEET_SPOT)
    followed = page.locator(".thread", has_text="Led, not lead.")
    note = followed.locator(".thread-stale")
    expect(note).to_contain_text("The text changed since this was written")
    assert note.locator(".original-quote").inner_text() == LEAD
    assert followed.locator(".thread-quote").inner_text() == LED
    sweet = page.locator(".thread", has_text="Is the sweet spot")
    assert sweet.locator(".thread-stale").count() == 0  # same words, only elsewhere

    orphans = page.locator("section.orphans")
    expect(orphans.get_by_role("heading")).to_contain_text("Passages no longer in the text")
    orphan = orphans.locator(".thread", has_text="Confirmed by whom?")
    assert orphan.locator(".thread-quote").inner_text() == IN_DELETED
    assert page.locator("#annotator-margin > .thread-list .thread").count() == 2
    # Wide screens: beside the text, in the margin.
    body = page.locator("#reading-body").bounding_box()
    assert orphans.bounding_box()["x"] > body["x"] + body["width"]
    page.locator(".thread-card", has_text="Led, not lead.").scroll_into_view_if_needed()
    screen(page, "revision-moved-laptop")
    page.get_by_role("button", name="1 passage no longer in the text").click()
    expect(orphans.locator(".orphans-title")).to_be_focused()
    screen(page, "revision-orphans-laptop")
    # Its thread still works: a reply from the orphan.
    orphan.get_by_role("button", name="Reply to Lena Ortiz").click()
    page.get_by_label("Reply to Lena Ortiz").fill("Asking the instructor.")
    page.get_by_role("button", name="Post reply").click()
    expect(orphans.locator(".reply .post-text")).to_have_text("Asking the instructor.")

    # Re-attach: the next selection's button reads "Attach here".
    orphans.get_by_role("button", name="Re-attach to new words").click()
    expect(page.locator(".reattach-bar")).to_be_visible()
    page.evaluate(SELECT, NEW_WORDS)
    attach = page.get_by_role("button", name="Attach here")
    expect(attach).to_be_visible()
    expect(page.locator(".annotate-float").get_by_role("button", name="Cancel")).to_be_visible()
    attach.click()
    expect(page.locator("#annotator-status")).to_have_text(f"Re-attached to “{NEW_WORDS}”.")
    expect(page.locator(".reattach-bar")).to_be_hidden()
    assert orphans.is_hidden()
    assert page.evaluate(HIGHLIGHTS, "annot-question") == [NEW_WORDS]
    stored = Annotation.objects.get(pk=gone.pk)
    assert (stored.anchor_status, stored.quote_exact) == ("anchored", NEW_WORDS)
    moved = page.locator("#annotator-margin > .thread-list .thread", has_text="Confirmed by whom?")
    expect(moved.locator(".thread-card")).to_be_focused()
    assert moved.locator(".original-quote").inner_text() == IN_DELETED

    page.reload()
    wait_ready(page)
    assert page.evaluate(HIGHLIGHTS, "annot-question") == [NEW_WORDS]
    assert page.evaluate(HIGHLIGHTS, "annot-critique") == [LED, SWEET_SPOT]
    assert Annotation.objects.get(pk=lead["id"]).anchor_status == "moved"


def test_orphans_sit_under_the_text_on_phones_and_reattach_can_be_cancelled(
    open_page, seminar, instructor, student
):
    from annotations.revisions.readings import parse_pasted, reading_import, reading_save

    parsed = parse_pasted(
        source="Mandates\n\nA robust mandate without troops is a promise. Small victories count.\n",
        format="text",
    )
    reading = reading_import(seminar=seminar, creator=instructor, parsed=parsed, status="published")
    annotate(reading, student, "without troops", "critique", "Loses its words.")
    reading_save(
        reading=reading,
        editor=instructor,
        title=reading.title,
        byline="",
        date=None,
        due=None,
        status="published",
        source="A mandate is a promise. Small victories count.\n",
        format="text",
    )
    page = open_reading(open_page, student, reading, PHONE)
    orphans = page.locator("section.orphans")
    body = page.locator("#reading-body").bounding_box()
    assert orphans.bounding_box()["y"] > body["y"] + body["height"]
    # From the top of the margin, one button down to them.
    page.get_by_role("button", name="1 passage no longer in the text").click()
    expect(orphans.get_by_role("heading", name="Passages no longer in the text")).to_be_focused()
    screenshot(page, "revision-orphans-phone")

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Re-attach to new words")).to_be_focused()
    page.keyboard.press("Enter")
    bar = page.locator(".reattach-bar")
    expect(bar).to_be_focused()
    page.evaluate(SELECT, "Small victories")
    expect(page.get_by_role("button", name="Attach here")).to_be_visible()
    screen(page, "revision-attach-phone")
    page.locator(".annotate-float").get_by_role("button", name="Cancel").click()
    expect(bar).to_be_hidden()
    expect(page.get_by_role("button", name="Re-attach to new words")).to_be_focused()
    expect(page.locator("#annotator-status")).to_have_text("Re-attaching cancelled.")
    assert Annotation.objects.get(text="Loses its words.").anchor_status == "orphaned"
