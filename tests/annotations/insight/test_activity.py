"""The seminar activity page and its CSV: numbers per student and reading, for staff only."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.grading import gradebook
from annotations.models import Annotation
from annotations.services import annotation_create, reply_create, vote_add
from seminar.models import Group, Membership
from tests.annotations.insight.test_charts import parsed
from tests.conftest import import_reading, member
from tests.texts import NEWS, SWEET_SPOT


def post(reading, author, text, kind="critique", created=None, **options):
    quote = None if kind == "comment" else {"exact": SWEET_SPOT}
    return annotation_create(
        reading=reading,
        author=author,
        kind=kind,
        text=text,
        quote=quote,
        created=created,
        client_id=f"{author.pk}-{text}-{created}",
        **options,
    )[0]


@pytest.fixture
def news_reading(seminar, instructor):
    return import_reading(seminar, NEWS, creator=instructor)


@pytest.fixture
def work(blog_reading, news_reading, instructor, ta, student, student2):
    """Counted by hand. On the blog, Lena: a critique (4 words, marked helpful by Sam and the
    TA, scored 3), a page comment (2 words) and a reply to Sam (3 words); a private note, a
    deleted and a hidden post, none of which count. Sam: a critique (4 words, marked helpful
    by Lena) and a reply to Lena (1 word). On the news reading, Lena: a comment (2 words)."""
    lena = post(blog_reading, student, "one two three four")
    post(blog_reading, student, "five six", kind="comment")
    sam = post(blog_reading, student2, "Sam writes this here")
    reply_create(parent=sam, author=student, text="seven eight nine")
    reply_create(parent=lena, author=student2, text="yes")
    post(blog_reading, student, "my private note", visibility="private")
    gone = post(blog_reading, student, "deleted words here")
    hidden = post(blog_reading, student, "hidden words here")
    Annotation.objects.filter(pk=gone.pk).update(status="deleted")
    Annotation.objects.filter(pk=hidden.pk).update(status="hidden")
    vote_add(annotation=lena, user=student2)
    vote_add(annotation=lena, user=ta)
    vote_add(annotation=sam, user=student)
    gradebook.score_set(annotation=lena, grader=instructor, value=3)
    post(news_reading, student, "ten eleven", kind="comment")
    return {"lena": lena, "sam": sam}


def page(client, seminar, **query):
    return client.get(reverse("seminar_activity", args=[seminar.slug]), query)


def download(client, seminar, **query):
    response = client.get(reverse("seminar_activity_csv", args=[seminar.slug]), query)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return response, list(csv.reader(io.StringIO(text)))


def table_rows(response):
    """The activity table's body rows as {student name: [cell texts after the name]}."""
    html = response.content.decode()
    table = re.search(r'<table class="[^"]*activity-table.*?</table>', html, re.S).group(0)
    body = re.search(r"<tbody>.*?</tbody>", table, re.S).group(0)
    return {row[0]: row[1:] for row in parsed(body).rows}


COLUMNS = ["Posts", "Replies", "Words", "Helpful", "Scored", "Grade"]


def test_numbers_per_student_are_counted_as_by_hand(client, ta, seminar, blog_reading, work):
    client.force_login(ta)
    response = page(client, seminar, reading=blog_reading.slug)
    assert response.status_code == 200
    rows = table_rows(response)
    assert rows["Lena Ortiz"] == ["2", "1", "9", "2", "1", "33.3%"]
    assert rows["Sam Park"] == ["1", "1", "5", "1", "0", "—"]
    # The same numbers as the gradebook's cell (its participation and grade).
    _s, _r, cells = gradebook.build(seminar, readings=[blog_reading])
    lena = cells[(blog_reading.pk, work["lena"].author_id)]
    assert (lena.participation.annotations, lena.participation.replies) == (2, 1)
    assert (lena.participation.words, lena.participation.helpful) == (9, 2)
    assert lena.final == 33.3


