"""Moderation (issue 5), in a real browser: a student flags a critique, the instructor hides
it from the queue with a reason, its author reads the reason, the class no longer sees it,
and the audit log keeps both; moderators also act from the reading page itself."""

import re

import pytest
from playwright.sync_api import expect

from annotations import services
from annotations.models import Annotation, Flag
from annotations.moderation import services as moderation
from seminar.models import Role

from ..conftest import PASSWORD, member
from .conftest import LAPTOP, PHONE, log_in, screenshot
from .test_annotator import HIGHLIGHTS, SWEET_SPOT, annotate, open_reading, screen, wait_ready

pytestmark = pytest.mark.browser

CRITIQUE = "Anyone who believes this sweet spot nonsense has not read a newspaper."
REASON = "Criticise the claim, not the people who hold it."


def test_flag_hide_from_the_queue_and_the_author_sees_why(
    open_page, seminar, instructor, student, student2, blog_reading
):
    critique = annotate(blog_reading, student, SWEET_SPOT, text=CRITIQUE)

    # Sam flags Lena's critique from the reading page.
    sam = open_reading(open_page, student2, blog_reading)
    card = sam.locator(".thread-card", has_text=CRITIQUE)
    flag = card.get_by_role("button", name="Flag the post by Lena Ortiz")
    flag.click()
    expect(flag).to_have_attribute("aria-expanded", "true")
    form = card.locator(".flag-form")
    expect(form.get_by_role("radio", name="Off topic")).to_be_focused()
    form.get_by_role("radio", name="Other").check()
    form.get_by_role("button", name="Flag post").click()
    expect(form.get_by_role("alert")).to_have_text("Say in a few words what is wrong.")
    expect(form.get_by_label("Note")).to_be_focused()
    form.get_by_role("radio", name="Disrespectful").check()
    form.get_by_label("Note").fill("Mocks classmates who disagree.")
    screen(sam, "moderation-flag-form-laptop")
    form.get_by_role("button", name="Flag post").click()
    expect(card.locator(".post-flagged")).to_have_text("Flagged")
    expect(sam.locator("#annotator-status")).to_contain_text("Flagged.")
    expect(card.get_by_role("button", name="Flag")).to_have_count(0)
    assert Flag.objects.get(annotation=critique, user=student2).reason == "disrespectful"
    # Twice is a conflict, said in words.
    token = sam.locator('meta[name="csrf-token"]').get_attribute("content")
    again = sam.request.post(
        f"/api/annotations/{critique.pk}/flags",
        headers={"X-CSRFToken": token},
        data={"reason": "spam", "note": ""},
    )
    assert again.status == 409
    assert again.json() == {"detail": "You have already flagged this post."}

    # The instructor hides it from the queue, with a reason.
    teacher = open_page(LAPTOP)
    log_in(teacher, instructor.username, PASSWORD)
    teacher.goto(f"/s/{seminar.slug}/moderation/")
    item = teacher.locator(f"#queue-{critique.pk}")
    expect(item).to_contain_text("Disrespectful: Mocks classmates who disagree.")
    screenshot(teacher, "moderation-queue-laptop")
    teacher.set_viewport_size(PHONE)
    screenshot(teacher, "moderation-queue-phone")
    teacher.set_viewport_size(LAPTOP)
    item.get_by_role("checkbox").check()
    teacher.get_by_label("With the ticked posts").select_option(label="Hide (give a reason)")
    teacher.get_by_label("Reason").fill(REASON)
    teacher.get_by_role("button", name="Apply").click()
    expect(teacher.locator(".messages")).to_contain_text("Done for 1 post.")
    expect(teacher.locator("#q-hidden")).to_contain_text("1")
    assert Annotation.objects.get(pk=critique.pk).status == "hidden"

    # Its author sees it marked, with the reason.
    for viewport, name in ((LAPTOP, "laptop"), (PHONE, "phone")):
        lena = open_reading(open_page, student, blog_reading, viewport)
        note = lena.locator(f"#annotation-{critique.pk} .moderation-note")
        expect(note).to_contain_text("Hidden by a moderator")
        expect(note.locator(".moderation-reason")).to_have_text(f"Reason: {REASON}")
        screenshot(lena, f"moderation-author-{name}")
        lena.locator(".thread-card", has_text=CRITIQUE).scroll_into_view_if_needed()
        screen(lena, f"moderation-author-{name}-card")
    # Still hers to delete, no longer to edit or reply to.
    card = lena.locator(".thread-card", has_text=CRITIQUE)
    expect(card.get_by_role("button", name="Delete your annotation")).to_be_visible()
    expect(card.get_by_role("button", name="Edit your annotation")).to_have_count(0)

    # The class no longer sees it: neither the highlight nor the thread.
    sam.reload()
    wait_ready(sam)
    expect(sam.locator(".thread")).to_have_count(0)
    assert sam.evaluate(HIGHLIGHTS, "annot-critique") == []
    assert CRITIQUE not in sam.locator("body").inner_text()

    # The audit log has the flag and the decision.
    teacher.goto(f"/s/{seminar.slug}/moderation/audit/")
    flagged = teacher.locator("tr.audit-flag")
    expect(flagged).to_contain_text("Sam Park")
    expect(flagged).to_contain_text("Flagged")
    hid = teacher.locator("tr.audit-action")
    expect(hid).to_contain_text("Hid")
    expect(hid).to_contain_text(REASON)


