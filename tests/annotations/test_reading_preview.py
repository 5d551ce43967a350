"""Adding a reading: the form, a preview of what was read, then Save reading (or Back).

Real files made by the tests (tests/seminar/documentfiles.py): a three-page PDF, a .docx,
text in Windows-1252, and the bad files, each refused with its reason and nothing saved.
"""

import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from seminar.models import Reading, ReadingRevision
from seminar.services import seminar_create
from tests.readingforms import preview_reading, save_preview
from tests.seminar.documentfiles import (
    blank_pdf,
    docx_paragraph,
    drawing_pdf,
    encrypted_pdf,
    laid_out_pdf,
    make_docx,
    make_epub,
    zip_bomb,
)
from tests.seminar.test_documents_pdf import PAGES, PARAGRAPHS

DETAILS = {"status": "published", "format": "text", "title": "", "byline": "", "text": ""}


def with_file(filename, data, **fields):
    return {**DETAILS, **fields, "file": SimpleUploadedFile(filename, data)}


@pytest.fixture
def pdf():
    return laid_out_pdf(PAGES)


def test_a_pdf_is_previewed_and_nothing_is_saved_until_save(client, instructor, seminar, pdf):
    client.force_login(instructor)
    response = preview_reading(client, seminar.slug, with_file("sahel.pdf", pdf))
    assert response.status_code == 200
    page = response.text
    assert "Check the reading before saving" in page
    assert "Regional Forces and the Sahel" in page
    for fact in ("PDF", "Pages", "Words", "3 running header or footer lines removed."):
        assert fact in page
    assert str(response.context["imported"].words) in page
    # The opening: the first three paragraphs, with their page markers.
    assert PARAGRAPHS[2][:40] in page and PARAGRAPHS[3][:40] not in page
    assert 'data-page="2"' in page
    assert not Reading.objects.exists()

    saved = save_preview(client, seminar.slug, response.context["token"])
    reading = Reading.objects.get(seminar=seminar)
    assert saved.status_code == 302 and saved.url == reading.get_absolute_url()
    assert reading.title == "Regional Forces and the Sahel"
    assert reading.current_revision.text == "\n".join(PARAGRAPHS)
    assert 'class="page-mark"' in reading.current_revision.html
    assert 'data-page="3"' in client.get(reading.get_absolute_url()).text


def test_a_word_document_keeps_its_footnote(client, instructor, seminar):
    client.force_login(instructor)
    data = make_docx(
        [docx_paragraph("A Title", style="Title"), docx_paragraph("Text", "[^1]", ".")],
        {1: "The note."},
    )
    response = preview_reading(client, seminar.slug, with_file("essay.docx", data))
    assert "Word document" in response.text and "1 footnote kept" in response.text
    save_preview(client, seminar.slug, response.context["token"])
    revision = Reading.objects.get(title="A Title").current_revision
    assert revision.text == "Text[1].\nNotes\nThe note."


def test_the_detected_encoding_is_shown(client, instructor, seminar):
    client.force_login(instructor)
    data = "Title\n\nThe “sweet spot” of Mali’s café.".encode("cp1252")
    response = preview_reading(client, seminar.slug, with_file("notes.txt", data))
    assert "Windows-1252 (detected)" in response.text
    assert "The “sweet spot” of Mali’s café." in response.text


def test_the_form_details_are_kept_through_the_preview(client, instructor, seminar):
    client.force_login(instructor)
    fields = {
        **DETAILS,
        "text": "Pasted title\n\nA pasted paragraph.",
        "title": "My own title",
        "status": "draft",
        "due": "2027-03-01T17:00",
        "discussion": "groups",
    }
    response = preview_reading(client, seminar.slug, fields)
    assert "My own title" in response.text and "Pasted text" in response.text
    save_preview(client, seminar.slug, response.context["token"])
    reading = Reading.objects.get(seminar=seminar)
    assert (reading.title, reading.status, reading.discussion) == (
        "My own title",
        "draft",
        "groups",
    )
    assert reading.due.year == 2027
    assert reading.current_revision.text == "A pasted paragraph."


