"""Signals (issue 13), in a real browser: a student flags a post and the TA, in another
window, finds the count on the Moderation link and the flag in her notifications, named as
the queue and the audit log name people; released grades reach a student's notifications,
and each notification opens the exact thing it is about."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from annotations.models import Flag
from annotations.services import reply_create

from ..conftest import PASSWORD
from .conftest import LAPTOP, PHONE, log_in, screenshot
from .test_annotator import SWEET_SPOT, annotate, open_reading

pytestmark = pytest.mark.browser

CRITIQUE = "Anyone who believes this sweet spot nonsense has not read a newspaper."


def test_a_flag_reaches_the_ta_as_a_count_and_a_notification(
    open_page, seminar, ta, student, student2, blog_reading
):
    critique = annotate(blog_reading, student, SWEET_SPOT, text=CRITIQUE)

    # Jonas, the TA, has nothing to moderate yet.
    jonas = open_page(LAPTOP)
    log_in(jonas, ta.username, PASSWORD)
    jonas.goto(seminar.get_absolute_url())
    nav = jonas.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Moderation", exact=True)).to_be_visible()

    # Sam flags Lena's critique from the reading page.
    sam = open_reading(open_page, student2, blog_reading)
    card = sam.locator(".thread-card", has_text=CRITIQUE)
    card.get_by_role("button", name="Flag the post by Lena Ortiz").click()
    form = card.locator(".flag-form")
    form.get_by_role("radio", name="Off topic").check()
    form.get_by_role("button", name="Flag post").click()
    expect(card.locator(".post-flagged")).to_have_text("Flagged")
    assert Flag.objects.filter(annotation=critique, user=student2).exists()

    # Jonas's pages now count it, in words a screen reader says whole.
    jonas.reload()
    expect(nav.get_by_role("link", name="Moderation, 1 open")).to_be_visible()
    page_button = jonas.locator(".page-actions").get_by_role("link", name="Moderation, 1 open")
    expect(page_button).to_be_visible()
    expect(nav.get_by_role("link", name=re.compile(r"^Notifications"))).to_contain_text("1")
    jonas.goto(blog_reading.get_absolute_url())
    expect(
        jonas.locator(".post-meta").get_by_role("link", name="Moderation, 1 open")
    ).to_be_visible()

    # The notification says who flagged whose post and why, and quotes it.
    jonas.get_by_role("link", name=re.compile(r"^Notifications")).click()
    item = jonas.locator(".notification-flagged")
    expect(item).to_contain_text(
        f"Sam Park flagged a post by Lena Ortiz on “{blog_reading.title}”. Reason: Off topic"
    )
    expect(item.locator(".notification-excerpt")).to_have_text(CRITIQUE)
    screenshot(jonas, "signals-notifications-ta-laptop")
    jonas.set_viewport_size(PHONE)
    screenshot(jonas, "signals-notifications-ta-phone")
    jonas.set_viewport_size(LAPTOP)
    # Opening it goes to the flagged post itself.
    item.get_by_role("link").click()
    jonas.wait_for_url(f"**{blog_reading.get_absolute_url()}#annotation-{critique.pk}")

    # Lena, whose post it is, hears nothing of it: flags are anonymous to their author.
    lena = open_page(LAPTOP)
    log_in(lena, student.username, PASSWORD)
    lena.goto("/notifications/")
    expect(lena.locator(".notifications")).to_contain_text("Nothing yet")


def test_released_grades_appear_in_the_students_notifications(
    open_page, seminar, instructor, student, blog_reading
):
    annotate(blog_reading, student, SWEET_SPOT, text=CRITIQUE)
    teacher = open_page(LAPTOP)
    log_in(teacher, instructor.username, PASSWORD)
    teacher.goto(f"/s/{seminar.slug}/grades/")
    teacher.get_by_role("button", name=f"Release grades for {blog_reading.title}").click()
    expect(teacher.locator(".messages")).to_contain_text("released to students")

    lena = open_page(LAPTOP)
    log_in(lena, student.username, PASSWORD)
    badge = lena.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile(r"^Notifications")
    )
    expect(badge).to_contain_text("1")
    badge.click()
    item = lena.locator(".notification-grades")
    expect(item).to_contain_text(f"Dr. Okafor released grades for “{blog_reading.title}”.")
    item.get_by_role("link").click()
    lena.wait_for_url(f"**/s/{seminar.slug}/grades/student/{student.pk}/")
    expect(lena.get_by_role("heading", level=1)).to_be_visible()


def test_the_dashboard_and_seminar_page_say_what_is_next(
    open_page, seminar, instructor, student, student2, blog_reading
):
    blog_reading.due = timezone.now() + datetime.timedelta(days=3, hours=1)
    blog_reading.save(update_fields=["due"])
    mine = annotate(blog_reading, student, SWEET_SPOT, text=CRITIQUE)
    reply_create(parent=mine, author=student2, text="Which newspaper?")
    lena = open_page(LAPTOP)
    log_in(lena, student.username, PASSWORD)
    card = lena.locator(".seminar-card")
    expect(card.locator(".next-due")).to_contain_text(f"Next: {blog_reading.title}, due in 3 days")
    status = card.locator(".reading-status")
    expect(status.locator(".due time")).to_have_attribute("datetime", re.compile(r"^\d{4}-"))
    expect(status).to_contain_text("You: 1 post")
    expect(status.get_by_role("link", name="1 unread reply")).to_be_visible()
    screenshot(lena, "signals-dashboard-student-laptop")
    lena.set_viewport_size(PHONE)
    screenshot(lena, "signals-dashboard-student-phone")
    lena.set_viewport_size(LAPTOP)
    lena.goto(seminar.get_absolute_url())
    expect(lena.locator(".next-up")).to_contain_text("due in 3 days")
    screenshot(lena, "signals-seminar-student-laptop")
