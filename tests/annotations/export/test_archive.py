"""The seminar ZIP: every reading in every format, grades, data.json, and a manifest to check."""

import csv
import datetime
import hashlib
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.export import archive, csvfile, htmlfile, jsonld, markdown, threads
from annotations.export.snapshot import Options, Scope
from annotations.grading import display, gradebook
from annotations.models import Annotation
from annotations.revisions.readings import parse_upload, reading_import
from seminar.models import Membership, Role, User

from .conftest import build_zip, read_zip

READING = "readings/01-regional-forces-and-the-lake-chad-basin/"
DRAFT = "readings/02-regional-force-drawdown-2025/"


def test_the_archive_holds_every_reading_in_every_format(discussion):
    files = read_zip(build_zip(discussion.seminar))
    for folder in (READING, DRAFT):
        for name in ("reading.html", "reading.md", "annotations.csv", "annotations.jsonld"):
            assert folder + name in files
    for number in (1, 2, 3):
        assert files[f"{READING}revisions/{number}.source.txt"]
    revision = discussion.reading.current_revision
    assert files[f"{READING}revisions/3.txt"].decode() == revision.text
    assert {"data.json", "grades.csv", "README.txt", "manifest.json"} <= set(files)


def test_the_manifest_vouches_for_every_file(discussion):
    files = read_zip(build_zip(discussion.seminar, include_hidden=True))
    manifest = json.loads(files.pop("manifest.json"))
    assert (manifest["format"], manifest["version"]) == ("seminar-archive", 3)
    assert manifest["seminar"]["slug"] == discussion.seminar.slug
    assert manifest["options"] == {
        "include_hidden": True,
        "pseudonyms": False,
        "include_private": False,
    }
    counts = manifest["counts"]
    assert counts["readings"] == 2 and counts["revisions"] == 4 and counts["users"] == 4
    assert counts["annotations"] == len(json.loads(files["data.json"])["annotations"])
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(files)
    for path, body in files.items():
        assert listed[path]["bytes"] == len(body)
        assert listed[path]["sha256"] == hashlib.sha256(body).hexdigest()


def test_grades_are_a_row_per_student_and_reading(discussion):
    files = read_zip(build_zip(discussion.seminar))
    rows = list(csv.DictReader(io.StringIO(files["grades.csv"].decode())))
    assert len(rows) == 4  # two students, two readings
    lena = next(r for r in rows if r["student"] == "Lena Ortiz" and r["released"] == "true")
    final = display.grade_header("final")
    assert (lena[final], lena["overridden"], lena["feedback"]) == ("91.5", "true", "Well argued.")
    assert final == "final (out of 100)" and "suggested (out of 100)" in rows[0]


def test_with_pseudonyms_no_student_name_or_email_is_anywhere(discussion):
    files = read_zip(build_zip(discussion.seminar, pseudonyms=True, include_hidden=True))
    for name, body in files.items():
        text = body.decode("utf-8")
        for secret in ("Lena Ortiz", "Sam Park", "lena@example.org", "sam@example.org"):
            assert secret not in text, (name, secret)
    users = json.loads(files["data.json"])["users"]
    staff = {u["username"]: u["email"] for u in users if u["role"] in ("instructor", "ta")}
    assert staff == {"okafor": "okafor@example.org", "weber": "weber@example.org"}
    # Nor their order: the gradebook's rows come by the names shown, not the real ones.
    Membership.objects.filter(user__username="lena").update(pseudonym="Zesty Zebra")
    Membership.objects.filter(user__username="sam").update(pseudonym="Amber Albatross")
    grades = read_zip(build_zip(discussion.seminar, pseudonyms=True))["grades.csv"].decode()
    shown = [r["student"] for r in csv.DictReader(io.StringIO(grades))]
    assert shown == ["Amber Albatross", "Zesty Zebra"] * 2


def test_the_zip_streams_in_small_chunks(discussion, monkeypatch):
    monkeypatch.setattr(archive, "FLUSH_BYTES", 4096)
    chunks = list(archive.stream(Scope(discussion.seminar, Options(include_hidden=True))))
    assert len(chunks) > 20
    assert max(len(c) for c in chunks) < 64 * 1024


