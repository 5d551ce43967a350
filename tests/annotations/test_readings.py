"""Importing readings through the web form and the command, and editing them.

Real files: the project's five readings (tests/fixtures/readings), uploaded as a browser would.
"""

import datetime
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from annotations.models import Annotation
from seminar.models import Reading, ReadingRevision
from tests.readingforms import add_reading
from tests.seminar.blog_source import blog_comments, blog_works_cited
from tests.texts import ARTICLE, BLOG, COURSE, NEWS, REPORT, SWEET_SPOT, reading_path

from .placements import annotate_everywhere

# file -> (title, date or None, paragraphs a person counts in the body; see
# tests/seminar/test_textformats.py for how each count breaks down)
EXPECTED = {
    BLOG: (
        "Regional Forces and the Lake Chad Basin",
        datetime.date(2014, 2, 11),
        3,
    ),
    ARTICLE: (
        "Understanding Military Coups in the Sahel and What They Mean for Stability",
        None,
        27,
    ),
    REPORT: (
        "Niger Basin: Dialogue Before Deployment",
        datetime.date(2014, 6, 3),
        15,
    ),
    NEWS: ("Regional force drawdown 2025", None, 17),
    COURSE: (
        "Peace Operations in the Sahel, Part III",
        None,
        13,
    ),
}


def assert_imported(reading, filename):
    title, date, paragraphs = EXPECTED[filename]
    assert (reading.title, reading.date) == (title, date)
    revision = reading.current_revision
    assert revision.number == 1
    assert revision.html.count("<p>") == paragraphs
    if filename == BLOG:
        # Every entry and every comment whole, as the file has them.
        assert revision.works_cited == blog_works_cited()
        assert len(revision.works_cited) == 3
        comments = reading.annotations.order_by("created", "id")
        assert [c.author_name for c in comments] == ["Reader 1", "Reader 2", "Reader 3"]
        assert [c.text for c in comments] == blog_comments()
    else:
        assert not reading.annotations.exists()


BLOG_COMMENT_STARTS = [
    "After yesterdays seminar I read this post twice.",
    "I think the trust of the fishing communities is very imporant",
    "Something to watch is whether four governments can keep one headquarters",
]


def upload(client, seminar, filename, data=None, **fields):
    """Upload as a browser would, and press "Save reading" on the preview."""
    data = reading_path(filename).read_bytes() if data is None else data
    payload = {"status": "published", "format": "text", "title": "", "byline": "", "text": ""}
    payload.update(fields)
    payload["file"] = SimpleUploadedFile(filename, data, content_type="text/plain")
    return add_reading(client, seminar.slug, payload)


@pytest.mark.parametrize("filename", list(EXPECTED))
def test_each_reading_imports_through_the_form(client, instructor, seminar, filename):
    client.force_login(instructor)
    response = upload(client, seminar, filename)
    reading = Reading.objects.get(seminar=seminar)
    assert response.status_code == 302 and response.url == reading.get_absolute_url()
    assert_imported(reading, filename)
    page = client.get(reading.get_absolute_url())
    assert page.status_code == 200


@pytest.mark.parametrize("filename", list(EXPECTED))
def test_each_reading_imports_through_the_command(seminar, filename, capsys):
    call_command("import_reading", "--seminar", seminar.slug, str(reading_path(filename)))
    reading = Reading.objects.get(seminar=seminar)
    assert_imported(reading, filename)
    assert "Imported" in capsys.readouterr().out


def test_form_and_command_store_the_same_reading(
    client, instructor, seminar, instructor_two_seminars
):
    other = instructor_two_seminars
    name = REPORT
    client.force_login(instructor)
    upload(client, seminar, name)
    call_command("import_reading", "--seminar", other.slug, str(reading_path(name)))
    by_form, by_command = (
        Reading.objects.get(seminar=s).current_revision for s in (seminar, other)
    )
    assert (by_form.text, by_form.html, by_form.source) == (
        by_command.text,
        by_command.html,
        by_command.source,
    )


@pytest.fixture
def instructor_two_seminars(instructor):
    from seminar.services import seminar_create

    return seminar_create(title="Second section", creator=instructor)


def test_blog_reader_comments_become_the_first_numbered_comments(client, student, blog_reading):
    comments = list(Annotation.objects.filter(reading=blog_reading).order_by("created", "id"))
    assert [c.author_name for c in comments] == ["Reader 1", "Reader 2", "Reader 3"]
    for comment, start in zip(comments, BLOG_COMMENT_STARTS, strict=True):
        assert comment.text.startswith(start)
        assert comment.author is None
    assert [c.text for c in comments] == blog_comments()

    client.force_login(student)
    page = client.get(blog_reading.get_absolute_url()).text
    assert "3 comments" in page
    assert page.index("Reader 1") < page.index("Reader 2") < page.index("Reader 3")


def test_blog_page_looks_like_the_post(client, student, blog_reading):
    client.force_login(student)
    page = client.get(blog_reading.get_absolute_url()).text
    assert "Tuesday, February 11, 2014" in page
    assert "Works Cited" in page
    assert page.index("Works Cited") < page.index("3 comments")
    # The canonical text is the body without markup: no reader comment, no title.
    text = blog_reading.current_revision.text
    assert "After yesterdays seminar" not in text
    assert SWEET_SPOT in text
    assert blog_reading.current_revision.works_cited == blog_works_cited()
    for entry in blog_works_cited():
        assert entry in unescape(page)


