"""Scores, grades, release, the gradebook's constant queries, and the LMS CSVs."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from annotations.grading import gradebook
from annotations.models import (
    Annotation,
    Grade,
    GradeRelease,
    GradingPolicy,
    Score,
    Vote,
)
from annotations.services import annotation_create
from seminar.models import Membership, Reading, ReadingRevision, Role, User
from tests.texts import SWEET_SPOT as QUOTE


def post(reading, author, text="A critique", **extra):
    return annotation_create(
        reading=reading,
        author=author,
        kind="critique",
        text=text,
        quote={"exact": QUOTE},
        client_id=text + str(extra),
    )[0]


def put_score(client, annotation, score, comment=""):
    return client.put(
        f"/api/annotations/{annotation.pk}/score",
        data=json.dumps({"score": score, "comment": comment}),
        content_type="application/json",
    )


def test_staff_score_posts_students_cannot(client, instructor, ta, student, student2, blog_reading):
    mine = post(blog_reading, student)
    client.force_login(student2)
    assert put_score(client, mine, 3).status_code == 404  # grading is not a student's business
    client.force_login(ta)
    assert put_score(client, mine, 4).status_code == 400  # the default scale is 0-3
    response = put_score(client, mine, 2, "Good use of evidence")
    assert response.json() == {"annotation": mine.pk, "score": 2, "comment": "Good use of evidence"}
    client.force_login(instructor)
    put_score(client, mine, 3)
    assert Score.objects.get(annotation=mine).value == 3  # one score per post, updated


def test_suggested_grade_follows_the_policy(seminar, instructor, student, blog_reading):
    for value in (3, 1, 2):
        gradebook.score_set(
            annotation=post(blog_reading, student, f"p{value}"), grader=instructor, value=value
        )
    _students, _readings, cells = gradebook.build(seminar)
    cell = cells[(blog_reading.pk, student.pk)]
    assert cell.suggestion.grade == 66.7  # (3 + 2 + 1) / 9
    assert cell.suggestion.explanation == "Best 3 of 3 scored posts: 3 + 2 + 1 = 6 of 9 → 66.7%"
    gradebook.policy_save(
        seminar=seminar, score_max=3, descriptors=[], best_n=2, late_penalty=0, grace_minutes=0
    )
    _students, _readings, cells = gradebook.build(seminar)
    assert cells[(blog_reading.pk, student.pk)].suggestion.grade == 83.3  # (3 + 2) / 6


def test_a_late_post_loses_the_penalty(seminar, instructor, student, blog_reading):
    blog_reading.due = timezone.now() - datetime.timedelta(days=1)
    blog_reading.save()
    gradebook.score_set(annotation=post(blog_reading, student), grader=instructor, value=2)
    gradebook.policy_save(
        seminar=seminar, score_max=3, descriptors=[], best_n=1, late_penalty=50, grace_minutes=0
    )
    _s, _r, cells = gradebook.build(seminar)
    assert cells[(blog_reading.pk, student.pk)].suggestion.grade == 33.3  # 2 * 0.5 / 3


def test_override_feedback_and_release(client, instructor, student, student2, blog_reading):
    gradebook.score_set(annotation=post(blog_reading, student), grader=instructor, value=3)
    client.force_login(instructor)
    url = reverse("grade_student", args=[blog_reading.seminar.slug, blog_reading.slug, student.pk])
    client.post(url, {"final": "95", "feedback": "Sharp reading of the timing claim."})
    mine = reverse("student_grades", args=[blog_reading.seminar.slug, student.pk])

    client.force_login(student)
    response = client.get(mine)
    # The student's own page, saying there is nothing released yet: not an error page.
    assert response.status_code == 200 and "No grades released yet." in response.text
    # "95.0" as the page would show the grade ("95" alone can occur in the CSRF token).
    assert "95.0" not in response.text and "Sharp reading" not in response.text
    client.force_login(instructor)
    client.post(
        reverse("grades_release", args=[blog_reading.seminar.slug, blog_reading.slug]),
        {"release": "1"},
    )
    client.force_login(student)
    page = client.get(mine).text
    assert "95.0" in page and "Sharp reading of the timing claim." in page
    client.force_login(student2)
    assert client.get(mine).status_code == 404


@pytest.mark.parametrize("who", ["student2", "outsider"])
def test_others_grades_are_a_404(client, request, student, blog_reading, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("student_grades", args=[blog_reading.seminar.slug, student.pk])
    assert client.get(url).status_code == 404


def test_students_do_not_reach_the_gradebook(client, student, seminar):
    client.force_login(student)
    assert client.get(reverse("gradebook", args=[seminar.slug])).status_code == 404
    response = client.get(f"/api/seminars/{seminar.pk}/gradebook")
    # The same answer as for a seminar that does not exist.
    assert response.status_code == 404
    assert response.json() == client.get("/api/seminars/999999/gradebook").json()


def make_class(seminar, instructor, students, readings):
    """A class with everything the gradebook reads, made in bulk: for each student and
    reading a scored critique (every other one late), a reply (in the grace period), a
    helpful mark; final grades
    and feedback for a third of the cells; half the readings released; a policy."""
    people = [User.objects.create_user(f"s{seminar.pk}-{i}", password="x") for i in range(students)]
    Membership.objects.bulk_create(
        Membership(seminar=seminar, user=u, role=Role.STUDENT) for u in people
    )
    GradingPolicy.objects.create(seminar=seminar, best_n=2, late_penalty=20, grace_minutes=30)
    due = timezone.now() - datetime.timedelta(days=1)
    made = []
    for i in range(readings):
        reading = Reading.objects.create(
            seminar=seminar,
            title=f"R{i}",
            slug=f"r{i}",
            status="published",
            position=i,
            due=due,
        )
        revision = ReadingRevision.objects.create(
            reading=reading, number=1, format="text", source="x", html="<p>x</p>", text="x"
        )
        reading.current_revision = revision
        reading.save()
        made.append(reading)
    critiques = Annotation.objects.bulk_create(
        Annotation(
            reading=reading,
            revision=reading.current_revision,
            anchored_revision=reading.current_revision,
            anchor_status="anchored",
            kind="critique",
            author=person,
            text="A critique of some length",
            html="<p>A critique of some length</p>",
            quote_exact="x",
            start=0,
            end=1,
            created=due + datetime.timedelta(hours=1 if n % 2 else -1),
        )
        for reading in made
        for n, person in enumerate(people)
    )
    Annotation.objects.bulk_create(
        Annotation(
            reading=parent.reading,
            revision=parent.revision,
            parent=parent,
            thread=parent,
            kind="reply",
            author=people[(n + 1) % students],
            text="I agree",
            html="<p>I agree</p>",
            created=due + datetime.timedelta(minutes=10),  # late, but within the grace
        )
        for n, parent in enumerate(critiques)
    )
    Score.objects.bulk_create(
        Score(annotation=c, value=n % 4, grader=instructor) for n, c in enumerate(critiques)
    )
    Vote.objects.bulk_create(
        Vote(annotation=c, user=people[(n + 2) % students]) for n, c in enumerate(critiques)
    )
    Grade.objects.bulk_create(
        Grade(reading=r, student=p, final=Decimal("75.5"), feedback="Good", grader=instructor)
        for r in made
        for n, p in enumerate(people)
        if n % 3 == 0
    )
    GradeRelease.objects.bulk_create(
        GradeRelease(reading=r, released_by=instructor) for r in made[::2]
    )
    return people


def gradebook_queries(client, seminar, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(reverse("gradebook", args=[seminar.slug])).status_code == 200
    return len(captured)


def test_gradebook_queries_do_not_grow(client, instructor, django_assert_max_num_queries):
    from seminar.services import seminar_create

    small = seminar_create(title="Small", creator=instructor)
    make_class(small, instructor, 5, 3)
    large = seminar_create(title="Large", creator=instructor)
    make_class(large, instructor, 100, 20)
    client.force_login(instructor)
    few = gradebook_queries(client, small, django_assert_max_num_queries, 20)
    many = gradebook_queries(client, large, django_assert_max_num_queries, few)
    assert many == few
    # The seeded paths were really taken: scores, late posts, overrides, releases, marks.
    _students, _readings, cells = gradebook.build(large)
    assert len(cells) == 2000
    assert all(c.participation.posts == 2 and c.participation.helpful == 1 for c in cells.values())
    assert sum(c.overridden for c in cells.values()) == 34 * 20
    assert sum(c.released for c in cells.values()) == 100 * 10
    assert sum(c.participation.late for c in cells.values()) == 50 * 20
    assert all(c.suggestion.grade is not None for c in cells.values())


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_canvas_and_moodle_csvs(client, instructor, student, blog_reading):
    student.display_name = '=HYPERLINK("http://evil.example","click")'
    student.save()
    gradebook.score_set(annotation=post(blog_reading, student), grader=instructor, value=3)
    gradebook.grade_set(
        reading=blog_reading,
        student=student,
        grader=instructor,
        feedback='Good, but, "quoted"\nand multi-line',
    )
    client.force_login(instructor)
    url = reverse("grades_export", args=[blog_reading.seminar.slug])
    canvas = read_csv(client.get(url, {"lms": "canvas"}))
    assert canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    # No unit in Canvas's header (it names the assignment and matches re-imports by it):
    # the unit is the "Points Possible" row.
    assert canvas[0][5] == f"{blog_reading.title} (Seminar {blog_reading.pk})"
    assert canvas[1][0] == "Points Possible" and canvas[1][5] == "100"
    assert canvas[2][0].startswith("'=HYPERLINK")  # inert in a spreadsheet
    # The username is a login, never a SIS User ID (that is the institution's student
    # number: a username equal to someone else's number would grade the wrong student).
    assert canvas[2][1:5] == ["", "", student.username, ""]
    assert student.email not in canvas[2]
    assert float(canvas[2][5]) == 33.3

    moodle = read_csv(client.get(url, {"lms": "moodle"}))
    assert moodle[0][:4] == ["First name", "Last name", "Email address", "ID number"]
    # Moodle's columns are mapped by hand: the grade's header says what it is out of.
    assert moodle[0][4:6] == [
        f"{blog_reading.title} (out of 100)",
        f"{blog_reading.title} (feedback)",
    ]
    assert float(moodle[1][4]) == 33.3  # the cell stays a bare number an LMS can read
    assert moodle[1][2] == student.email
    assert moodle[1][5] == 'Good, but, "quoted"\nand multi-line'

    excel = client.get(url, {"lms": "moodle", "excel": "1"})
    assert b"".join(excel.streaming_content).startswith("\ufeff".encode())
