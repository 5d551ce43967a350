"""A new edition of a reading uploaded on its edit page: the same preview as an edit, then
the same confirmation, and the text saved is the text previewed."""

import html
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotations.models import Annotation
from annotations.services import annotation_create
from tests.texts import KILLED, SWEET_SPOT


def url(reading):
    return reverse("reading_edit", args=[reading.seminar.slug, reading.slug])


def details(reading):
    return {"title": reading.title, "status": reading.status, "format": "text"}


def edition_text(reading):
    """Its source with a paragraph inserted, one sentence edited and one rewritten."""
    source = reading.current_revision.source
    parts = source.split("\n\n")
    parts.insert(1, "An editor's note: this edition adds the sources.")
    text = "\n\n".join(parts).replace("and method", "and of method")
    return text.replace(f"was {KILLED} in January", "died in a January raid")


def upload(reading, client, **extra):
    edition = SimpleUploadedFile("second-edition.md", edition_text(reading).encode())
    data = {**details(reading), "source": reading.current_revision.source, "edition": edition}
    return client.post(url(reading), {**data, **extra})


def passages(reading, student):
    for quote in (SWEET_SPOT, KILLED):
        annotation_create(
            reading=reading, author=student, kind="critique", text=quote, quote={"exact": quote}
        )


def test_the_edit_page_offers_an_upload(client, instructor, blog_reading):
    client.force_login(instructor)
    page = client.get(url(blog_reading))
    assert 'enctype="multipart/form-data"' in page.text
    assert "Or upload a new edition" in page.text and 'name="edition"' in page.text


def test_an_uploaded_edition_is_previewed_then_saved_as_previewed(
    client, instructor, student, blog_reading
):
    passages(blog_reading, student)
    client.force_login(instructor)
    preview = upload(blog_reading, client)
    assert preview.status_code == 200
    assert "What this new edition does to the annotations" in preview.text
    assert "second-edition.md" in preview.text
    assert "<strong>1</strong> move with their words" in preview.text
    assert "<strong>1</strong> will no longer be in the text" in preview.text
    assert blog_reading.revisions.count() == 1  # nothing saved yet
    stamp = re.search(r'name="confirm" value="([0-9a-f]+)"', preview.text).group(1)
    box = re.search(r'<textarea name="source"[^>]*>\n?(.*?)</textarea>', preview.text, re.S)
    shown = html.unescape(box.group(1))
    assert "An editor's note" in shown
    chosen = re.search(r'<option value="([a-z]+)" selected', preview.text).group(1)
    assert chosen == "markdown"  # the file's format, in the form
    # The browser posts the box back, with CRLF line ends, and the confirmation.
    data = {
        **details(blog_reading),
        "format": chosen,
        "source": shown.replace("\n", "\r\n"),
        "confirm": stamp,
    }
    saved = client.post(url(blog_reading), data, follow=True)
    assert saved.status_code == 200
    blog_reading.refresh_from_db()
    revision = blog_reading.current_revision
    assert revision.number == 2
    assert revision.source == shown.strip()
    assert "An editor's note" in revision.text and "and of method" in revision.text
    posts = Annotation.objects.filter(reading=blog_reading, author=student)
    status = dict(posts.values_list("text", "anchor_status"))
    assert status == {SWEET_SPOT: "moved", KILLED: "orphaned"}
    assert Annotation.objects.get(text=KILLED).quote_exact == KILLED


def test_an_edition_without_passages_is_still_shown_before_it_is_saved(
    client, instructor, blog_reading
):
    client.force_login(instructor)
    preview = upload(blog_reading, client)
    assert preview.status_code == 200 and 'name="confirm"' in preview.text
    assert blog_reading.revisions.count() == 1


def test_an_unreadable_edition_is_refused_and_nothing_saved(client, instructor, blog_reading):
    client.force_login(instructor)
    bad = SimpleUploadedFile("edition.exe", b"MZ\x00\x00binary")
    data = {**details(blog_reading), "source": "Typed but not saved.", "edition": bad}
    response = client.post(url(blog_reading), data)
    assert response.status_code == 400
    assert "Typed but not saved." in response.text
    assert blog_reading.revisions.count() == 1


def test_a_ta_may_not_upload_an_edition(client, ta, blog_reading):
    client.force_login(ta)
    assert upload(blog_reading, client).status_code == 403
    assert blog_reading.revisions.count() == 1
