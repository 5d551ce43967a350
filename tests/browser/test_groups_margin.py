"""Groups in the margin, in a real browser: on a reading discussed in groups, Lena sees her
group's threads only; Dr. Okafor sees every group and filters the margin by one."""

import pytest
from playwright.sync_api import expect

from annotations.peers.services import reading_set_discussion
from seminar.models import Group, Membership, Role
from tests.conftest import member

from .test_annotator import SWEET_SPOT, annotate, open_reading

pytestmark = pytest.mark.browser


@pytest.fixture
def grouped(seminar, blog_reading, instructor, student, student2):
    ari = member(seminar, "ari", "Ari Cohen", Role.STUDENT)
    tuesday = Group.objects.create(seminar=seminar, name="Tuesday")
    thursday = Group.objects.create(seminar=seminar, name="Thursday")
    Membership.objects.filter(user__in=[student, student2]).update(group=tuesday)
    Membership.objects.filter(user=ari).update(group=thursday)
    annotate(blog_reading, student2, SWEET_SPOT, text="Sam, Tuesday.")
    annotate(blog_reading, ari, "foreign aid and support", "question", "Ari, Thursday?")
    reading_set_discussion(reading=blog_reading, actor=instructor, value="groups")
    return blog_reading


def test_a_student_sees_her_group_and_the_staff_filter_by_group(
    open_page, student, instructor, grouped
):
    page = open_reading(open_page, student, grouped)
    margin = page.locator("#annotator-margin")
    expect(margin.locator(".thread", has_text="Sam, Tuesday.")).to_have_count(1)
    expect(margin.locator(".thread", has_text="Ari, Thursday?")).to_have_count(0)
    expect(page.locator("#filter-group")).to_have_count(0)  # students are not shown groups
    page.context.close()

    page = open_reading(open_page, instructor, grouped)
    margin = page.locator("#annotator-margin")
    expect(margin.locator(".thread")).to_have_count(2)
    page.get_by_label("Filter by group").select_option("Thursday")
    expect(margin.locator(".thread", has_text="Ari, Thursday?")).to_be_visible()
    expect(margin.locator(".thread", has_text="Sam, Tuesday.")).to_be_hidden()
