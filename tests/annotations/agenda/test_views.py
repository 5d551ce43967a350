"""The dashboard and the seminar page tell each person what to do next, at a cost that does
not grow with the readings or the posts."""

import datetime
import re

from django.urls import reverse

from annotations.models import Flag
from annotations.services import comment_create, reply_create
from seminar.models import ReadingVisit

from .conftest import add_reading

DAY = datetime.timedelta(days=1)


def items(page):
    """The reading titles of the page's reading lists, in order."""
    return re.findall(r'<a (?:class="fw-semibold" )?href="/s/[^/]+/r/[^/]+/">([^<]+)</a>', page)


def test_the_dashboard_lists_a_students_readings_by_due_date(client, student, week):
    client.force_login(student)
    page = client.get(reverse("dashboard")).text
    assert items(page) == ["Soon", "Soon", "Later", "Undated", "Past"]  # "Next:" first
    assert "Due in 5 days · <time datetime=" in page
    assert "Overdue · <time" in page
    assert "You have not posted" in page


def test_the_seminar_page_lists_them_by_due_date_for_students_only(
    client, seminar, student, instructor, week
):
    url = reverse("seminar", args=[seminar.slug])
    client.force_login(student)
    page = client.get(url).text
    assert items(page) == ["Soon", "Soon", "Later", "Undated", "Past"]
    assert "You have not posted on it yet." in page
    client.force_login(instructor)
    assert items(client.get(url).text) == ["Past", "Undated", "Later", "Soon"]


def test_opening_a_reading_marks_what_is_new(client, seminar, blog_reading, student, student2):
    client.force_login(student)
    assert "Not opened yet" in client.get(reverse("dashboard")).text
    assert client.get(blog_reading.get_absolute_url()).status_code == 200
    assert ReadingVisit.objects.filter(user=student, reading=blog_reading).exists()
    page = client.get(reverse("dashboard")).text
    assert "Not opened yet" not in page and "new since your last visit" not in page
    mine = comment_create(reading=blog_reading, author=student, text="Mine.")
    reply_create(parent=mine, author=student2, text="Sam's answer.")
    page = client.get(reverse("seminar", args=[seminar.slug])).text
    assert "1 new since your last visit" in page
    assert "You: 1 post" in page
    assert "1 unread reply" in page


def test_the_instructors_dashboard_counts_what_awaits_them(
    client, blog_reading, instructor, student, student2
):
    flagged = comment_create(reading=blog_reading, author=student, text="Flag me.")
    Flag.objects.create(annotation=flagged, user=student2, reason="spam")
    comment_create(reading=blog_reading, author=student2, text="Score me.")
    client.force_login(instructor)
    page = client.get(reverse("dashboard")).text
    assert "<strong>1</strong> open in moderation" in page
    assert "<strong>2</strong> posts to score" in page


def _busy(seminar, instructor, student, student2, n):
    for i in range(n):
        reading = add_reading(seminar, instructor, f"Reading {i}", due_in=(i + 1) * DAY)
        mine = comment_create(reading=reading, author=student, text="Mine.")
        reply_create(parent=mine, author=student2, text="Answer.")
        Flag.objects.create(annotation=mine, user=student2, reason="spam")


def test_the_pages_cost_the_same_for_two_readings_or_six(
    client, django_assert_max_num_queries, seminar, instructor, student, student2
):
    pages = [reverse("dashboard"), reverse("seminar", args=[seminar.slug])]
    _busy(seminar, instructor, student, student2, 2)
    costs = {}
    for user in (student, instructor):
        client.force_login(user)
        for url in pages:
            with django_assert_max_num_queries(15) as queries:
                client.get(url)
            costs[user.pk, url] = len(queries.captured_queries)
    _busy(seminar, instructor, student, student2, 4)
    for user in (student, instructor):
        client.force_login(user)
        for url in pages:
            with django_assert_max_num_queries(costs[user.pk, url]):
                page = client.get(url).text
            assert page.count("Reading ") >= 6
