"""AGS grade passback, against the test platform over real HTTP (tests/seminar/lti)."""

import time

import pytest
from django.urls import reverse

from annotations.grading import gradebook, passback
from annotations.models import LmsScore
from annotations.services import annotation_create
from seminar.lti import claims as c
from seminar.lti import tokens
from seminar.lti.models import LtiContext, LtiIdentity, LtiResourceLink
from seminar.models import Membership, Role
from tests.conftest import import_reading, make_user
from tests.seminar.lti.conftest import lms, platform_server  # noqa: F401 (fixtures)
from tests.texts import BLOG, SWEET_SPOT

SCORES = "/lineitems/item-1/scores"


@pytest.fixture
def course(lms, client):  # noqa: F811
    """An LMS course with a seminar, a reading placed as a graded assignment, two students
    from the LMS and one added by hand; the instructor's client signed in."""
    ags = {c.AGS: {"lineitem": lms.line_item_url("item-1"), "scope": []}}
    lms.launch(client, sub="prof-1", roles=[c.INSTRUCTOR], name="Grace Hopper", **ags)
    seminar = LtiContext.objects.get().seminar
    prof = LtiIdentity.objects.get(sub="prof-1").user
    reading = import_reading(seminar, BLOG, creator=prof)
    lms.launch(client, sub="prof-1", roles=[c.INSTRUCTOR], **ags)
    LtiResourceLink.objects.filter(resource_link_id="link-1").update(reading=reading)
    for sub, name in (("student-1", "Ada Lovelace"), ("student-2", "Emmy Noether")):
        lms.launch(client, sub=sub, name=name, **ags)
    ada = LtiIdentity.objects.get(sub="student-1").user
    emmy = LtiIdentity.objects.get(sub="student-2").user
    local = make_user("local", "Local Student")
    Membership.objects.create(seminar=seminar, user=local, role=Role.STUDENT)
    post, _ = annotation_create(
        reading=reading, author=ada, kind="critique", text="A claim", quote={"exact": SWEET_SPOT}
    )
    gradebook.score_set(annotation=post, grader=prof, value=2)
    gradebook.grade_set(reading=reading, student=emmy, grader=prof, final=80)
    gradebook.grade_set(reading=reading, student=local, grader=prof, final=70)
    client.force_login(prof)
    return {"seminar": seminar, "reading": reading, "ada": ada, "emmy": emmy, "local": local}


def release(client, course):
    url = reverse("grades_release", args=[course["seminar"].slug, course["reading"].slug])
    return client.post(url, {"release": "1"})


def final_of(course, student):
    cells = dict(gradebook.reading_cells(course["seminar"], reading=course["reading"]))
    return cells[student].final


def gradebook_html(client, course):
    return client.get(reverse("gradebook", args=[course["seminar"].slug])).content.decode()


