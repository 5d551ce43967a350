"""The Notifications page: what a moderator and a student find there, what opening one does,
and a cost that does not grow with the list."""

from django.urls import reverse

from annotations.grading import gradebook
from annotations.models import Notification
from annotations.moderation.services import flag_create
from annotations.services import comment_create, reply_create


def test_a_flag_reaches_the_tas_notifications_page(client, ta, student, student2, comment):
    client.force_login(ta)
    assert "Nothing yet" in client.get(reverse("notifications")).text
    flag_create(annotation=comment, user=student2, reason="off_topic")
    page = client.get(reverse("notifications")).text
    assert "Nothing yet" not in page
    assert "Sam Park flagged a post by Lena Ortiz" in page and "Reason: Off topic" in page
    assert "Mali is a test case." in page


def test_opening_a_flag_goes_to_the_flagged_post(client, ta, student2, comment):
    flag_create(annotation=comment, user=student2, reason="spam")
    note = Notification.objects.get(user=ta)
    client.force_login(ta)
    opened = client.get(reverse("notification_open", args=[note.pk]))
    assert opened.status_code == 302
    assert opened.url == f"{comment.reading.get_absolute_url()}#annotation-{comment.pk}"


def test_opening_released_grades_goes_to_ones_grades(
    client, seminar, blog_reading, instructor, student
):
    gradebook.grades_release(reading=blog_reading, by=instructor)
    note = Notification.objects.get(user=student)
    client.force_login(student)
    assert "released grades for" in client.get(reverse("notifications")).text
    opened = client.get(reverse("notification_open", args=[note.pk]))
    assert opened.url == reverse("student_grades", args=[seminar.slug, student.pk])
    assert client.get(opened.url).status_code == 200


def _news_for(student, student2, instructor, reading, n):
    """n notifications of every kind for Lena, from two people, on one reading."""
    for i in range(n):
        mine = comment_create(reading=reading, author=student, text=f"Comment {i}.")
        reply_create(parent=mine, author=student2, text=f"Reply {i}.")
        flag_create(annotation=mine, user=student2, reason="spam")
    gradebook.grades_release(reading=reading, by=instructor, release=False)
    gradebook.grades_release(reading=reading, by=instructor)


def test_the_page_costs_the_same_for_two_notifications_or_six(
    client, django_assert_max_num_queries, blog_reading, instructor, student, student2
):
    client.force_login(student)
    _news_for(student, student2, instructor, blog_reading, 1)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("notifications"))
    _news_for(student, student2, instructor, blog_reading, 4)
    assert Notification.objects.filter(user=student).count() == 6
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("notifications")).text
    assert page.count("Sam Park replied") == 5
