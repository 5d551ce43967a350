"""Changing the rubric scale under scores already given: refused, with the count, so no grade
ever goes over 100 (three posts scored 3 under a 0–2 scale once read "9 of 6 → 150")."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from annotations.grading import gradebook
from annotations.grading.policy import Policy, Post, suggest
from annotations.models import GradingPolicy, Score, Status
from annotations.services import annotation_create
from seminar.services import ServiceError

DUE = datetime.datetime(2026, 3, 4, 17, 0, tzinfo=datetime.UTC)


def policy_form(score_max, **extra):
    return {
        "score_max": str(score_max),
        "descriptors": "",
        "best_n": "3",
        "late_penalty": "25",
        "grace_minutes": "0",
        **extra,
    }


@pytest.fixture
def three_threes(blog_reading, instructor, student):
    posts = []
    for i in range(3):
        annotation = annotation_create(
            reading=blog_reading,
            author=student,
            kind="critique",
            text=f"Post {i}",
            quote={"exact": "foreign aid and support"},
        )[0]
        gradebook.score_set(annotation=annotation, grader=instructor, value=3)
        posts.append(annotation)
    return posts


def test_lowering_the_scale_below_given_scores_is_refused_next_to_the_field(
    client, instructor, seminar, three_threes
):
    client.force_login(instructor)
    response = client.post(reverse("grading_policy", args=[seminar.slug]), policy_form(2))
    assert response.status_code == 400
    message = (
        "3 scores are above 2 (the highest is 3). Rescore those posts first, "
        "or keep the scale at 0–3."
    )
    assert response.context["form"].errors == {"score_max": [message]}
    html = response.content.decode()
    # Rendered with the scale field (crispy puts a field's errors right after its input).
    assert html.index('id="id_score_max"') < html.index(message) < html.index('id="id_best_n"')
    assert gradebook.policy_for(seminar).score_max == 3 and not GradingPolicy.objects.exists()
    assert set(Score.objects.values_list("value", flat=True)) == {3}  # nothing rescaled


def test_the_service_counts_one_score_in_the_singular(seminar, instructor, three_threes):
    for annotation in three_threes[1:]:
        gradebook.score_set(annotation=annotation, grader=instructor, value=1)
    with pytest.raises(gradebook.PolicyError) as refused:
        gradebook.policy_save(
            seminar=seminar, score_max=2, descriptors=[], best_n=3, late_penalty=0, grace_minutes=0
        )
    assert isinstance(refused.value, ServiceError) and refused.value.field == "score_max"
    assert str(refused.value).startswith("1 score is above 2 (the highest is 3). Rescore that post")


def test_rescored_or_deleted_posts_no_longer_block_the_change(
    client, instructor, seminar, blog_reading, student, three_threes
):
    first, second, third = three_threes
    gradebook.score_set(annotation=first, grader=instructor, value=2)
    gradebook.score_set(annotation=second, grader=instructor, value=0)
    # A deleted post is never graded and cannot be rescored: it must not block the change.
    type(third).objects.filter(pk=third.pk).update(status=Status.DELETED)
    client.force_login(instructor)
    response = client.post(reverse("grading_policy", args=[seminar.slug]), policy_form(2))
    assert response.status_code == 302
    assert gradebook.policy_for(seminar).score_max == 2
    _s, _r, cells = gradebook.build(seminar)
    assert cells[(blog_reading.pk, student.pk)].suggestion.grade == 33.3  # (2 + 0 + 0) / 6


def test_raising_the_scale_is_always_allowed(seminar, three_threes):
    policy = gradebook.policy_save(
        seminar=seminar, score_max=10, descriptors=[], best_n=3, late_penalty=0, grace_minutes=0
    )
    assert policy.score_max == 10


def test_a_score_above_the_scale_counts_as_its_top_and_says_so():
    """Hand-worked: the old bug's numbers. 3 + 3 + 3 under a 0–2 scale is 6 of 6, not 9."""
    posts = [Post(id=i, kind="critique", created=DUE, score=3) for i in (1, 2, 3)]
    result = suggest(posts, DUE, Policy(score_max=2, best_n=3))
    assert result.grade == 100.0
    assert result.explanation == (
        "Best 3 of 3 scored posts: 2 (scored 3, scale now 0–2) + 2 (scored 3, scale now 0–2)"
        " + 2 (scored 3, scale now 0–2) = 6 of 6 → 100.0%"
    )


def test_late_and_above_the_scale_both_show():
    late = DUE + datetime.timedelta(hours=1)
    result = suggest([Post(1, "critique", late, score=3)], DUE, Policy(score_max=2, best_n=1))
    assert result.grade == 75.0  # 2 - 25% = 1.5 of 2
    assert result.explanation == (
        "Best 1 of 1 scored post: 1.5 (scored 3, scale now 0–2; late: 2 − 25%) = 1.5 of 2 → 75.0%"
    )


def test_no_grade_over_100_in_the_page_the_api_or_the_csvs(
    client, instructor, seminar, blog_reading, student, three_threes
):
    # The state an archive restored from elsewhere, or a score saved while the scale was
    # being changed, could leave: scores above the scale. The policy form refuses to make it.
    GradingPolicy.objects.create(seminar=seminar, score_max=2, best_n=3, late_penalty=0)
    client.force_login(instructor)
    page = client.get(reverse("gradebook", args=[seminar.slug])).content.decode()
    assert "150" not in page and 'data-value="100.0"' in page

    cells = client.get(f"/api/seminars/{seminar.pk}/gradebook").json()["cells"]
    assert [c["suggested"] for c in cells] == [100.0] and cells[0]["final"] == 100.0

    url = reverse("grades_export", args=[seminar.slug])
    for lms, column in (("canvas", 5), ("moodle", 4)):
        body = b"".join(client.get(url, {"lms": lms}).streaming_content).decode()
        rows = list(csv.reader(io.StringIO(body)))
        assert float(rows[-1][column]) == 100.0
