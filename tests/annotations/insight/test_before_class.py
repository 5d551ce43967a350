"""The Before class page of a reading: what the staff read before they teach it, and
reminding those who have not posted."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from annotations.insight import activity, before
from annotations.models import Annotation, Notification, NotificationKind
from annotations.notifications.services import Namer, describe, link, listed_notifications
from annotations.services import reply_create, vote_add
from seminar.models import Group, Membership
from tests.conftest import member


def page(reading, **query):
    url = reverse(
        "reading_insight", kwargs={"slug": reading.seminar.slug, "reading_slug": reading.slug}
    )
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def remind_url(reading):
    return reverse(
        "insight_remind", kwargs={"slug": reading.seminar.slug, "reading_slug": reading.slug}
    )


@pytest.fixture
def priya(seminar):
    """A third student, who has posted nothing."""
    return member(seminar, "priya", "Priya Nair", "student")


@pytest.fixture
def discussion(place, blog_reading, student, student2, priya):
    """Lena and Sam pile onto 100-140 (Sam with a question), Lena adds a note at 300-320;
    Sam's question gets a reply and two helpful marks. Priya posts nothing."""
    crowded = place(student, 100, 140)
    question = place(student2, 110, 130, "question")
    aside = place(student, 300, 320, "note")
    reply_create(parent=question, author=student, text="I wondered that too.")
    vote_add(annotation=question, user=student)
    vote_add(annotation=question, user=priya)
    return crowded, question, aside


def test_the_hottest_passage_comes_first_with_what_the_class_wrote_there(blog_reading, discussion):
    crowded, question, aside = discussion
    passages = before.discussed_passages(reading=blog_reading)
    assert [(p.start, p.end) for p in passages] == [(100, 140), (300, 320)]
    hottest = passages[0]
    assert hottest.peak == 2
    assert hottest.posts == 2
    assert hottest.kinds["questions"] == 1 and hottest.kinds["critiques"] == 1
    assert hottest.replies == 1 and hottest.helpful == 2
    assert hottest.link_id == question.pk  # the most answered and marked post opens
    text = blog_reading.current_revision.text
    assert " ".join(text[100:140].split()) in hottest.quote


def test_the_page_shows_each_part_to_the_staff(client, ta, blog_reading, discussion, priya):
    client.force_login(ta)
    response = client.get(page(blog_reading))
    assert response.status_code == 200
    body = response.content.decode()
    crowded, question, aside = discussion
    assert f"#annotation-{question.pk}" in body
    assert "Most-discussed passages" in body
    assert "Open questions" in body and "2 helpful marks" in body
    assert "Priya Nair" in body  # not posted yet
    assert "Sam Park" in body  # who asked, by name
    assert "<svg" in body and "Show as table" in body


def test_students_and_outsiders_get_a_404(client, student, outsider, blog_reading, discussion):
    for person in (student, outsider):
        client.force_login(person)
        assert client.get(page(blog_reading)).status_code == 404
        assert client.post(remind_url(blog_reading)).status_code == 404
    assert not Notification.objects.filter(kind=NotificationKind.REMINDER).exists()


def test_pseudonyms_do_not_hide_names_from_staff(
    client, instructor, seminar, blog_reading, discussion
):
    seminar.anonymous_peers = True
    seminar.save()
    client.force_login(instructor)
    body = client.get(page(blog_reading)).content.decode()
    assert "Sam Park" in body and "Priya Nair" in body


def test_who_has_not_posted_counts_a_hidden_post_as_work_done(
    blog_reading, discussion, student, student2, priya, place, seminar
):
    assert [m.user for m in before.not_posted(reading=blog_reading)] == [priya]
    note = place(priya, 5, 9, visibility="private")  # a private note is not taking part
    assert [m.user for m in before.not_posted(reading=blog_reading)] == [priya]
    Annotation.objects.filter(pk=note.pk).update(visibility="seminar", status="hidden")
    assert list(before.not_posted(reading=blog_reading)) == []