def test_all_readings_are_summed_and_the_grade_is_their_mean(
    client, instructor, seminar, blog_reading, news_reading, student, work
):
    gradebook.grade_set(reading=news_reading, student=student, grader=instructor, final=80)
    client.force_login(instructor)
    response = page(client, seminar)
    rows = table_rows(response)
    # Lena: the blog's 2 posts, 1 reply, 9 words, and the news reading's comment (2 words);
    # her grade is the mean of 33.3 and 80.
    assert rows["Lena Ortiz"] == ["3", "1", "11", "2", "1", "56.7%"]
    assert rows["Sam Park"] == ["1", "1", "5", "1", "0", "—"]
    assert "Mean grade" in response.content.decode()
    totals = response.context["activity"].totals
    assert (totals.posts, totals.replies, totals.words, totals.helpful) == (4, 2, 16, 3)


def test_a_hidden_post_counts_when_the_policy_counts_it(
    client, instructor, seminar, blog_reading, work
):
    gradebook.policy_save(
        seminar=seminar,
        score_max=3,
        descriptors=[],
        best_n=3,
        late_penalty=25,
        grace_minutes=0,
        count_hidden=True,
    )
    client.force_login(instructor)
    rows = table_rows(page(client, seminar, reading=blog_reading.slug))
    assert rows["Lena Ortiz"][:3] == ["3", "1", "12"]  # and its 3 words


def test_students_and_outsiders_get_404_on_the_page_and_the_csv(
    client, seminar, student, outsider, work
):
    for user in (student, outsider):
        client.force_login(user)
        assert page(client, seminar).status_code == 404
        assert client.get(reverse("seminar_activity_csv", args=[seminar.slug])).status_code == 404
    client.logout()
    assert page(client, seminar).status_code == 302  # to the login page


def test_a_pseudonymous_seminar_shows_staff_the_real_names(client, ta, seminar, blog_reading, work):
    seminar.anonymous_peers = True
    seminar.save()
    client.force_login(ta)
    assert set(table_rows(page(client, seminar))) == {"Lena Ortiz", "Sam Park"}
    _response, rows = download(client, seminar)
    assert {row[0] for row in rows[1:]} == {"Lena Ortiz", "Sam Park"}


def test_the_csv_is_a_row_per_student_and_reading_and_safe_in_a_spreadsheet(
    client, instructor, seminar, blog_reading, news_reading, student, work
):
    student.display_name = '=HYPERLINK("x")'
    student.save()
    reds = Group.objects.create(seminar=seminar, name="+SUM(A1)")
    Membership.objects.filter(seminar=seminar, user=student).update(group=reds)
    client.force_login(instructor)
    response, rows = download(client, seminar)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{seminar.slug}-activity.csv"'
    assert rows[0] == [
        "Student", "Username", "Group", "Reading", *COLUMNS[:4], "Scored posts",
        "Grade (out of 100)",
    ]  # fmt: skip
    lena = [row for row in rows if row[1] == "lena"]
    assert [row[3] for row in lena] == [blog_reading.title, news_reading.title]
    assert lena[0][0] == '\'=HYPERLINK("x")'  # inert: text, not a formula
    assert lena[0][2] == "'+SUM(A1)"
    assert lena[0][4:] == ["2", "1", "9", "2", "1", "33.3"]
    assert lena[1][4:] == ["1", "0", "2", "0", "0", ""]
    # The page escapes the name too, and shows it as it is.
    assert "=HYPERLINK(&quot;x&quot;)" in page(client, seminar).content.decode()

    _response, one = download(client, seminar, reading=news_reading.slug)
    assert [row[3] for row in one[1:]] == [news_reading.title, news_reading.title]
    excel = client.get(reverse("seminar_activity_csv", args=[seminar.slug]), {"excel": "1"})
    assert b"".join(excel.streaming_content).startswith("\ufeff".encode())


def test_one_group_s_students(client, instructor, seminar, student2, work):
    reds = Group.objects.create(seminar=seminar, name="Reds")
    Membership.objects.filter(seminar=seminar, user=student2).update(group=reds)
    client.force_login(instructor)
    response = page(client, seminar, group=reds.pk)
    assert table_rows(response) == {"Sam Park": ["Reds", "1", "1", "5", "1", "0", "—"]}
    assert response.context["activity"].totals.posts == 1
    # The chart counts the group's posts only: Sam's critique and reply on the blog.
    assert [c.chart.total for c in response.context["activity"].charts] == [2, 0]
    response, rows = download(client, seminar, group=reds.pk)
    assert {row[0] for row in rows[1:]} == {"Sam Park"}
    assert f"-group-{reds.pk}.csv" in response["Content-Disposition"]