def test_releasing_grades_sends_each_students_score(
    lms,  # noqa: F811
    client,
    course,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        assert release(client, course).status_code == 302
    received = sorted((score for path, score in lms.scores), key=lambda s: s["userId"])
    assert [path for path, _ in lms.scores] == ["/lineitems/item-1"] * 2
    ada_final = final_of(course, course["ada"])
    assert ada_final is not None
    for score, sub, given, progress in (
        (received[0], "student-1", round(ada_final, 1), "Completed"),
        (received[1], "student-2", 80.0, "Initialized"),  # a grade, but no post
    ):
        timestamp = score.pop("timestamp")
        assert "T" in timestamp and timestamp.endswith("+00:00")
        assert score == {
            "userId": sub,
            "scoreGiven": given,
            "scoreMaximum": 100,
            "activityProgress": progress,
            "gradingProgress": "FullyGraded",
        }
    # The student added by hand is not the LMS's: nothing sent for them.
    rows = {row.student: row for row in LmsScore.objects.all()}
    assert set(rows) == {course["ada"], course["emmy"]}
    assert all(row.ok and row.attempts == 1 for row in rows.values())
    # The token was asked for AGS's scopes, with a verified client assertion.
    assert list(lms.tokens.values()) == [{tokens.AGS_LINEITEM_SCOPE, tokens.AGS_SCORE_SCOPE}]
    assert lms.assertions[-1]["aud"] == lms.token_url
    html = gradebook_html(client, course)
    assert html.count("sent 80.0/100") == 1
    assert html.count('LMS <span aria-hidden="true">✓</span> sent') == 2
    assert "not in the LMS course" in html
    assert "Send to LMS" in html


def test_a_failing_endpoint_is_retried_and_recorded(
    lms,  # noqa: F811
    client,
    course,
    django_capture_on_commit_callbacks,
):
    lms.fail[SCORES] = 500
    with django_capture_on_commit_callbacks(execute=True):
        release(client, course)
    posts = [r for r in lms.requests if r[1].endswith(SCORES)]
    assert len(posts) == 2 * passback.MAX_ATTEMPTS  # every attempt, for each student
    rows = list(LmsScore.objects.all())
    assert len(rows) == 2
    assert all(row.attempts == passback.MAX_ATTEMPTS and row.sent is None for row in rows)
    assert all(row.error.startswith("The LMS answered 500") for row in rows)
    assert gradebook_html(client, course).count("LMS error: The LMS answered 500") == 2
    # The platform is back: "Send to LMS" sends them, and the error goes.
    del lms.fail[SCORES]
    url = reverse("grades_lms_send", args=[course["seminar"].slug, course["reading"].slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "on their way to the LMS" in response.content.decode()
    assert len(lms.scores) == 2
    assert all(row.ok for row in LmsScore.objects.all())
    assert "LMS error" not in gradebook_html(client, course)


def test_a_retry_sends_only_what_failed(
    lms,  # noqa: F811
    course,
):
    gradebook.grades_release(reading=course["reading"], by=None)
    passback.grades_send(reading_id=course["reading"].pk)
    assert len(lms.scores) == 2
    LmsScore.objects.filter(student=course["emmy"]).update(error="earlier failure")
    passback.grades_send(reading_id=course["reading"].pk, attempt=2)
    assert [s["userId"] for _p, s in lms.scores[2:]] == ["student-2"]


def test_a_slow_endpoint_times_out_without_blocking_the_gradebook(
    lms,  # noqa: F811
    client,
    course,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    monkeypatch.setattr(tokens, "TIMEOUT_SECONDS", 0.3)
    tokens.access_token(lms.platform, passback.SCOPES)  # the token endpoint is not the slow one
    lms.delay = 1.0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        started = time.monotonic()
        release(client, course)
        html = gradebook_html(client, course)
        assert time.monotonic() - started < 0.3  # the pages never wait on the platform
    assert html.count("LMS: not sent") == 2
    started = time.monotonic()
    for callback in callbacks:
        callback()  # what the worker does
    elapsed = time.monotonic() - started
    # One timeout per attempt, not one per student: the others are marked at once.
    assert elapsed < passback.MAX_ATTEMPTS * 0.3 + 1.5
    rows = list(LmsScore.objects.all())
    assert len(rows) == 2 and all(row.sent is None for row in rows)
    assert all("did not answer in 0.3 s" in row.error for row in rows)
    requests_before = len(lms.requests)
    started = time.monotonic()
    html = gradebook_html(client, course)
    assert time.monotonic() - started < 0.3
    assert len(lms.requests) == requests_before
    assert html.count("LMS error: The LMS could not be reached") == 2


def test_not_released_or_not_linked_sends_nothing(
    lms,  # noqa: F811
    client,
    course,
    django_capture_on_commit_callbacks,
):
    url = reverse("grades_lms_send", args=[course["seminar"].slug, course["reading"].slug])
    response = client.post(url, follow=True)
    assert "Release the grades" in response.content.decode()
    assert passback.grades_send(reading_id=course["reading"].pk) == passback.SKIPPED
    LtiResourceLink.objects.update(line_item_url="")
    with django_capture_on_commit_callbacks(execute=True):
        release(client, course)
    assert lms.scores == []
    html = gradebook_html(client, course)
    assert "Send to LMS" not in html and "LMS: not linked" not in html  # no LMS at all


def test_a_student_may_not_send(
    lms,  # noqa: F811
    client,
    course,
):
    client.force_login(course["ada"])
    url = reverse("grades_lms_send", args=[course["seminar"].slug, course["reading"].slug])
    assert client.post(url).status_code == 404