def test_remind_them_notifies_and_emails_each_quiet_student_once_a_day(
    client,
    instructor,
    blog_reading,
    discussion,
    priya,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client.force_login(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind_url(blog_reading), follow=True)
    assert "Reminded 1 student to join the discussion." in response.content.decode()
    reminder = Notification.objects.get(kind=NotificationKind.REMINDER)
    assert reminder.user == priya and reminder.reading == blog_reading
    assert [m.to for m in mailoutbox] == [[priya.email]]
    assert blog_reading.title in mailoutbox[0].subject + mailoutbox[0].body
    again = client.post(remind_url(blog_reading), follow=True).content.decode()
    assert "was not reminded again" in again
    assert Notification.objects.filter(kind=NotificationKind.REMINDER).count() == 1
    Notification.objects.update(created=timezone.now() - datetime.timedelta(days=1))
    client.post(remind_url(blog_reading))
    assert Notification.objects.filter(kind=NotificationKind.REMINDER).count() == 2


def test_a_reminder_reads_as_one_and_opens_the_reading(blog_reading, instructor, priya):
    before_posting = before.quiet_remind(reading=blog_reading, by=instructor)
    assert before_posting[0] >= 1
    item = listed_notifications(priya).get(kind=NotificationKind.REMINDER)
    assert "Dr. Okafor reminded you to join the discussion of" in describe(item, Namer(priya))
    assert link(item) == blog_reading.get_absolute_url()


def test_a_group_s_page_and_reminder_are_the_group_s(
    client, instructor, seminar, blog_reading, discussion, priya, student2
):
    blues = Group.objects.create(seminar=seminar, name="Blues")
    Membership.objects.filter(seminar=seminar, user__in=[priya, student2]).update(group=blues)
    passages = before.discussed_passages(reading=blog_reading, group=blues)
    assert [(p.start, p.end, p.posts) for p in passages] == [(110, 130, 1)]
    crowded, question, aside = discussion
    assert before.questions_open(reading=blog_reading, user=instructor, group=blues) == [question]
    reds = Group.objects.create(seminar=seminar, name="Reds")
    assert before.questions_open(reading=blog_reading, user=instructor, group=reds) == []
    member(seminar, "noor", "Noor Haddad", "student")  # not in the group: not reminded
    client.force_login(instructor)
    client.post(remind_url(blog_reading), {"group": blues.pk})
    reminded = Notification.objects.filter(kind=NotificationKind.REMINDER)
    assert [n.user for n in reminded] == [priya]


def test_nobody_to_remind_says_so(client, instructor, blog_reading, student, student2, place):
    place(student, 1, 5)
    place(student2, 1, 5)
    client.force_login(instructor)
    body = client.post(remind_url(blog_reading), follow=True).content.decode()
    assert "Everyone has posted on this reading" in body
    assert not Notification.objects.exists()


def test_posts_per_day_run_to_the_due_date_as_on_the_activity_page(
    blog_reading, seminar, student, place
):
    today = timezone.localdate()
    blog_reading.due = timezone.now() + datetime.timedelta(days=3)
    blog_reading.save()
    place(student, 1, 5)
    chart = before.posts_per_day(reading=blog_reading)
    assert chart.days[-1][0] == timezone.localdate(blog_reading.due)
    assert dict(chart.days)[today] == 1
    assert chart.total == 1
    # The Activity page's chart of the same reading: the same days and counts.
    shown = activity.seminar_activity(seminar)
    assert [c.chart.days for c in shown.charts if c.reading == blog_reading] == [chart.days]


def test_the_page_costs_the_same_queries_for_more_posts(
    client, instructor, seminar, blog_reading, place, django_assert_max_num_queries
):
    client.force_login(instructor)

    def add(count):
        for n in range(count):
            person = member(seminar, f"p{count}x{n}", f"Person {n}", "student")
            post = place(person, n * 7, n * 7 + 30, "question" if n % 2 else "critique")
            reply_create(parent=post, author=person, text="More.")
            vote_add(annotation=post, user=instructor)

    add(3)
    client.get(page(blog_reading))
    with django_assert_max_num_queries(22) as few:
        assert client.get(page(blog_reading)).status_code == 200
    add(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(page(blog_reading)).status_code == 200