def test_a_group_or_reading_the_seminar_has_not_is_refused(
    client, instructor, outsider, seminar, work
):
    elsewhere = Group.objects.create(seminar=outsider.memberships.get().seminar, name="Theirs")
    client.force_login(instructor)
    for query in ({"group": elsewhere.pk}, {"group": "x"}, {"reading": "no-such-reading"}):
        response = page(client, seminar, **query)
        assert response.status_code == 400
        assert "choose one from the list" in response.content.decode()
        assert set(table_rows(response)) == {"Lena Ortiz", "Sam Park"}  # the whole class
        csv_url = reverse("seminar_activity_csv", args=[seminar.slug])
        assert client.get(csv_url, query).status_code == 400


def test_the_chart_counts_posts_per_local_day_and_its_table_says_the_same(
    client, settings, instructor, seminar, blog_reading, student, student2
):
    settings.TIME_ZONE = "America/New_York"
    utc = datetime.UTC
    post(blog_reading, student, "a", created=datetime.datetime(2025, 3, 3, 15, tzinfo=utc))
    post(blog_reading, student2, "b", created=datetime.datetime(2025, 3, 3, 16, tzinfo=utc))
    # 02:00 on the 6th in UTC is the evening of the 5th in New York.
    post(blog_reading, student, "c", created=datetime.datetime(2025, 3, 6, 2, tzinfo=utc))
    blog_reading.due = datetime.datetime(2025, 3, 6, 20, tzinfo=utc)
    blog_reading.save()
    client.force_login(instructor)
    response = page(client, seminar)
    html = response.content.decode()
    table = re.search(rf'<table[^>]*id="activity-{blog_reading.pk}-table".*?</table>', html, re.S)
    assert parsed(table.group(0)).rows == [
        ["Day", "Posts"],
        ["Mon 3 Mar", "2"],
        ["Tue 4 Mar", "0"],
        ["Wed 5 Mar", "1"],
        ["Thu 6 Mar (due)", "0"],
    ]
    assert (
        f'aria-labelledby="activity-{blog_reading.pk}-title activity-{blog_reading.pk}-desc"'
        in html
    )
    assert "<script>" not in html  # no inline script: the page's only script is a module file
    # The chart's posts are the table's: the class's 3 posts on the reading.
    rows = table_rows(response)
    assert int(rows["Lena Ortiz"][0]) + int(rows["Sam Park"][0]) == 3


def make_class(seminar, readings, size, target):
    """`size` more students, each with a comment on every reading, a critique, and a reply
    to `target` and a helpful mark on it."""
    for n in range(size):
        user = member(seminar, f"student{size}-{n}", f"Student {n}", "student")
        for reading in readings:
            post(reading, user, f"post {n}", kind="comment")
        post(readings[0], user, f"critique {n}")
        reply_create(parent=target, author=user, text=f"reply {n}")
        vote_add(annotation=target, user=user)
    Group.objects.get_or_create(seminar=seminar, name="Reds")


def queries(client, seminar, **query):
    with CaptureQueriesContext(connection) as captured:
        assert page(client, seminar, **query).status_code == 200
    with CaptureQueriesContext(connection) as captured_csv:
        _response, _rows = download(client, seminar, **query)
    return len(captured), len(captured_csv)


def test_queries_are_constant_in_the_number_of_posts(
    client, django_assert_max_num_queries, instructor, seminar, blog_reading, news_reading, work
):
    client.force_login(instructor)
    make_class(seminar, [blog_reading, news_reading], 2, work["lena"])
    small = queries(client, seminar)
    make_class(seminar, [blog_reading, news_reading], 12, work["lena"])
    assert Annotation.objects.count() > 50
    group = Group.objects.get(name="Reds").pk
    assert queries(client, seminar) == small
    assert queries(client, seminar, group=group, reading=blog_reading.slug) == small
    with django_assert_max_num_queries(small[0]):
        page(client, seminar)
    with django_assert_max_num_queries(small[1]):
        download(client, seminar)


def test_staff_find_the_page_from_the_seminar(client, ta, student, seminar):
    url = reverse("seminar_activity", args=[seminar.slug])
    client.force_login(ta)
    assert url in client.get(seminar.get_absolute_url()).content.decode()
    client.force_login(student)
    assert url not in client.get(seminar.get_absolute_url()).content.decode()
