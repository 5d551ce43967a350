"""A post hidden by a moderator stays in grading: graders see it on every grading view,
marked, and may score it; the policy says whether it counts (by default not: "hidden, not
counted", never "missing"), on the pages, in the API and in the CSVs. Students still reach
none of it, and private notes and deleted posts stay out."""

import csv
import hashlib
import io
import json
import re
import zipfile

import pytest
from django.urls import reverse

from annotations.export import archive
from annotations.export.restore import seminar_restore
from annotations.export.snapshot import Options, Scope
from annotations.grading import gradebook
from annotations.models import GradingPolicy, Score
from annotations.moderation.services import annotation_moderate
from annotations.services import annotation_create, annotation_delete

HIDDEN_TEXT = "A rude but pointed critique of the timing claim"
NOT_COUNTED = "hidden, not counted"


def critique(reading, author, text):
    return annotation_create(
        reading=reading,
        author=author,
        kind="critique",
        text=text,
        quote={"exact": "foreign aid and support"},
    )[0]


@pytest.fixture
def hidden(instructor, blog_reading, student):
    """Lena's only post on the reading, scored 3, then hidden by the instructor."""
    post = critique(blog_reading, student, HIDDEN_TEXT)
    gradebook.score_set(annotation=post, grader=instructor, value=3)
    annotation_moderate(annotation=post, moderator=instructor, action="hide", reason="Rude")
    post.refresh_from_db()
    return post


def count_hidden(seminar, on=True):
    gradebook.policy_save(
        seminar=seminar,
        score_max=3,
        descriptors=[],
        best_n=3,
        late_penalty=25,
        grace_minutes=0,
        count_hidden=on,
    )


def walk_url(seminar, reading, student):
    return reverse("grade_student", args=[seminar.slug, reading.slug, student.pk])


def card(html, post):
    start = html.index(f'data-post="{post.pk}"')
    return html[start : html.index("</li>", start)]


def cells_of(html):
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return re.findall(r"<td\b.*?</td>", body, flags=re.S)


def visible_text(markup):
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("who", ["instructor", "ta"])
def test_a_grader_sees_the_hidden_post_with_its_score_control(
    client, request, seminar, blog_reading, student, hidden, who
):
    client.force_login(request.getfixturevalue(who))
    html = client.get(walk_url(seminar, blog_reading, student)).content.decode()
    post = card(html, hidden)
    assert HIDDEN_TEXT in post
    assert f'action="{reverse("score_post", args=[seminar.slug, hidden.pk])}"' in post
    assert f'id="score-{hidden.pk}-3"' in post and "checked" in post  # its score, kept
    assert '<span class="badge text-bg-secondary hidden-badge"' in post
    assert f">{NOT_COUNTED}</span>" in post
    assert "hidden by a moderator." in post  # said to screen readers with the post's title
    assert f"{student.name} has no posts on this reading." not in html
    assert "Suggested: 1 hidden post, not counted." in html


