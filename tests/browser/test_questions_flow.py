"""Questions that close (issue 17), in a real browser: a student marks her own question
answered, a TA endorses a classmate's reply as the answer to another, and the margin's
"Open questions" filter then shows only the question still open."""

import pytest
from playwright.sync_api import expect

from annotations import services
from annotations.models import Annotation
from tests.texts import AID, PLEDGED, SWEET_SPOT

from .conftest import screenshot
from .test_annotator import annotate, open_reading, wait_ready

pytestmark = pytest.mark.browser

MINE = "Is the sweet spot a real thing?"
ENDORSED = "Who pledged the money?"
STILL_OPEN = "What counts as aid here?"


def test_questions_close_and_the_filter_shows_the_open_ones(
    open_page, ta, student, student2, blog_reading
):
    mine = annotate(blog_reading, student, SWEET_SPOT, kind="question", text=MINE)
    asked = annotate(blog_reading, student2, PLEDGED, kind="question", text=ENDORSED)
    answer = services.reply_create(parent=asked, author=student, text="The donors' conference.")[0]
    still = annotate(blog_reading, student2, AID, kind="question", text=STILL_OPEN)

    # Lena marks her own question answered; she gets no control on Sam's.
    lena = open_reading(open_page, student, blog_reading)
    card = lena.locator(".thread-card", has_text=MINE)
    expect(card.locator(".question-state")).to_have_text("Open question")
    card.get_by_role("button", name="Mark answered").click()
    expect(lena.locator("#annotator-status")).to_contain_text("Question marked answered.")
    card = lena.locator(".thread-card", has_text=MINE)
    expect(card.locator(".question-state")).to_have_text("Answered")
    expect(card.get_by_role("button", name="Reopen the question")).to_be_visible()
    theirs = lena.locator(".thread-card", has_text=STILL_OPEN)
    expect(theirs.get_by_role("button", name="Mark answered")).to_have_count(0)
    assert Annotation.objects.get(pk=mine.pk).resolution == "answered"

    # The TA endorses Lena's reply to Sam's question: it is answered.
    weber = open_reading(open_page, ta, blog_reading)
    card = weber.locator(".thread-card", has_text=ENDORSED)
    card.get_by_role("button", name="Endorse as answer").click()
    expect(weber.locator("#annotator-status")).to_contain_text("Reply endorsed")
    card = weber.locator(".thread-card", has_text=ENDORSED)
    expect(card.locator(".question-endorsed")).to_have_text("Endorsed answer")
    expect(card.locator(".question-state").first).to_have_text("Answered")
    assert Annotation.objects.get(pk=answer.pk).endorsed
    # And addresses the last one in class, with a note, which stays open for the filter test
    # only until it is reopened.
    card = weber.locator(".thread-card", has_text=STILL_OPEN)
    card.get_by_role("button", name="Addressed in class…").click()
    card.get_by_label("Note for the asker (optional)").fill("Week 3 slides")
    card.get_by_role("button", name="Mark addressed").click()
    card = weber.locator(".thread-card", has_text=STILL_OPEN)
    expect(card.locator(".question-state")).to_have_text("Addressed in class: Week 3 slides")
    card.get_by_role("button", name="Reopen the question").click()
    expect(weber.locator("#annotator-status")).to_contain_text("Question reopened.")
    assert Annotation.objects.get(pk=still.pk).resolution == "open"
    # The staff's page lists it, oldest first, with its quote and replies.
    weber.goto(f"/s/{blog_reading.seminar.slug}/questions/")
    item = weber.locator(f"#question-{still.pk}")
    expect(item).to_contain_text(STILL_OPEN)
    expect(item).to_contain_text("Sam Park")
    expect(weber.locator(".open-question")).to_have_count(1)
    screenshot(weber, "questions-open-page-laptop")

    # The filter: only the open question is left in the margin.
    lena.reload()
    wait_ready(lena)
    expect(lena.locator(".thread")).to_have_count(3)
    lena.get_by_label("Open questions").check()
    expect(lena.locator(".thread")).to_have_count(1)
    expect(lena.locator(".thread-card")).to_contain_text(STILL_OPEN)
    expect(lena.locator(".margin-count")).to_have_text("1 of 3")
    screenshot(lena, "questions-open-filter-laptop")
    lena.get_by_label("Open questions").uncheck()
    expect(lena.locator(".thread")).to_have_count(3)
