"""The unread count in the navigation bar, and marking notifications read."""

import re

import pytest
from django.urls import reverse

from annotations.models import Notification
from annotations.moderation.services import annotation_moderate
from annotations.services import annotation_create, reply_create


def unread_badge(client):
    """The number on the navigation bar's badge, or 0 when there is none."""
    page = client.get(reverse("dashboard")).text
    found = re.search(r'aria-label="(\d+) unread"', page)
    return int(found.group(1)) if found else 0


@pytest.fixture
def comment(blog_reading, student):
    return annotation_create(
        reading=blog_reading, author=student, kind="comment", text="Mali is a test case."
    )[0]


def test_the_navbar_counts_unread_notifications_you_may_see(
    client, student, student2, instructor, comment
):
    client.force_login(student)
    assert unread_badge(client) == 0
    first, _ = reply_create(parent=comment, author=student2, text="Not quite.")
    reply_create(parent=comment, author=instructor, text="Say more.")
    assert unread_badge(client) == 2
    # A reply hidden by a moderator keeps its notification, counted as the list shows it.
    annotation_moderate(annotation=first, moderator=instructor, action="hide", reason="Rude")
    assert unread_badge(client) == 2
    page = client.get(reverse("notifications")).text
    assert page.count('class="badge text-bg-primary">new') == 2
    assert "Not quite." not in page and "Hidden by a moderator." in page
    # One it no longer concerns at all (the reading left their sight) is neither.
    Notification.objects.filter(user=student).update(read=None)
    comment.reading.seminar.memberships.filter(user=student).delete()
    assert unread_badge(client) == 0
    assert "Someone replied" not in client.get(reverse("notifications")).text


def test_mark_all_read_clears_the_count(client, student, student2, instructor, comment):
    reply_create(parent=comment, author=student2, text="Not quite.")
    annotation_moderate(annotation=comment, moderator=instructor, action="pin")
    client.force_login(student)
    assert unread_badge(client) == 2
    assert client.get(reverse("notifications_read")).status_code == 405
    response = client.post(reverse("notifications_read"))
    assert response.status_code == 302 and response.url == reverse("notifications")
    assert unread_badge(client) == 0
    assert not Notification.objects.filter(user=student, read__isnull=True).exists()
    page = client.get(reverse("notifications")).text
    assert "Sam Park replied" in page and 'class="badge text-bg-primary">new' not in page


def test_mark_all_read_touches_only_your_own(client, student, student2, comment):
    sams, _ = reply_create(parent=comment, author=student2, text="Not quite.")
    reply_create(parent=sams, author=student, text="Fair.")
    client.force_login(student2)
    client.post(reverse("notifications_read"))
    assert Notification.objects.get(user=student2).read is not None
    assert Notification.objects.get(user=student).read is None


def test_opening_a_notification_marks_it_read(client, student, student2, comment):
    reply_create(parent=comment, author=student2, text="Not quite.")
    note = Notification.objects.get(user=student)
    client.force_login(student)
    response = client.get(reverse("notification_open", args=[note.pk]))
    assert response.status_code == 302 and response.url.endswith(
        f"#annotation-{note.annotation_id}"
    )
    assert unread_badge(client) == 0
    client.force_login(student2)
    assert client.get(reverse("notification_open", args=[note.pk])).status_code == 404


def test_no_count_for_visitors(client):
    page = client.get(reverse("login"))
    assert "unread_notifications" not in page.context
    assert "unread" not in page.text