def test_a_grader_scores_a_hidden_post_through_the_form_and_the_api(client, ta, seminar, hidden):
    client.force_login(ta)
    response = client.post(reverse("score_post", args=[seminar.slug, hidden.pk]), {"score": "1"})
    assert response.status_code == 302
    assert Score.objects.get(annotation=hidden).value == 1
    response = client.put(
        f"/api/annotations/{hidden.pk}/score",
        data=json.dumps({"score": 2}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert Score.objects.get(annotation=hidden).value == 2


def test_the_gradebook_says_hidden_not_counted_never_missing(
    client, instructor, seminar, blog_reading, student, student2, hidden
):
    client.force_login(instructor)
    html = client.get(reverse("gradebook", args=[seminar.slug])).content.decode()
    lena, sam = cells_of(html)
    assert visible_text(lena) == NOT_COUNTED
    assert "missing" not in lena
    assert visible_text(sam) == "missing"  # Sam wrote nothing: still missing
    _students, _readings, cells = gradebook.build(seminar)
    cell = cells[(blog_reading.pk, student.pk)]
    assert (cell.missing, cell.mark, cell.final) == (False, NOT_COUNTED, None)
    assert cell.participation.posts == 0 and cell.participation.hidden == 1


def test_a_hidden_post_beside_a_counted_one_is_named(
    client, instructor, seminar, blog_reading, student, hidden
):
    shown = critique(blog_reading, student, "A civil critique")
    gradebook.score_set(annotation=shown, grader=instructor, value=2)
    client.force_login(instructor)
    lena = cells_of(client.get(reverse("gradebook", args=[seminar.slug])).content.decode())[0]
    assert visible_text(lena) == f"22.2% 1 {NOT_COUNTED.replace('hidden', 'hidden post')}"
    _students, _readings, cells = gradebook.build(seminar)
    assert cells[(blog_reading.pk, student.pk)].suggestion.explanation == (
        "Best 3 of 1 scored post: 2 + 0 + 0 = 2 of 9 → 22.2% (2 missing posts count 0); "
        "1 hidden post, not counted"
    )


def test_the_gradebook_api_marks_the_cell(client, instructor, seminar, student2, hidden):
    client.force_login(instructor)
    cells = client.get(f"/api/seminars/{seminar.pk}/gradebook").json()["cells"]
    lena = next(c for c in cells if c["student"] == hidden.author_id)
    assert lena["mark"] == NOT_COUNTED and lena["hidden"] == 1
    assert lena["explanation"] == "1 hidden post, not counted."
    assert lena["suggested"] is None and lena["posts"] == 0
    sam = next(c for c in cells if c["student"] != hidden.author_id)
    assert sam["mark"] == "missing" and sam["hidden"] == 0


def test_the_csvs_say_hidden_not_counted(client, instructor, seminar, blog_reading, hidden):
    client.force_login(instructor)
    url = reverse("grades_export", args=[seminar.slug])
    moodle = read_csv(client.get(url, {"lms": "moodle"}))
    assert moodle[1][3] == hidden.author.username
    assert moodle[1][4:6] == ["", "1 hidden post, not counted"]
    canvas = read_csv(client.get(url, {"lms": "canvas"}))
    assert canvas[2][3] == hidden.author.username and canvas[2][5] == ""  # nothing to grade
    # The archive's grades.csv, built a student at a time (gradebook.reading_cells).
    rows = list(archive.grade_rows(Scope(seminar, Options())))
    header = rows[0]
    lena = next(
        dict(zip(header, r, strict=True)) for r in rows[1:] if r[1] == hidden.author.username
    )
    assert lena["explanation"] == "1 hidden post, not counted."
    assert "missing" not in lena["explanation"]


def test_with_the_policy_counting_hidden_posts_they_count(
    client, instructor, seminar, blog_reading, student, hidden
):
    client.force_login(instructor)
    response = client.post(
        reverse("grading_policy", args=[seminar.slug]),
        {
            "score_max": "3",
            "descriptors": "",
            "best_n": "3",
            "late_penalty": "25",
            "grace_minutes": "0",
            "count_hidden": "on",
        },
    )
    assert response.status_code == 302
    assert GradingPolicy.objects.get(seminar=seminar).count_hidden
    _students, _readings, cells = gradebook.build(seminar)
    cell = cells[(blog_reading.pk, student.pk)]
    assert cell.suggestion.grade == 33.3 and cell.mark == "" and cell.hidden_not_counted == 0
    assert cell.suggestion.explanation == (
        "Best 3 of 1 scored post: 3 + 0 + 0 = 3 of 9 → 33.3% (2 missing posts count 0)"
    )
    assert cell.participation.posts == 1
    html = client.get(walk_url(seminar, blog_reading, student)).content.decode()
    assert ">hidden, counted</span>" in card(html, hidden) and NOT_COUNTED not in html
    lena = cells_of(client.get(reverse("gradebook", args=[seminar.slug])).content.decode())[0]
    assert visible_text(lena) == "33.3%"
    policy_page = client.get(reverse("grading_policy", args=[seminar.slug])).content.decode()
    assert re.search(r'<input type="checkbox" name="count_hidden"[^>]*checked', policy_page)


def test_the_per_student_view_marks_the_hidden_post(client, instructor, seminar, student, hidden):
    client.force_login(instructor)
    html = client.get(reverse("student_grades", args=[seminar.slug, student.pk])).content.decode()
    assert "1 hidden post, not counted." in html
    assert f'<span class="badge text-bg-secondary hidden-badge">{NOT_COUNTED}</span>' in html


@pytest.mark.parametrize("who", ["student", "student2"])
def test_students_still_never_reach_grading(client, request, seminar, blog_reading, hidden, who):
    client.force_login(request.getfixturevalue(who))
    author = hidden.author
    for url in (
        walk_url(seminar, blog_reading, author),
        reverse("gradebook", args=[seminar.slug]),
        reverse("grades_export", args=[seminar.slug]) + "?lms=moodle",
        f"/api/seminars/{seminar.pk}/gradebook",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert HIDDEN_TEXT.encode() not in response.content
    response = client.post(reverse("score_post", args=[seminar.slug, hidden.pk]), {"score": "0"})
    assert response.status_code == 404
    assert Score.objects.get(annotation=hidden).value == 3


def test_private_notes_and_deleted_posts_stay_out(
    client, instructor, seminar, blog_reading, student, hidden
):
    note = annotation_create(
        reading=blog_reading,
        author=student,
        kind="note",
        text="Private: ask about Chad",
        visibility="private",
        quote={"exact": "foreign aid and support"},
    )[0]
    gone = critique(blog_reading, student, "Deleted by its author")
    gradebook.score_set(annotation=gone, grader=instructor, value=3)
    annotation_delete(annotation=gone, actor=student)
    count_hidden(seminar)
    _students, _readings, cells = gradebook.build(seminar)
    cell = cells[(blog_reading.pk, student.pk)]
    assert [p.id for p in cell.posts] == [hidden.pk]
    assert note.pk not in {p.id for p in cell.posts}
    client.force_login(instructor)
    html = client.get(walk_url(seminar, blog_reading, student)).content.decode()
    assert "ask about Chad" not in html and "Deleted by its author" not in html


def test_hidden_posts_do_not_cost_the_gradebook_queries(
    client, instructor, seminar, blog_reading, student, student2, django_assert_max_num_queries
):
    for n in range(3):
        critique(blog_reading, student, f"Shown {n}")
    client.force_login(instructor)
    url = reverse("gradebook", args=[seminar.slug])
    with django_assert_max_num_queries(50) as before:
        client.get(url)
    for n in range(3):
        post = critique(blog_reading, student2, f"Hidden {n}")
        annotation_moderate(annotation=post, moderator=instructor, action="hide", reason="x")
    with django_assert_max_num_queries(len(before)):
        html = client.get(url).content.decode()
    assert NOT_COUNTED in html


def reseal_without_count_hidden(data):
    """The archive as one made before the policy had count_hidden: the key gone from
    data.json, and the manifest vouching for the new file."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        files = {name: z.read(name) for name in z.namelist()}
    body = json.loads(files["data.json"])
    assert body["grading_policy"].pop("count_hidden") is True
    files["data.json"] = json.dumps(body).encode()
    manifest = json.loads(files["manifest.json"])
    entry = next(f for f in manifest["files"] if f["path"] == "data.json")
    entry.update(
        bytes=len(files["data.json"]), sha256=hashlib.sha256(files["data.json"]).hexdigest()
    )
    files["manifest.json"] = json.dumps(manifest).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return out.getvalue()


def test_the_policy_survives_an_archive_and_an_older_archive_counts_none(seminar, hidden):
    count_hidden(seminar)
    made = b"".join(archive.stream(Scope(seminar, Options(include_hidden=True))))
    restored = seminar_restore(file=io.BytesIO(made))
    assert restored.pk != seminar.pk
    assert GradingPolicy.objects.get(seminar=restored).count_hidden is True
    older = seminar_restore(file=io.BytesIO(reseal_without_count_hidden(made)))
    assert GradingPolicy.objects.get(seminar=older).count_hidden is False
