"""Scoring in the thread (issue 6), in a real browser: an instructor gives a student's
annotation its rubric score at the head of its thread, with the keyboard, and the gradebook
follows; students see no score control and no score."""

import pytest
from playwright.sync_api import expect

from annotations.models import Score

from .conftest import PHONE
from .test_annotator import SWEET_SPOT, annotate, open_reading, screen, wait_ready

pytestmark = pytest.mark.browser

QUESTION = "Is the sweet spot claim premature?"
FEEDBACK = "Good instinct: bring the 2013 timeline next time."


def gradebook_cell(page, seminar, reading, student):
    response = page.request.get(f"/api/seminars/{seminar.pk}/gradebook")
    assert response.ok, response.text()
    cells = response.json()["cells"]
    return next(c for c in cells if c["reading"] == reading.pk and c["student"] == student.pk)


def test_instructor_scores_in_the_thread_and_the_gradebook_follows(
    open_page, seminar, instructor, ta, student, student2, blog_reading
):
    critique = annotate(blog_reading, student, SWEET_SPOT, text=QUESTION)
    annotate(blog_reading, student2, "foreign aid and support", "question", "Whose aid?")
    annotate(blog_reading, ta, "Mensah and Lund, (2009)", "connection", "Week 2 reading.")

    page = open_reading(open_page, instructor, blog_reading)
    card = page.locator(".thread-card", has_text=QUESTION)
    control = card.locator(".thread-score")
    expect(control.locator(".thread-score-status")).to_have_text("Not scored yet")
    # Students' annotations have a score control; the TA's own has none.
    assert page.locator(".thread-score").count() == 2
    ta_thread = page.locator(".thread-card", has_text="Week 2 reading.")
    expect(ta_thread.locator(".thread-score")).to_have_count(0)
    # The scale is one group named for what it scores; each score's name is its descriptor.
    group = card.get_by_role("group", name="Score Lena Ortiz’s critique, 0 to 3")
    expect(group.get_by_role("button")).to_have_count(4)
    zero = group.get_by_role("button", name="0: Missing the point or off topic")
    expect(zero).to_have_attribute("tabindex", "0")  # one tab stop for the whole scale

    # Keyboard only: arrows along the scale, Enter scores (saved at once).
    zero.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    two = group.get_by_role("button", name="2: Engages the text with evidence")
    expect(two).to_be_focused()
    page.keyboard.press("Enter")
    status = control.locator(".thread-score-status")
    expect(status).to_have_text("✓ Saved: 2 of 3 · Engages the text with evidence")
    expect(two).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#annotator-status")).to_have_text("Score 2 of 3 saved for Lena Ortiz.")
    score = Score.objects.get(annotation=critique)
    assert (score.value, score.comment, score.grader) == (2, "", instructor)
    # The gradebook's suggestion follows: best 3 posts, one scored 2 of 3.
    cell = gradebook_cell(page, seminar, blog_reading, student)
    assert cell["suggested"] == pytest.approx(22.2)
    assert isinstance(cell["suggested"], float)  # numbers stay numbers in the API
    assert cell["explanation"].startswith("Best 3 of 1 scored post: 2 + 0 + 0 = 2 of 9 → 22.2%")

    # A comment to the student: the disclosure after the scale, then Save comment.
    page.keyboard.press("Tab")
    toggle = control.get_by_role("button", name="Comment", exact=True)
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    comment = control.get_by_label("Comment to Lena Ortiz (optional, shown with the grade)")
    expect(comment).to_be_focused()
    page.keyboard.type(FEEDBACK)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Save comment
    expect(status).to_contain_text(
        f"✓ Saved: 2 of 3 · Engages the text with evidence · comment: “{FEEDBACK[:40]}"
    )
    toggle = control.locator(".thread-score-toggle")
    expect(toggle).to_be_focused()
    expect(toggle).to_have_text("Edit comment")
    score.refresh_from_db()
    assert (score.value, score.comment) == (2, FEEDBACK)
    screen(page, "thread-scoring-laptop")

    # Changing the score keeps the comment.
    group.get_by_role("button", name="3: Advances the discussion").click()
    expect(status).to_contain_text("✓ Saved: 3 of 3 · Advances the discussion")
    score.refresh_from_db()
    assert (score.value, score.comment) == (3, FEEDBACK)
    assert gradebook_cell(page, seminar, blog_reading, student)["suggested"] == pytest.approx(33.3)

    # After a reload the thread shows the saved score (and only to graders).
    page.reload()
    wait_ready(page)
    control = page.locator(".thread-card", has_text=QUESTION).locator(".thread-score")
    expect(control.locator('[aria-pressed="true"]')).to_have_text("3")
    expect(control.locator(".thread-score-status")).to_contain_text(
        "3 of 3 · Advances the discussion"
    )


def test_the_ta_scores_on_a_phone(open_page, seminar, ta, student, blog_reading):
    critique = annotate(blog_reading, student, SWEET_SPOT, text=QUESTION)
    page = open_reading(open_page, ta, blog_reading, PHONE)
    card = page.locator(".thread-card", has_text=QUESTION)
    card.get_by_role("button", name="1: Restates the text").click()
    expect(card.locator(".thread-score-status")).to_have_text("✓ Saved: 1 of 3 · Restates the text")
    assert Score.objects.get(annotation=critique).value == 1
    card.locator(".thread-score").scroll_into_view_if_needed()
    screen(page, "thread-scoring-phone")


def test_students_see_no_score_control_and_no_score(
    open_page, seminar, instructor, student, student2, blog_reading
):
    critique = annotate(blog_reading, student, SWEET_SPOT, text=QUESTION)
    Score.objects.create(annotation=critique, value=3, comment=FEEDBACK, grader=instructor)
    for who in (student, student2):
        page = open_reading(open_page, who, blog_reading)
        expect(page.locator(".thread-card", has_text=QUESTION)).to_be_visible()
        assert page.locator(".thread-score").count() == 0
        assert page.locator("#annotator").get_attribute("data-scores") is None
        assert page.locator("#annotator").get_attribute("data-can-score") is None
        assert FEEDBACK not in page.content()
        # Nor does the API give it away.
        items = page.request.get(f"/api/readings/{blog_reading.pk}/annotations").json()["items"]
        assert all("score" not in item for item in items)
        assert page.request.put(
            f"/api/annotations/{critique.pk}/score",
            data={"score": 0, "comment": ""},
            headers={"X-CSRFToken": csrf(page)},
        ).status in (403, 404)
    assert Score.objects.get(annotation=critique).value == 3


def csrf(page):
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    return cookies.get("csrftoken", "")
