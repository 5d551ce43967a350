"""Grading (issue 6), in a real browser: the instructor scores a student's posts with the
keyboard only, writes feedback, releases the reading's grades, and the student reads the
grade with its arithmetic and the feedback."""

import pytest
from playwright.sync_api import expect

from annotations.models import Score
from annotations.services import annotation_create
from tests.texts import SWEET_SPOT

from ..conftest import PASSWORD
from .conftest import LAPTOP, PHONE, log_in, screenshot

pytestmark = pytest.mark.browser

PASSAGES = [
    ("foreign aid and support", "Aid is not the same as support: which is meant?"),
    (SWEET_SPOT, "Premature claim."),
    ("thrown the insurgents’ chain of command into disorder", "What evidence of the effect?"),
]
FEEDBACK = "Sharp questions. Next time, bring a source for the chain-of-command claim."


@pytest.fixture
def posts(blog_reading, student):
    return [
        annotation_create(
            reading=blog_reading, author=student, kind="critique", text=text, quote={"exact": quote}
        )[0]
        for quote, text in PASSAGES
    ]


def grading_url(seminar, reading, student):
    return f"/s/{seminar.slug}/r/{reading.slug}/grades/{student.pk}/"


def focused_post(page):
    return page.evaluate("document.activeElement.closest('.grading-post')?.dataset.post")


def test_instructor_grades_with_the_keyboard_and_the_student_reads_it(
    open_page, seminar, instructor, student, student2, blog_reading, posts
):
    page = open_page(LAPTOP)
    log_in(page, instructor.username, PASSWORD)
    page.goto(grading_url(seminar, blog_reading, student))
    # The first post has focus: score it, move on, score, and so on.
    assert focused_post(page) == str(posts[0].pk)
    status = page.locator("#grading-status")
    page.keyboard.press("3")
    expect(page.locator(f"[data-post='{posts[0].pk}'] .score-status")).to_have_text("Scored 3 / 3")
    expect(status).to_contain_text("Post 1 scored 3 of 3")
    page.keyboard.press("j")
    assert focused_post(page) == str(posts[1].pk)
    page.keyboard.press("1")
    page.keyboard.press("j")
    page.keyboard.press("3")
    expect(page.locator(f"[data-post='{posts[2].pk}'] .score-status")).to_have_text("Scored 3 / 3")
    # Back up one and change the score; a digit beyond the scale is refused in words.
    page.keyboard.press("k")
    assert focused_post(page) == str(posts[1].pk)
    page.keyboard.press("9")
    expect(status).to_have_text("Scores go from 0 to 3.")
    page.keyboard.press("2")
    expect(page.locator(f"[data-post='{posts[1].pk}'] .score-status")).to_have_text("Scored 2 / 3")
    expect(page.locator("#suggestion")).to_contain_text(
        "Best 3 of 3 scored posts: 3 + 3 + 2 = 8 of 9 → 88.9%"
    )
    scores = {s.annotation_id: s.value for s in Score.objects.all()}
    assert scores == {posts[0].pk: 3, posts[1].pk: 2, posts[2].pk: 3}
    page.keyboard.press("k")
    page.keyboard.press("k")  # at the first post, stays there
    assert focused_post(page) == str(posts[0].pk)
    page.keyboard.press("c")
    expect(page.locator(f"#comment-{posts[0].pk}")).to_be_focused()
    page.keyboard.type("Good distinction.")
    page.keyboard.press("Control+Enter")
    expect(status).to_contain_text("Post 1 scored 3 of 3")
    assert Score.objects.get(annotation=posts[0]).comment == "Good distinction."
    page.keyboard.press("Escape")
    assert focused_post(page) == str(posts[0].pk)
    screenshot(page, "grading-laptop")

    # Feedback in the final-grade form, then release.
    page.get_by_label("Feedback to the student").fill(FEEDBACK)
    page.get_by_role("button", name="Save grade").click()
    expect(page.locator(".messages")).to_contain_text("Grade for Lena Ortiz saved.")
    expect(page.locator(".grade-value")).to_have_text("88.9%")  # with its unit
    page.get_by_role("button", name="Release this reading's grades").click()
    expect(page.locator(".messages")).to_contain_text("released to students")
    page.set_viewport_size(PHONE)
    screenshot(page, "grading-phone")
    page.set_viewport_size(LAPTOP)

    page.goto(f"/s/{seminar.slug}/grades/")
    expect(page.get_by_role("row", name="Lena Ortiz")).to_contain_text("88.9%")
    screenshot(page, "gradebook-laptop")

    # The student reads the grade, how it was reached, and the feedback.
    mine = open_page(LAPTOP)
    log_in(mine, student.username, PASSWORD)
    mine.goto(f"/s/{seminar.slug}/grades/mine/")
    card = mine.locator("section.card", has_text=blog_reading.title)
    expect(card.locator(".student-grade")).to_have_text("88.9%")
    expect(card).to_contain_text("Best 3 of 3 scored posts: 3 + 3 + 2 = 8 of 9 → 88.9%")
    expect(card.locator(".feedback")).to_contain_text(FEEDBACK)
    expect(card.locator(".scored-posts")).to_contain_text("Good distinction.")
    expect(card.locator(".scored-posts")).to_contain_text("3 / 3")
    screenshot(mine, "grades-student-laptop")


