"""What the grading pages show: the gradebook's cells (suggested beside an override, missing
work, the markup sortable.js sorts by), the policy's descriptors, and "late" badges that agree
with the late penalty."""

import datetime
import re

import pytest
from django.urls import reverse

from annotations.grading import display, gradebook
from annotations.models import DEFAULT_DESCRIPTORS
from annotations.services import annotation_create

DUE = datetime.datetime(2026, 3, 4, 17, 0, tzinfo=datetime.UTC)


def critique(reading, author, text, created=None):
    return annotation_create(
        reading=reading,
        author=author,
        kind="critique",
        text=text,
        quote={"exact": "foreign aid and support"},
        created=created,
    )[0]


def cells_of(html):
    """The gradebook's body cells, in order, as their markup."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return re.findall(r"<td\b.*?</td>", body, flags=re.S)


def visible_text(markup):
    """Text a reader sees: tags (with their attributes, such as title) removed."""
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


@pytest.fixture
def graded(instructor, seminar, blog_reading, student, student2):
    """Lena: one post scored 3 (suggested 33.3), overridden to 80. Sam: nothing."""
    post = critique(blog_reading, student, "The sweet spot claim is premature.")
    gradebook.score_set(annotation=post, grader=instructor, value=3)
    gradebook.grade_set(reading=blog_reading, student=student, grader=instructor, final=80)
    return post


def test_an_override_shows_the_suggested_grade_beside_it(client, instructor, seminar, graded):
    client.force_login(instructor)
    html = client.get(reverse("gradebook", args=[seminar.slug])).content.decode()
    lena, _sam = cells_of(html)
    # Visible on the page, not only in a tooltip, so the instructor can explain the change.
    assert visible_text(lena).startswith("80.0% final suggested 33.3%")
    assert '<small class="d-block text-body-secondary grade-suggested">suggested 33.3%</small>' in (
        lena
    )


def test_an_override_without_scores_says_nothing_was_suggested(
    client, instructor, seminar, blog_reading, student
):
    gradebook.grade_set(reading=blog_reading, student=student, grader=instructor, final=0)
    client.force_login(instructor)
    lena = cells_of(client.get(reverse("gradebook", args=[seminar.slug])).content.decode())[0]
    # Missing work stays marked beside the grade typed for it.
    assert visible_text(lena) == "missing 0.0% final nothing suggested"


def test_a_suggestion_that_stands_shows_no_second_figure(
    client, instructor, seminar, blog_reading, student
):
    post = critique(blog_reading, student, "The sweet spot claim is premature.")
    gradebook.score_set(annotation=post, grader=instructor, value=3)
    client.force_login(instructor)
    lena = cells_of(client.get(reverse("gradebook", args=[seminar.slug])).content.decode())[0]
    assert visible_text(lena) == "33.3%" and "grade-suggested" not in lena


def test_missing_work_is_marked(client, instructor, seminar, graded):
    client.force_login(instructor)
    _lena, sam = cells_of(client.get(reverse("gradebook", args=[seminar.slug])).content.decode())
    assert 'class="text-end grade-cell missing"' in sam
    assert '<span class="badge text-bg-light border missing-badge">missing</span>' in sam
    assert visible_text(sam) == "missing"


def test_sorting_markup_for_sortable_js(client, instructor, seminar, blog_reading, graded):
    client.force_login(instructor)
    html = client.get(reverse("gradebook", args=[seminar.slug])).content.decode()
    assert re.search(r"<table [^>]*\bdata-sortable\b", html)
    head = html[html.index("<thead>") : html.index("</thead>")]
    # One sort button per column: the names sort as text, each reading as numbers.
    assert re.findall(r'class="sort-button" data-sort="(\w+)"', head) == ["text", "number"]
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    assert re.findall(r'<th scope="row" class="gradebook-student" data-value="([^"]*)"', body) == [
        "Lena Ortiz",
        "Sam Park",
    ]
    # The final grade sorts, not what is displayed; nothing to grade sorts below 0.
    lena, sam = cells_of(html)
    assert 'data-value="80.0"' in lena and 'data-value="-1"' in sam


def test_the_policy_page_shows_the_descriptors(client, instructor, seminar):
    client.force_login(instructor)
    url = reverse("grading_policy", args=[seminar.slug])
    html = client.get(url).content.decode()
    textarea = re.search(r'<textarea name="descriptors"[^>]*>(.*?)</textarea>', html, re.S)
    assert textarea.group(1).strip().splitlines() == DEFAULT_DESCRIPTORS

    gradebook.policy_save(
        seminar=seminar,
        score_max=2,
        descriptors=["Off topic", "On topic", "Moves us on", "dropped: beyond the scale"],
        best_n=2,
        late_penalty=10,
        grace_minutes=30,
    )
    html = client.get(url).content.decode()
    textarea = re.search(r'<textarea name="descriptors"[^>]*>(.*?)</textarea>', html, re.S)
    assert textarea.group(1).strip().splitlines() == ["Off topic", "On topic", "Moves us on"]


def test_the_grading_walk_shows_each_descriptor_by_its_score(
    client, instructor, seminar, blog_reading, graded, student
):
    client.force_login(instructor)
    url = reverse("grade_student", args=[seminar.slug, blog_reading.slug, student.pk])
    html = client.get(url).content.decode()
    for value, descriptor in enumerate(DEFAULT_DESCRIPTORS):
        assert f'<span class="score-value">{value}</span><span class="score-descriptor">' in html
        assert f"{descriptor}</span>" in html


def test_late_badges_follow_the_grace_period(client, instructor, seminar, blog_reading, student):
    """Due 17:00 with 60 minutes' grace: a post at 17:30 is on time (no badge, no penalty),
    one at 19:00 is late (a badge, and the penalty)."""
    blog_reading.due = DUE
    blog_reading.save()
    gradebook.policy_save(
        seminar=seminar, score_max=3, descriptors=[], best_n=2, late_penalty=50, grace_minutes=60
    )
    in_grace = critique(blog_reading, student, "In grace", DUE + datetime.timedelta(minutes=30))
    late = critique(blog_reading, student, "Late", DUE + datetime.timedelta(hours=2))
    for post in (in_grace, late):
        gradebook.score_set(annotation=post, grader=instructor, value=2)
    client.force_login(instructor)
    url = reverse("grade_student", args=[seminar.slug, blog_reading.slug, student.pk])
    html = client.get(url).content.decode()

    def card(post):
        start = html.index(f'data-post="{post.pk}"')
        return html[start : html.index("</li>", start)]

    assert ">late</span>" not in card(in_grace)
    assert ">late</span>" in card(late) and "50% off" in card(late)
    # The penalty agrees: only the 19:00 post loses half.
    assert "2 + 1 (late: 2 − 50%) = 3 of 6 → 50.0%" in html
    assert "1 late (due" in html


def test_a_private_note_is_neither_graded_nor_shown_to_graders(
    client, instructor, seminar, blog_reading, student
):
    # Graders cannot read private notes, so a grade built on one could not be explained,
    # and the grading walk would show its text to them.
    critique(blog_reading, student, "Public: the sweet spot claim is premature.")
    annotation_create(
        reading=blog_reading,
        author=student,
        kind="note",
        text="Private: remember to ask about Chad.",
        visibility="private",
        quote={"exact": "foreign aid and support"},
    )
    client.force_login(instructor)
    url = reverse("grade_student", args=[seminar.slug, blog_reading.slug, student.pk])
    page = client.get(url).content.decode()
    assert "the sweet spot claim is premature" in page
    assert "remember to ask about Chad" not in page
    _students, _readings, cells = gradebook.build(seminar)
    assert cells[(blog_reading.pk, student.pk)].participation.posts == 1


def test_grades_and_scores_carry_their_unit(client, instructor, seminar, blog_reading, student):
    """A post scored 2 of 3 once read "22.2", with no % and no "of 100" (issue 13): every
    page writes a grade as a percentage and a post's score against its scale."""
    post = critique(blog_reading, student, "The sweet spot claim is premature.")
    gradebook.score_set(annotation=post, grader=instructor, value=2)
    gradebook.grades_release(reading=blog_reading, by=instructor)
    client.force_login(instructor)
    lena = cells_of(client.get(reverse("gradebook", args=[seminar.slug])).content.decode())[0]
    assert visible_text(lena) == "22.2%"
    assert "→ 22.2%" in lena  # the explanation in its title
    walk = client.get(
        reverse("grade_student", args=[seminar.slug, blog_reading.slug, student.pk])
    ).content.decode()
    assert '<span class="grade-value">22.2%</span>' in walk
    assert "Final grade (out of 100)" in walk
    client.force_login(student)
    mine = client.get(reverse("my_grades", args=[seminar.slug]), follow=True).content.decode()
    assert re.search(r'class="[^"]*student-grade">22\.2%</span>', mine)
    assert "<strong>2 / 3</strong>" in mine
    assert "= 2 of 9 → 22.2%" in mine


def test_the_unit_rule():
    assert display.grade(88.888) == "88.9%" and display.grade(100) == "100.0%"
    assert display.grade(None) == "—" and display.score(None, 3) == "—"
    assert display.score(8, 9) == "8 / 9"
    assert display.grade_header("Week 1") == "Week 1 (out of 100)"