def test_grades_a_student_at_a_time_agree_with_the_gradebook(discussion):
    """grades.csv computes the cells a student at a time (`reading_cells`), holding one
    student's posts at a time; the cells are the gradebook's own."""
    seminar = discussion.seminar
    _students, readings, cells = gradebook.build(seminar)
    for reading in readings:
        for student, cell in gradebook.reading_cells(seminar, reading=reading):
            whole = cells[(reading.pk, student.pk)]
            assert cell.posts == whole.posts and cell.late_posts == whole.late_posts
            assert (cell.participation, cell.suggestion) == (whole.participation, whole.suggestion)
            assert (cell.final, cell.feedback, cell.released) == (
                whole.final,
                whole.feedback,
                whole.released,
            )


def test_grades_of_a_reading_cost_the_same_queries_for_any_class_size(
    discussion, django_assert_max_num_queries
):
    """One query for the posts of every student of a reading, in the order asked for (here
    reversed, as a list sorted by pseudonym would be), not one per student."""
    seminar, reading = discussion.seminar, discussion.reading
    students = gradebook.students_of(seminar)
    for n in range(30):
        user = User.objects.create_user(f"extra{n}", display_name=f"Extra {n}")
        Membership.objects.create(seminar=seminar, user=user, role=Role.STUDENT)
        Annotation.objects.create(reading=reading, author=user, kind="comment", text=f"Hi {n}")
    everyone = gradebook.students_of(seminar)[::-1]
    with django_assert_max_num_queries(5):
        cells = list(gradebook.reading_cells(seminar, reading=reading, students=everyone))
    assert [student for student, _cell in cells] == everyone
    assert all(cell.participation.posts == 1 for s, cell in cells if s not in students)
    _students, _readings, whole = gradebook.build(seminar)
    for student, cell in cells:
        assert cell.posts == whole[(reading.pk, student.pk)].posts


def test_an_uploaded_html_source_is_kept_as_text_that_runs_nothing(seminar, instructor):
    # Opened from the unzipped archive, an .html file would run its author's script with no
    # CSP around it: the source is stored as .html.txt, byte for byte, and restores unchanged.
    page = '<h1>A page</h1><p>Body.</p><script>alert("archived")</script>'
    parsed = parse_upload(data=page.encode(), filename="page.html")
    reading = reading_import(seminar=seminar, creator=instructor, parsed=parsed, status="published")
    files = read_zip(build_zip(seminar))
    folder = f"readings/01-{reading.slug}/revisions/"
    assert files[f"{folder}1.source.html.txt"].decode() == reading.current_revision.source
    assert "<script>" in reading.current_revision.source
    assert not [
        name for name in files if name.endswith((".htm", ".html")) and "/revisions/" in name
    ]
    (revision,) = json.loads(files["data.json"])["revisions"]
    assert revision["source"] == reading.current_revision.source  # what a restore reads


EXPORTED = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"include_hidden": True},
        {"pseudonyms": True},
        {"include_hidden": True, "pseudonyms": True},
    ],
)
def test_a_readings_files_are_the_downloads_byte_for_byte(discussion, options):
    """The archive makes a reading's four files in one pass over its annotations (spooled,
    laid out by threads.Layout); each is exactly what its own download streams."""
    scope = Scope(discussion.seminar, Options(**options))
    files = read_zip(b"".join(archive.stream(scope, exported=EXPORTED)))
    for index, reading in enumerate(scope.readings, 1):
        one = scope.for_reading(reading)
        folder = archive.folder_name(index, reading)
        assert files[folder + "annotations.csv"] == b"".join(csvfile.stream(one))
        assert files[folder + "annotations.jsonld"] == b"".join(jsonld.stream(one))
        assert files[folder + "reading.html"] == b"".join(htmlfile.stream(one, exported=EXPORTED))
        assert files[folder + "reading.md"] == b"".join(markdown.stream(one, exported=EXPORTED))


def test_the_archive_reads_a_reading_once_whatever_its_threads(discussion, monkeypatch):
    """No query per thread: the archive's queries do not depend on how threads batch."""

    def count():
        with CaptureQueriesContext(connection) as queries:
            build_zip(discussion.seminar, include_hidden=True)
        return len(queries)

    whole = count()
    monkeypatch.setattr(threads, "ROOTS_PER_BATCH", 1)
    assert count() == whole
