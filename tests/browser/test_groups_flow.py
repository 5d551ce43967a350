"""Groups, in a real browser: an instructor opens Groups from the roster, splits the class at
random into groups of 3 and sees them; splitting again asks first and replaces them. The page
passes axe at both viewports."""

import pytest
from playwright.sync_api import expect

from seminar.models import Group, Membership, Role
from tests.conftest import PASSWORD, member

from .conftest import LAPTOP, PHONE, log_in, screenshot
from .test_accessibility import FAILING, axe, report

pytestmark = pytest.mark.browser

CLASSMATES = ["Ada Brun", "Bea Chen", "Cai Diaz", "Dev Eze", "Eli Fox"]


def serious(page):
    found = [v for v in axe(page) if v["impact"] in FAILING]
    return report([("groups", page.url, v) for v in found])


def test_an_instructor_splits_the_class_at_random_and_sees_the_groups(
    open_page, seminar, instructor, ta, student, student2
):
    for name in CLASSMATES:
        member(seminar, name.split()[0].lower(), name, Role.STUDENT)  # seven students in all
    page = open_page(LAPTOP)
    log_in(page, instructor.username, PASSWORD)
    page.goto(f"/s/{seminar.slug}/roster/")
    page.get_by_role("link", name="Groups", exact=True).click()
    expect(page.get_by_role("heading", name="Groups", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="0 groups")).to_be_visible()
    assert serious(page) == ""

    page.get_by_label("Students per group").fill("3")
    page.get_by_role("button", name="Split at random").click()
    expect(page.get_by_role("status")).to_contain_text("split at random into 3 groups")
    expect(page.get_by_role("heading", name="3 groups")).to_be_visible()
    cards = page.locator(".group-card")
    expect(cards).to_have_count(3)
    sizes = sorted(card.locator(".group-members li").count() for card in cards.all())
    assert sizes == [2, 2, 3]
    expect(page.locator(".ungrouped")).to_have_count(0)
    expect(page.get_by_text("Every student is in a group.")).to_be_visible()
    for heading in ("Group 1", "Group 2", "Group 3"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    assert Membership.objects.filter(seminar=seminar, group__isnull=False).count() == 7
    assert serious(page) == ""
    screenshot(page, "groups-laptop")

    # Again, into pairs: the page asks first, and replaces the groups once it may.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_label("Students per group").fill("2")
    page.get_by_label("Replace the groups there are").check()
    page.get_by_role("button", name="Split at random").click()
    expect(page.get_by_role("heading", name="4 groups")).to_be_visible()
    assert asked and asked[0].startswith("Split the class again?")
    assert Group.objects.filter(seminar=seminar).count() == 4

    # A student is moved by hand with the select beside her name.
    there = Membership.objects.get(user=student).group.name
    to = "Group 1" if there != "Group 1" else "Group 2"
    page.get_by_label("Lena Ortiz").select_option(to)
    page.get_by_role("button", name="Save moves").click()
    expect(page.get_by_role("status")).to_contain_text(f"Lena Ortiz moved from {there} to {to}.")
    assert Membership.objects.get(user=student).group.name == to

    page.set_viewport_size(PHONE)
    assert serious(page) == ""
    screenshot(page, "groups-phone")
