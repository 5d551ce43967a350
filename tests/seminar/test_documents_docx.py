"""Word documents (seminar/documents/docx.py), made by the tests, and zip bombs named .docx."""

import time

import pytest

from seminar.documents import limits
from seminar.documents.uploads import read_upload
from seminar.textformats import TextFormatError
from tests.seminar.documentfiles import (
    _zip,
    docx_paragraph,
    make_docx,
    many_members_zip,
    ratio_bomb,
    zip_bomb,
)
from tests.seminar.textcontract import check_contract

BODY = [
    docx_paragraph("Mandates and Money", style="Title"),
    docx_paragraph("Background", style="Heading1"),
    docx_paragraph(
        "Regional forces are ", "*not*", " peacekeepers in the usual sense", "[^1]", "."
    ),
    docx_paragraph("They need three things:"),
    docx_paragraph("a mandate", bullet=True),
    docx_paragraph("money", bullet=True),
    docx_paragraph("time", bullet=True),
]
NOTES = {1: "See the African Union’s 2015 review."}


def test_headings_lists_emphasis_and_footnotes_are_kept():
    imported = read_upload(make_docx(BODY, NOTES), filename="mandates.docx")
    parsed = imported.parsed
    assert imported.kind == "Word document"
    assert parsed.title == "Mandates and Money"
    html = parsed.rendered.html
    assert html.startswith("<h2>Background</h2>\n")
    assert "Regional forces are <em>not</em> peacekeepers in the usual sense<sup>[1]</sup>." in html
    assert "<ul><li>a mandate</li>\n<li>money</li>\n<li>time</li></ul>" in html
    assert html.endswith(
        "<h2>Notes</h2>\n<ol><li><p>See the African Union’s 2015 review.</p></li></ol>"
    )
    assert "↑" not in parsed.rendered.text  # mammoth's links back to the text are gone
    assert parsed.rendered.text == (
        "Background\nRegional forces are not peacekeepers in the usual sense[1].\n"
        "They need three things:\na mandate\nmoney\ntime\nNotes\n"
        "See the African Union’s 2015 review."
    )
    assert imported.notes == ("1 footnote kept, under “Notes” at the end.",)
    check_contract(parsed.rendered)


def test_without_a_title_style_the_file_name_is_the_title():
    body = [docx_paragraph("Just a paragraph of text.")]
    assert read_upload(make_docx(body), filename="week-3-notes.docx").parsed.title == "Week 3 notes"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip at all, just words", "This Word document is damaged"),
        (b"PK\x03\x04" + bytes(200), "This Word document is damaged"),
        (_zip({"hello.txt": "hi"}), "not a Word document (.docx)"),
        (
            make_docx(BODY)[:-30],  # cut short: no zip directory
            "This Word document is damaged",
        ),
        (
            _zip({"word/document.xml": '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'}),
            "declares XML entities",
        ),
    ],
)
def test_what_is_not_a_word_document_is_refused(data, message):
    with pytest.raises(TextFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_upload(data, filename="essay.docx")


def test_an_old_doc_file_is_refused_with_how_to_convert_it():
    with pytest.raises(TextFormatError, match=r"save it as \.docx"):
        read_upload(b"\xd0\xcf\x11\xe0 old Word", filename="essay.doc")


def test_a_zip_bomb_named_docx_is_refused_quickly():
    bomb = zip_bomb("word/document.xml")
    assert len(bomb) < 2 * limits.MB
    started = time.monotonic()
    with pytest.raises(limits.DocumentTooLarge) as refused:
        read_upload(bomb, filename="essay.docx")
    assert time.monotonic() - started < 5
    assert str(refused.value).startswith(
        "This Word document would unpack to 1,024 MB; Seminar unpacks at most 100 MB."
    )


def test_a_member_that_expands_too_much_is_refused_before_unpacking():
    with pytest.raises(limits.DocumentTooLarge, match="expand more than 100 times"):
        read_upload(ratio_bomb("word/document.xml"), filename="essay.docx")


def test_an_archive_of_too_many_members_is_refused():
    with pytest.raises(limits.DocumentTooLarge, match="holds 2,500 files; Seminar reads archives"):
        read_upload(many_members_zip(2500), filename="essay.docx")
