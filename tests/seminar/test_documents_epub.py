"""EPUB readings (seminar/documents/epub.py): chapters in spine order, and bad archives."""

import time

import pytest

from seminar.documents import limits
from seminar.documents.uploads import read_upload
from seminar.textformats import TextFormatError
from tests.seminar.documentfiles import _zip, make_epub, zip_bomb
from tests.seminar.textcontract import check_contract

# File order a, b, c; reading order c, a (b is a pop-up note, outside the reading order).
CHAPTERS = {
    "a-chapter-two.xhtml": "<h1>Two: Money</h1><p>Who pays for the long tail &amp; why.</p>",
    "b-note.xhtml": "<p>A note shown on demand.</p>",
    "c-chapter-one.xhtml": (
        "<h1>One: Mandates</h1><p>A mission asked to <em>stabilise</em> a state.</p>"
        "<script>alert(1)</script>"
    ),
}


def epub(**options):
    data = make_epub(
        CHAPTERS,
        spine=["c-chapter-one.xhtml", "a-chapter-two.xhtml"],
        title="Peace Operations Reader",
        creator="A. Instructor",
        **options,
    )
    return data


def test_chapters_are_read_in_spine_order_with_title_and_author():
    imported = read_upload(epub(), filename="reader.epub")
    parsed = imported.parsed
    assert imported.kind == "EPUB"
    assert (parsed.title, parsed.byline) == ("Peace Operations Reader", "A. Instructor")
    assert parsed.rendered.text == (
        "One: Mandates\nA mission asked to stabilise a state.\n"
        "Two: Money\nWho pays for the long tail & why."
    )
    assert "<em>stabilise</em>" in parsed.rendered.html
    assert "alert" not in parsed.rendered.html
    assert "A note shown on demand" not in parsed.rendered.text
    assert imported.notes == ("2 chapters joined in reading order.",)
    check_contract(parsed.rendered)


def test_a_chapter_marked_outside_the_reading_order_is_left_out():
    data = epub(aside=("a-chapter-two.xhtml",))
    text = read_upload(data, filename="reader.epub").parsed.rendered.text
    assert "Two: Money" not in text and text.startswith("One: Mandates")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"mimetype": "application/epub+zip"}, r"it has no META-INF/container\.xml"),
        (
            {"META-INF/container.xml": "<container><rootfiles/></container>"},
            "its container names no package file",
        ),
        ({"META-INF/container.xml": "<container"}, "is not well-formed XML"),
    ],
)
def test_a_broken_epub_is_refused_as_damaged(files, message):
    with pytest.raises(TextFormatError, match=f"This EPUB is damaged.*{message}"):
        read_upload(_zip(files), filename="book.epub")


def test_a_zip_bomb_named_epub_is_refused_quickly():
    bomb = zip_bomb()
    started = time.monotonic()
    with pytest.raises(limits.DocumentTooLarge, match="would unpack to 1,024 MB"):
        read_upload(bomb, filename="book.epub")
    assert time.monotonic() - started < 5