def test_back_returns_to_the_form_filled_in(client, instructor, seminar, pdf):
    client.force_login(instructor)
    fields = {**DETAILS, "text": "Title\n\nBody.", "title": "Kept title"}
    token = preview_reading(client, seminar.slug, fields).context["token"]
    back = save_preview(client, seminar.slug, token, button="back")
    assert back.status_code == 200
    form = back.context["form"]
    assert form.initial["title"] == "Kept title" and form.initial["text"] == "Title\n\nBody."
    token = preview_reading(client, seminar.slug, with_file("sahel.pdf", pdf)).context["token"]
    assert (
        "Choose “sahel.pdf” again" in save_preview(client, seminar.slug, token, button="back").text
    )
    assert not Reading.objects.exists()


def test_an_expired_preview_says_so(client, instructor, seminar):
    client.force_login(instructor)
    token = preview_reading(client, seminar.slug, {**DETAILS, "text": "T\n\nB."}).context["token"]
    cache.clear()
    response = save_preview(client, seminar.slug, token)
    assert response.status_code == 400
    assert "This preview has expired (a preview is kept for 1 hour)." in response.text
    assert not Reading.objects.exists()


def test_a_preview_is_bound_to_its_seminar(client, instructor, seminar):
    other = seminar_create(title="Another section", creator=instructor)
    client.force_login(instructor)
    token = preview_reading(client, seminar.slug, {**DETAILS, "text": "T\n\nB."}).context["token"]
    assert save_preview(client, other.slug, token).status_code == 400
    assert save_preview(client, seminar.slug, "made-up-token").status_code == 400
    assert not Reading.objects.exists()


def test_a_preview_is_bound_to_its_person(client, instructor, seminar, ta, outsider):
    client.force_login(instructor)
    token = preview_reading(client, seminar.slug, {**DETAILS, "text": "T\n\nB."}).context["token"]
    client.force_login(outsider)
    assert save_preview(client, seminar.slug, token).status_code == 404  # not their seminar
    assert not Reading.objects.exists()


def test_saving_twice_makes_one_reading(client, instructor, seminar):
    client.force_login(instructor)
    token = preview_reading(client, seminar.slug, {**DETAILS, "text": "T\n\nB."}).context["token"]
    first = save_preview(client, seminar.slug, token)
    second = save_preview(client, seminar.slug, token)
    assert Reading.objects.count() == 1
    assert first.url == second.url == Reading.objects.get().get_absolute_url()


@pytest.mark.parametrize(
    ("filename", "make", "message"),
    [
        ("locked.pdf", lambda: encrypted_pdf(laid_out_pdf(PAGES), "secret"), "password-protected"),
        ("scan.pdf", lambda: drawing_pdf(2), "no text layer"),
        ("broken.pdf", lambda: laid_out_pdf(PAGES)[:900], "This PDF is damaged"),
        ("everything.pdf", lambda: blank_pdf(2000), "2,000 pages"),
        ("essay.docx", zip_bomb, "would unpack to 1,024 MB"),
        ("book.epub", zip_bomb, "would unpack to 1,024 MB"),
        (
            "book.epub",
            lambda: make_epub({"c.xhtml": "<p>x</p>"}, spine=["c.xhtml"], title="T")[:-40],
            "This EPUB is damaged",
        ),
    ],
)
def test_bad_documents_are_refused_quickly_and_nothing_is_saved(
    client, instructor, seminar, filename, make, message
):
    client.force_login(instructor)
    data = make()
    started = time.monotonic()
    response = preview_reading(client, seminar.slug, with_file(filename, data))
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    assert message in response.text
    assert not Reading.objects.exists() and not ReadingRevision.objects.exists()