def test_moderating_from_the_reading_page(
    open_page, seminar, instructor, student, student2, blog_reading
):
    first = annotate(blog_reading, student, "foreign aid and support", text="Whose aid?")
    second = annotate(blog_reading, student2, SWEET_SPOT, text="Too early to say.")
    comment = services.comment_create(reading=blog_reading, author=student2, text="Later, please.")
    Flag.objects.create(annotation=second, user=student, reason="off_topic")
    seminar.premoderation = True
    seminar.save(update_fields=["premoderation"])
    waiting = annotate(blog_reading, student2, "Mensah and Lund, (2009)", "connection", "Week 2.")
    assert waiting.status == "pending"

    page = open_reading(open_page, instructor, blog_reading)
    # A post awaiting approval is marked; approving it publishes it.
    card = page.locator(".thread-card", has_text="Week 2.")
    expect(card.locator(".post-status-pending")).to_have_text("Awaiting approval")
    card.get_by_role("button", name="Moderate the post by Sam Park").click()
    card.get_by_role("button", name="Approve").click()
    expect(page.locator("#annotator-status")).to_have_text(
        "Post approved: everyone can see it now."
    )
    expect(card.locator(".post-status-pending")).to_have_count(0)
    assert Annotation.objects.get(pk=waiting.pk).status == "published"

    # Pinned threads come first, in the margin and among the page comments.
    card = page.locator(".thread-card", has_text="Too early to say.")
    expect(card.locator(".post-flags")).to_have_text("1 flag")
    card.get_by_role("button", name="Moderate the post by Sam Park").click()
    menu = card.get_by_role("group", name="Moderate this post")
    expect(menu.get_by_role("button").first).to_be_focused()
    menu.get_by_role("button", name="Pin to the top").click()
    expect(page.locator("#annotator-status")).to_have_text("Thread pinned to the top.")
    assert page.locator(".thread-card .post-text").first.inner_text() == "Too early to say."
    card = page.locator(".thread-card", has_text="Too early to say.")
    expect(card.locator(".post-pinned")).to_have_text("Pinned")
    # Dismissing its flag, then locking it: no Reply any more.
    card.get_by_role("button", name="Moderate the post by Sam Park").click()
    card.get_by_role("button", name="Dismiss 1 flag").click()
    expect(card.locator(".post-flags")).to_have_count(0)
    card.get_by_role("button", name="Moderate the post by Sam Park").click()
    card.get_by_role("button", name="Lock thread").click()
    expect(card.locator(".thread-locked")).to_be_visible()
    expect(card.get_by_role("button", name="Reply")).to_have_count(0)

    comments = page.locator(".comment-thread")
    target = page.locator(".comment-thread", has=page.locator(f"#annotation-{comment.pk}"))
    target.get_by_role("button", name="Moderate the post by Sam Park").click()
    target.get_by_role("button", name="Pin to the top").click()
    expect(comments.first.locator(".comment-text")).to_have_text("Later, please.")
    assert comments.first.locator(".comment-number").inner_text() == "4"

    # Hide asks for a reason; Escape closes the menu and gives focus back.
    card = page.locator(".thread-card", has_text="Whose aid?")
    button = card.get_by_role("button", name="Moderate the post by Lena Ortiz")
    button.click()
    page.keyboard.press("Escape")
    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    card.get_by_role("button", name="Hide…").click()
    card.get_by_role("button", name="Hide post").click()
    expect(card.get_by_role("alert")).to_have_text("Give a reason: the author will see it.")
    card.get_by_label("Why hide it?").fill("Off topic for this week.")
    screen(page, "moderation-menu-laptop")
    card.get_by_role("button", name="Hide post").click()
    expect(card.locator(".moderation-note")).to_contain_text("Off topic for this week.")
    assert Annotation.objects.get(pk=first.pk).status == "hidden"

    expect(card.get_by_role("button", name="Flag")).to_have_count(0)  # moderators act instead
    page.evaluate("window.scrollTo(0, 0)")
    screen(page, "moderation-reading-laptop")