def test_brackets_go_to_the_next_and_previous_student(
    open_page, seminar, instructor, student, student2, blog_reading, posts
):
    page = open_page(LAPTOP)
    log_in(page, instructor.username, PASSWORD)
    page.goto(grading_url(seminar, blog_reading, student))
    page.keyboard.press("]")
    page.wait_for_url(f"**{grading_url(seminar, blog_reading, student2)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Park")
    expect(page.locator(".empty-state")).to_be_visible()
    page.keyboard.press("[")
    page.wait_for_url(f"**{grading_url(seminar, blog_reading, student)}")
    assert focused_post(page) == str(posts[0].pk)


def test_the_keyboard_reaches_every_score_of_a_0_to_10_scale(
    open_page, seminar, instructor, student, blog_reading, posts
):
    """Digits score 0–9 at once; on a scale up to 10, "1" waits a moment for a "0" (10),
    and is saved as 1 when the wait runs out or another key comes."""
    from annotations.grading import gradebook

    gradebook.policy_save(
        seminar=seminar, score_max=10, descriptors=[], best_n=3, late_penalty=0, grace_minutes=0
    )
    page = open_page(LAPTOP)
    log_in(page, instructor.username, PASSWORD)
    page.goto(grading_url(seminar, blog_reading, student))
    expect(page.locator("#grading-keys")).to_contain_text("1 0 for 10")
    first, second, third = (page.locator(f"[data-post='{p.pk}'] .score-status") for p in posts)
    assert focused_post(page) == str(posts[0].pk)
    page.keyboard.press("1")
    page.keyboard.press("0")
    expect(first).to_have_text("Scored 10 / 10")
    page.keyboard.press("j")
    page.keyboard.press("1")
    expect(second).to_have_text("Scored 1 / 10")  # the wait ran out
    page.keyboard.press("j")
    page.keyboard.press("1")
    page.keyboard.press("k")  # another key: the 1 is saved on the post it was typed on
    expect(third).to_have_text("Scored 1 / 10")
    assert focused_post(page) == str(posts[1].pk)
    page.keyboard.press("7")
    expect(second).to_have_text("Scored 7 / 10")
    expect(page.locator("#suggestion")).to_contain_text("10 + 7 + 1 = 18 of 30 → 60.0%")
    scores = {s.annotation_id: s.value for s in Score.objects.all()}
    assert scores == {posts[0].pk: 10, posts[1].pk: 7, posts[2].pk: 1}


def test_a_hidden_post_is_scored_and_marked_not_counted(
    open_page, seminar, instructor, student, blog_reading, posts
):
    """A moderator hid Lena's second post: the grader still walks to it and scores it with
    the keyboard; it is marked "hidden, not counted" and the suggestion leaves it out."""
    from annotations.moderation.services import annotation_moderate

    annotation_moderate(annotation=posts[1], moderator=instructor, action="hide", reason="Rude")
    page = open_page(LAPTOP)
    log_in(page, instructor.username, PASSWORD)
    page.goto(grading_url(seminar, blog_reading, student))
    hidden = page.locator(f"[data-post='{posts[1].pk}']")
    expect(hidden.locator(".hidden-badge")).to_have_text("hidden, not counted")
    expect(page.locator(".hidden-badge")).to_have_count(1)
    page.keyboard.press("3")
    page.keyboard.press("j")
    assert focused_post(page) == str(posts[1].pk)
    page.keyboard.press("3")
    expect(hidden.locator(".score-status")).to_have_text("Scored 3 / 3")
    page.keyboard.press("j")
    page.keyboard.press("1")
    expect(page.locator("#suggestion")).to_contain_text(
        "Best 3 of 2 scored posts: 3 + 1 + 0 = 4 of 9 → 44.4% (1 missing post count 0); "
        "1 hidden post, not counted"
    )
    assert Score.objects.get(annotation=posts[1]).value == 3