def test_pasted_markdown_keeps_headings_lists_and_typography(client, instructor, seminar):
    client.force_login(instructor)
    source = (
        "# Notes on “Serval” — 2013\n\nIntro with an emoji 🙂 and é.\n\n## Points\n\n- one\n- two\n"
    )
    add_reading(
        client, seminar.slug, {"text": source, "format": "markdown", "status": "draft", "title": ""}
    )
    reading = Reading.objects.get(seminar=seminar)
    assert reading.title == "Notes on “Serval” — 2013"
    html = reading.current_revision.html
    assert "<h2>Points</h2>" in html and "<li>one</li>" in html
    assert "🙂" in reading.current_revision.text


BAD_FILES = [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\n \t\n", "empty"),
    ("binary.txt", bytes(range(256)) * 4, "binary"),
    ("big.txt", b"word " * (1_100_000), "5 MB"),
    ("reading.pdf", b"%PDF-1.4 text", "This PDF is damaged"),
    ("reading.doc", b"\xd0\xcf\x11\xe0 an old Word file", ".docx"),
    ("reading.rtf", b"{\\rtf1 text}", ".docx"),
]


@pytest.mark.parametrize(("filename", "data", "message"), BAD_FILES)
def test_bad_upload_is_a_clear_error_and_saves_nothing(
    client, instructor, seminar, filename, data, message
):
    client.force_login(instructor)
    response = upload(client, seminar, filename, data=data)
    assert response.status_code == 400
    assert message in response.text
    assert not Reading.objects.exists()
    assert not ReadingRevision.objects.exists()


@pytest.mark.parametrize(("filename", "data", "message"), BAD_FILES)
def test_bad_file_fails_the_command_and_saves_nothing(seminar, tmp_path, filename, data, message):
    good = tmp_path / "good.txt"
    good.write_text("A title\n\nA paragraph of a perfectly fine reading.\n")
    bad = tmp_path / filename
    bad.write_bytes(data)
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        call_command("import_reading", "--seminar", seminar.slug, str(good), str(bad))
    assert not Reading.objects.exists()


def test_unknown_seminar_fails_the_command(db, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Title\n\nBody text.\n")
    with pytest.raises(CommandError, match="No seminar has the slug"):
        call_command("import_reading", "--seminar", "nope", str(path))


def test_unsafe_html_is_stripped_and_its_text_kept(client, instructor, seminar):
    client.force_login(instructor)
    html = (
        b'<h1>Unsafe</h1><p onclick="steal()">Kept words</p><script>alert(1)</script>'
        b'<iframe src="https://evil.example"></iframe><img src=x onerror=alert(2)>'
        b'<p><a href="javascript:alert(3)">link text</a></p>'
    )
    response = upload(client, seminar, "page.html", data=html)
    assert response.status_code == 302
    revision = Reading.objects.get(seminar=seminar).current_revision
    for bad in ("<script", "alert(1)", "<iframe", "onclick", "onerror", "javascript:"):
        assert bad not in revision.html
    assert "Kept words" in revision.text and "link text" in revision.text


def test_form_needs_text_or_file(client, instructor, seminar):
    client.force_login(instructor)
    response = client.post(
        reverse("reading_create", args=[seminar.slug]), {"status": "draft", "format": "text"}
    )
    assert response.status_code == 400
    assert "Paste the text of the reading, or upload a file." in response.text


def test_editing_the_text_makes_a_new_revision_and_keeps_the_old(client, instructor, blog_reading):
    client.force_login(instructor)
    first = blog_reading.current_revision
    source = first.source.replace("imporant", "important") + "\n\nA new closing paragraph.\n"
    response = client.post(
        reverse("reading_edit", args=[blog_reading.seminar.slug, blog_reading.slug]),
        {"title": blog_reading.title, "status": "published", "format": "text", "source": source},
    )
    assert response.status_code == 302
    blog_reading.refresh_from_db()
    assert blog_reading.current_revision.number == 2
    assert "A new closing paragraph." in blog_reading.current_revision.text
    first.refresh_from_db()
    assert "A new closing paragraph." not in first.text


def test_publishing_a_draft_with_its_text_unchanged_makes_no_revision(
    client, instructor, draft_reading
):
    client.force_login(instructor)
    first = draft_reading.current_revision
    # What a browser sends back from the edit box untouched: CRLF line ends, ends trimmed.
    source = "\n" + first.source.replace("\n", "\r\n") + "\r\n"
    response = client.post(
        reverse("reading_edit", args=[draft_reading.seminar.slug, draft_reading.slug]),
        {
            "title": draft_reading.title,
            "status": "published",
            "format": first.format,
            "source": source,
        },
        follow=True,
    )
    assert "Saved. The text did not change." in response.text
    assert "Saved as revision" not in response.text
    draft_reading.refresh_from_db()
    assert draft_reading.status == "published"
    assert draft_reading.current_revision == first
    assert draft_reading.revisions.count() == 1


def test_saving_the_same_text_over_annotations_asks_no_confirmation(
    client, instructor, student, blog_reading
):
    annotate_everywhere(blog_reading, student)
    client.force_login(instructor)
    source = blog_reading.current_revision.source.replace("\n", "\r\n")
    response = client.post(
        reverse("reading_edit", args=[blog_reading.seminar.slug, blog_reading.slug]),
        {"title": "Renamed", "status": "published", "format": "text", "source": source},
    )
    assert response.status_code == 302
    blog_reading.refresh_from_db()
    assert blog_reading.title == "Renamed"
    assert blog_reading.revisions.count() == 1


def test_a_bad_edit_saves_neither_text_nor_details(client, instructor, blog_reading):
    client.force_login(instructor)
    response = client.post(
        reverse("reading_edit", args=[blog_reading.seminar.slug, blog_reading.slug]),
        {
            "title": "Renamed",
            "status": "published",
            "format": "html",
            "source": "<script>x</script>",
        },
    )
    assert response.status_code == 400
    blog_reading.refresh_from_db()
    assert blog_reading.title != "Renamed"
    assert blog_reading.revisions.count() == 1