def test_a_moderator_who_acts_second_is_told_and_sees_the_new_state(
    browser, live_server, instructor, student, blog_reading
):
    first = annotate(blog_reading, student, "foreign aid and support", text="Whose aid?")
    moderation.annotation_moderate(
        annotation=first, moderator=instructor, action="hide", reason="Off topic."
    )
    # Not open_page: Chromium logs every 409 answer as a console error, and here one is due.
    context = browser.new_context(viewport=LAPTOP, base_url=live_server.url)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console", lambda m: m.type == "error" and "409" not in m.text and errors.append(m.text)
    )
    try:
        log_in(page, instructor.username, PASSWORD)
        page.goto(blog_reading.get_absolute_url())
        wait_ready(page)
        card = page.locator(".thread-card", has_text="Whose aid?")
        expect(card.locator(".moderation-note")).to_contain_text("Off topic.")
        # Another moderator restores it meanwhile; this page still offers Unhide.
        moderation.annotation_moderate(annotation=first, moderator=instructor, action="unhide")
        card.get_by_role("button", name="Moderate the post by Lena Ortiz").click()
        card.get_by_role("button", name="Unhide").click()
        expect(page.locator("#annotator-status")).to_contain_text(
            "Cannot unhide a post that is published"
        )
        expect(card.locator(".moderation-note")).to_have_count(0)
        expect(card.get_by_role("button", name="Moderate the post by Lena Ortiz")).to_be_focused()
    finally:
        context.close()
    assert errors == []


def test_a_reply_stays_with_its_author_under_a_hidden_post(
    open_page, seminar, instructor, student, student2, blog_reading
):
    """Hiding Lena's critique and her page comment takes them from the class, not Sam's
    replies from Sam: he sees his replies where they were, under "Hidden by a moderator", and
    nothing of what was hidden; Ana, a classmate, sees none of it."""
    critique = annotate(blog_reading, student, SWEET_SPOT, text=CRITIQUE)
    comment = services.comment_create(
        reading=blog_reading, author=student, text="A page comment to hide"
    )
    on_critique, _ = services.reply_create(
        parent=critique, author=student2, text="Fair point, put kindly."
    )
    on_comment, _ = services.reply_create(
        parent=comment, author=student2, text="My reply to the comment"
    )
    for post in (critique, comment):
        moderation.annotation_moderate(
            annotation=post, moderator=instructor, action="hide", reason=REASON
        )

    sam = open_reading(open_page, student2, blog_reading)
    card = sam.locator(f'.thread-card[data-thread="{critique.pk}"]')
    holder = card.locator(f"#annotation-{critique.pk}")
    expect(holder).to_have_class(re.compile(r"\bis-placeholder\b"))
    expect(holder.locator(".post-text")).to_have_text("Hidden by a moderator")
    expect(holder.get_by_role("button")).to_have_count(0)
    expect(card.locator(f".replies #annotation-{on_critique.pk}")).to_contain_text(
        "Fair point, put kindly."
    )
    for words in (CRITIQUE, REASON, "Lena"):
        expect(card).not_to_contain_text(words)
    thread = sam.locator(f'.comment-thread[data-thread="{comment.pk}"]')
    expect(thread.locator(f"#annotation-{comment.pk} .comment-text")).to_have_text(
        "Hidden by a moderator"
    )
    expect(thread.locator(f"#annotation-{on_comment.pk}")).to_contain_text(
        "My reply to the comment"
    )
    expect(thread).not_to_contain_text("A page comment to hide")
    screen(sam, "moderation-reply-under-hidden-laptop")

    ana = open_reading(open_page, member(seminar, "ana", "Ana Silva", Role.STUDENT), blog_reading)
    expect(ana.locator(".is-placeholder")).to_have_count(0)
    expect(ana.locator("body")).not_to_contain_text("Fair point, put kindly.")
