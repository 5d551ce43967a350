"""Who reaches grading: instructors and TAs as before; students and outsiders get a 404 for
anything that is not their own grades, on pages, the API and the CSVs, never a 403 that
tells them there is something there."""

import json

import pytest
from django.urls import reverse

from annotations.grading import gradebook
from annotations.models import Score
from annotations.services import annotation_create

SECRET = "A critique only graders should read"


@pytest.fixture
def theirs(blog_reading, instructor, student):
    """A post of the student, scored, whose grading walk and grades are staff business."""
    annotation = annotation_create(
        reading=blog_reading,
        author=student,
        kind="critique",
        text=SECRET,
        quote={"exact": "foreign aid and support"},
    )[0]
    gradebook.score_set(annotation=annotation, grader=instructor, value=2)
    return annotation


def requests_for(seminar, reading, student, annotation):
    """Every grading endpoint, as (method, url, body)."""
    slug = seminar.slug
    return {
        "gradebook page": ("get", reverse("gradebook", args=[slug]), None),
        "grading walk": (
            "get",
            reverse("grade_student", args=[slug, reading.slug, student.pk]),
            None,
        ),
        "grade by walk": (
            "post",
            reverse("grade_student", args=[slug, reading.slug, student.pk]),
            {"final": "100", "feedback": "x"},
        ),
        "policy page": ("get", reverse("grading_policy", args=[slug]), None),
        "policy change": ("post", reverse("grading_policy", args=[slug]), {"score_max": "9"}),
        "canvas csv": ("get", reverse("grades_export", args=[slug]) + "?lms=canvas", None),
        "moodle csv": ("get", reverse("grades_export", args=[slug]) + "?lms=moodle", None),
        "score form": ("post", reverse("score_post", args=[slug, annotation.pk]), {"score": "3"}),
        "release": (
            "post",
            reverse("grades_release", args=[slug, reading.slug]),
            {"release": "1"},
        ),
        "gradebook api": ("get", f"/api/seminars/{seminar.pk}/gradebook", None),
        "score api": ("put", f"/api/annotations/{annotation.pk}/score", {"score": 3}),
    }


def send(client, method, url, body):
    if method == "put":
        return client.put(url, data=json.dumps(body), content_type="application/json")
    if method == "post":
        return client.post(url, body)
    return client.get(url)


ENDPOINTS = [
    "gradebook page",
    "grading walk",
    "grade by walk",
    "policy page",
    "policy change",
    "canvas csv",
    "moodle csv",
    "score form",
    "release",
    "gradebook api",
    "score api",
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", ["student", "student2", "outsider"])
def test_students_and_outsiders_get_a_404(
    client, request, seminar, blog_reading, student, student2, theirs, who, endpoint
):
    client.force_login(request.getfixturevalue(who))
    method, url, body = requests_for(seminar, blog_reading, student, theirs)[endpoint]
    response = send(client, method, url, body)
    assert response.status_code == 404
    assert SECRET.encode() not in response.content
    # Nothing was changed on the way to the 404.
    assert Score.objects.get(annotation=theirs).value == 2
    assert not gradebook.policy_for(seminar).pk
    assert not blog_reading.grades.exists() and not hasattr(blog_reading, "release")


@pytest.mark.parametrize(
    "endpoint", ["gradebook page", "grading walk", "canvas csv", "moodle csv", "gradebook api"]
)
@pytest.mark.parametrize("who", ["instructor", "ta"])
def test_graders_keep_their_access(
    client, request, seminar, blog_reading, student, theirs, who, endpoint
):
    client.force_login(request.getfixturevalue(who))
    method, url, body = requests_for(seminar, blog_reading, student, theirs)[endpoint]
    assert send(client, method, url, body).status_code == 200


def test_graders_score_through_the_form_and_the_api(client, ta, seminar, blog_reading, theirs):
    client.force_login(ta)
    urls = requests_for(seminar, blog_reading, theirs.author, theirs)
    assert send(client, *urls["score form"]).status_code == 302
    assert Score.objects.get(annotation=theirs).value == 3
    assert send(client, "put", urls["score api"][1], {"score": 1}).status_code == 200
    assert Score.objects.get(annotation=theirs).value == 1


@pytest.mark.parametrize("endpoint", ["policy page", "policy change", "release"])
def test_a_ta_is_refused_what_only_the_instructor_does(
    client, ta, seminar, blog_reading, student, theirs, endpoint
):
    """A TA sees the gradebook, so a 403 tells them nothing new."""
    client.force_login(ta)
    method, url, body = requests_for(seminar, blog_reading, student, theirs)[endpoint]
    assert send(client, method, url, body).status_code == 403


def test_the_instructor_keeps_the_policy_and_release(client, instructor, seminar, blog_reading):
    client.force_login(instructor)
    assert client.get(reverse("grading_policy", args=[seminar.slug])).status_code == 200
    url = reverse("grades_release", args=[seminar.slug, blog_reading.slug])
    assert client.post(url, {"release": "1"}).status_code == 302
    assert blog_reading.release


def test_a_student_reaches_only_their_own_grades(client, seminar, student, student2, theirs):
    client.force_login(student)
    own = reverse("student_grades", args=[seminar.slug, student.pk])
    assert client.get(own).status_code == 200
    assert client.get(reverse("my_grades", args=[seminar.slug])).url == own
    other = reverse("student_grades", args=[seminar.slug, student2.pk])
    assert client.get(other).status_code == 404


def test_the_grading_rules_live_in_one_place(instructor, ta, student, seminar):
    """can_grade and can_release_grades are grading's own rules, in its permissions module,
    and nowhere else."""
    import annotations.permissions
    from annotations.grading.permissions import can_grade, can_release_grades

    assert not hasattr(annotations.permissions, "can_grade")
    assert not hasattr(annotations.permissions, "can_release_grades")
    assert [can_grade(u, seminar) for u in (instructor, ta, student)] == [True, True, False]
    assert [can_release_grades(u, seminar) for u in (instructor, ta, student)] == [
        True,
        False,
        False,
    ]
