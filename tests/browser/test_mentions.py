"""@mentions in the composer and the reply box (mentions.js): Lena types "@Sa", picks Sam
Park with the keyboard, and the post shows a chip; Sam is told. Escape closes the list, not
the box. A private note that mentions Sam says, before it is saved, that he will not be told,
and tells nobody. Where the seminar hides names, the list offers pseudonyms.
"""

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation, Notification
from seminar.models import Membership
from seminar.pseudonyms import people
from tests.texts import AID, SWEET_SPOT

from ..conftest import PASSWORD
from .conftest import log_in, screenshot
from .test_accessibility import FAILING, axe
from .test_annotator import annotate, open_reading, screen
from .test_drafts import closed, open_composer

pytestmark = pytest.mark.browser


def options(page):
    return page.get_by_role("listbox", name="People to mention").get_by_role("option")


def test_lena_mentions_sam_with_the_keyboard_and_sam_is_told(
    open_page, student, student2, ta, blog_reading
):
    page = open_reading(open_page, student, blog_reading)
    box = open_composer(page, SWEET_SPOT)
    box.press_sequentially("Is this premature, @")
    expect(options(page)).to_have_count(3)  # Sam, Jonas and Dr. Okafor; not Lena herself
    # Escape closes the list, and only the list.
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox", name="People to mention")).to_be_hidden()
    expect(page.locator("dialog.composer[open]")).to_have_count(1)
    box.press_sequentially("Sa")
    expect(options(page)).to_have_text(["Sam Park"])
    expect(box).to_have_attribute("aria-activedescendant", options(page).first.get_attribute("id"))
    expect(options(page).first).to_have_attribute("aria-selected", "true")
    screen(page, "mentions-list")
    serious = [v for v in axe(page) if v["impact"] in FAILING]
    assert not serious, serious
    page.keyboard.press("Enter")
    expect(box).to_have_value("Is this premature, @Sam Park ")
    box.press_sequentially("what do you think?")
    expect(page.locator("dialog .mention-warning")).to_be_hidden()
    page.get_by_role("button", name="Save annotation").click()
    closed(page)

    sam = Membership.objects.get(user=student2).pk
    post = Annotation.objects.get(author=student)
    assert post.text == f"Is this premature, @[member:{sam}] what do you think?"
    assert list(post.mentions.all()) == [student2]
    chip = page.locator(f"#annotation-{post.pk} .mention")
    expect(chip).to_have_text("@Sam Park")

    page = open_page()
    log_in(page, student2.username, PASSWORD)
    page.goto("/notifications/")
    expect(page.get_by_text("Lena Ortiz mentioned you in a post")).to_be_visible()
    expect(page.get_by_text("Is this premature, @Sam Park what do you think?")).to_be_visible()


def test_a_private_note_warns_that_sam_will_not_be_told_and_tells_nobody(
    open_page, student, student2, blog_reading
):
    page = open_reading(open_page, student, blog_reading)
    box = open_composer(page, SWEET_SPOT)
    page.get_by_label("Who can see it").select_option("private")
    box.press_sequentially("Remember to ask @Sa")
    expect(options(page)).to_have_text(["Sam Park"])
    page.keyboard.press("Tab")
    expect(box).to_have_value("Remember to ask @Sam Park ")
    warning = page.locator("dialog .mention-warning")
    expect(warning).to_have_text("Sam Park won't be notified: they can't see a private note.")
    # Shared with the seminar after all, he would be; a private note again, he would not.
    page.get_by_label("Who can see it").select_option("seminar")
    expect(warning).to_be_hidden()
    page.get_by_label("Who can see it").select_option("private")
    expect(warning).to_be_visible()
    screen(page, "mentions-private-warning")
    page.get_by_role("button", name="Save annotation").click()
    closed(page)
    assert Annotation.objects.get(author=student).mentions.get() == student2
    assert not Notification.objects.filter(kind="mention").exists()


def test_a_reply_offers_pseudonyms_where_names_are_hidden_and_escape_keeps_the_box(
    open_page, seminar, student, student2, blog_reading
):
    seminar.anonymous_peers = True
    seminar.save(update_fields=["anonymous_peers"])
    pseudonym = people(seminar)[1][student2.pk]
    post = annotate(blog_reading, student2, AID, text="Who funds the task force?")
    page = open_reading(open_page, student, blog_reading)
    page.locator(f'button[data-action="reply"][data-id="{post.pk}"]').click()
    box = page.locator(f'.reply-form[data-parent="{post.pk}"] textarea')
    box.press_sequentially(f"Good question @{pseudonym[:3]}")
    expect(options(page)).to_have_text([pseudonym])
    expect(page.get_by_text("Sam Park")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox", name="People to mention")).to_be_hidden()
    expect(box).to_be_visible()
    box.press_sequentially(pseudonym[3:5])
    expect(options(page)).to_have_text([pseudonym])
    page.keyboard.press("Tab")
    expect(box).to_have_value(f"Good question @{pseudonym} ")
    page.get_by_role("button", name="Post reply").click()
    reply = page.locator(".post-card .mention", has_text=f"@{pseudonym}")
    expect(reply).to_be_visible()
    screenshot(page, "mentions-reply")
    # The author answered is told of the reply, once; not of a mention besides.
    assert [n.kind for n in Notification.objects.filter(user=student2)] == ["reply"]


def test_editing_shows_names_and_keeps_the_mention(
    open_page, seminar, student, student2, blog_reading
):
    sam = Membership.objects.get(user=student2).pk
    post = annotate(blog_reading, student, SWEET_SPOT, text=f"Ask @[member:{sam}] about it")
    page = open_reading(open_page, student, blog_reading)
    page.locator(f'button[data-action="edit"][data-id="{post.pk}"]').click()
    box = page.get_by_role("textbox", name="Your annotation")
    expect(box).to_have_value("Ask @Sam Park about it")
    box.press("End")
    box.press_sequentially(" tomorrow")
    page.get_by_role("button", name="Save changes").click()
    closed(page)
    post.refresh_from_db()
    assert post.text == f"Ask @[member:{sam}] about it tomorrow"
