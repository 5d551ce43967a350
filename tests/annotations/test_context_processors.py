"""What every page knows of what awaits its reader: the open items behind each Moderation
link (annotations/context_processors.py and the `moderation_link` tag), counted once."""

import re

import pytest
from django.urls import reverse

from annotations.models import Flag
from annotations.moderation.services import annotation_moderate, flag_create, open_item_counts
from annotations.services import annotation_create, comment_create
from tests.texts import SWEET_SPOT

LINK = re.compile(r'<a class="([^"]*)" href="/s/[^/]+/moderation/"(?: aria-label="([^"]*)")?>')


def moderation_links(page):
    """(classes, accessible name) of each Moderation link on the page."""
    return [(classes, label or "Moderation") for classes, label in LINK.findall(page)]


@pytest.fixture
def open_items(seminar, blog_reading, student, student2, instructor):
    """Two flags on one post, one post waiting for approval, one flag already settled:
    two posts await a moderator."""
    flagged = comment_create(reading=blog_reading, author=student, text="Flag me.")
    Flag.objects.create(annotation=flagged, user=student2, reason="spam")
    flag_create(annotation=flagged, user=instructor, reason="off_topic")
    settled = comment_create(reading=blog_reading, author=student, text="Flagged, then kept.")
    flag_create(annotation=settled, user=student2, reason="spam")
    annotation_moderate(annotation=settled, moderator=instructor, action="dismiss")
    seminar.premoderation = True
    seminar.save(update_fields=["premoderation"])
    waiting = comment_create(reading=blog_reading, author=student2, text="Wait for me.")
    assert waiting.status == "pending"
    # A student's private note is never the queue's business, whatever its state.
    annotation_create(
        reading=blog_reading,
        author=student,
        kind="note",
        text="Mine.",
        visibility="private",
        quote={"exact": SWEET_SPOT},
    )
    return 2


def test_the_count_is_what_the_queue_asks_a_moderator_to_do(seminar, instructor, open_items):
    assert open_item_counts(moderator=instructor, seminars=[seminar]) == {seminar.pk: 2}


def test_who_does_not_moderate_has_no_count(seminar, ta, student, open_items):
    assert open_item_counts(moderator=student, seminars=[seminar]) == {}
    seminar.tas_moderate = False
    seminar.save(update_fields=["tas_moderate"])
    assert open_item_counts(moderator=ta, seminars=[seminar]) == {}


def test_the_nav_and_the_seminar_page_show_the_count_with_words(client, seminar, ta, open_items):
    client.force_login(ta)
    page = client.get(reverse("seminar", args=[seminar.slug])).text
    links = moderation_links(page)
    assert len(links) == 2  # the navigation bar's and the page's own button
    assert {classes for classes, _ in links} == {"nav-link", "btn btn-outline-secondary"}
    assert all(name == "Moderation, 2 open" for _, name in links)


def test_the_reading_page_has_its_moderation_link(client, blog_reading, instructor, open_items):
    client.force_login(instructor)
    page = client.get(blog_reading.get_absolute_url()).text
    assert ("btn btn-sm btn-outline-secondary", "Moderation, 2 open") in moderation_links(page)


def test_nothing_open_is_a_plain_link(client, seminar, instructor, blog_reading):
    client.force_login(instructor)
    page = client.get(reverse("seminar", args=[seminar.slug])).text
    assert moderation_links(page) == [
        ("nav-link", "Moderation"),
        ("btn btn-outline-secondary", "Moderation"),
    ]


def test_students_see_no_moderation_link(client, seminar, student, blog_reading, open_items):
    client.force_login(student)
    for url in (reverse("seminar", args=[seminar.slug]), blog_reading.get_absolute_url()):
        assert moderation_links(client.get(url).text) == []


def test_the_links_of_a_page_share_one_count(
    client, seminar, ta, open_items, django_assert_max_num_queries
):
    client.force_login(ta)
    with django_assert_max_num_queries(12) as queries:
        client.get(reverse("seminar", args=[seminar.slug]))
    counts = [q for q in queries.captured_queries if "dismissed" in q["sql"]]
    assert len(counts) == 1
