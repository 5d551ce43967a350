"""PDF readings (seminar/documents/pdf.py), from PDFs the tests write with known text."""

import time

import pytest

from seminar.documents import limits
from seminar.documents.pdf import read_pdf
from seminar.documents.uploads import read_upload
from seminar.textformats import TextFormatError
from tests.seminar.documentfiles import (
    HEADER,
    Line,
    blank_pdf,
    drawing_pdf,
    encrypted_pdf,
    laid_out_pdf,
    make_pdf,
)
from tests.seminar.textcontract import check_contract

# Three pages: a title, five paragraphs (indented first lines, one after a blank line), a
# word hyphenated across the end of page 1 and a paragraph running on from page 1 to 2.
PAGES = [
    [
        "# Regional Forces and the Sahel",
        "\tPeace operations in the Sahel have changed shape over the last",
        "decade, and the change matters for how we read the regional forces",
        "that now carry the burden of protecting civilians.",
        "\tThe first question is one of mandate. A mission that is asked to",
        "stabilise a state while that state is itself a party to the conflict",
        "will find its impartiality questioned by the communities it serves,",
        "and its peace-",
    ],
    [
        "keeping role will be read as taking sides in a war it cannot end.",
        "",
        "The second question is one of money, and of who pays for the long",
        "tail of a deployment once the first enthusiasm of the donors has gone.",
    ],
    [
        "\tA third question concerns time. Regional forces are asked to stay",
        "for as long as the threat lasts, and the threat outlasts the budget.",
        "\tFinally, there is the matter of trust between the four governments",
        "that share one headquarters and one lake.",
    ],
]
PARAGRAPHS = [
    "Peace operations in the Sahel have changed shape over the last decade, and the change"
    " matters for how we read the regional forces that now carry the burden of protecting"
    " civilians.",
    "The first question is one of mandate. A mission that is asked to stabilise a state while"
    " that state is itself a party to the conflict will find its impartiality questioned by"
    " the communities it serves, and its peacekeeping role will be read as taking sides in a"
    " war it cannot end.",
    "The second question is one of money, and of who pays for the long tail of a deployment"
    " once the first enthusiasm of the donors has gone.",
    "A third question concerns time. Regional forces are asked to stay for as long as the"
    " threat lasts, and the threat outlasts the budget.",
    "Finally, there is the matter of trust between the four governments that share one"
    " headquarters and one lake.",
]


def mark(page):
    return f'<span class="page-mark" data-page="{page}"></span>'


@pytest.fixture(scope="module")
def article():
    return laid_out_pdf(PAGES, title="Microsoft Word - sahel-draft.docx")


def test_paragraphs_are_rebuilt_from_the_lines(article):
    imported = read_upload(article, filename="sahel-reader.pdf")
    parsed = imported.parsed
    assert (imported.kind, imported.pages) == ("PDF", 3)
    assert parsed.title == "Regional Forces and the Sahel"  # the large type, not the metadata
    assert parsed.format == "html"
    assert parsed.rendered.text == "\n".join(PARAGRAPHS)
    assert parsed.rendered.paragraphs == 5
    check_contract(parsed.rendered)


def test_running_headers_and_page_numbers_are_dropped_and_said(article):
    imported = read_upload(article, filename="sahel-reader.pdf")
    text = imported.parsed.rendered.text
    assert HEADER not in text and "Sahel Reader" not in text
    assert not any(line.strip().isdigit() for line in text.split("\n"))
    assert imported.notes == (
        "3 running header or footer lines removed.",
        "3 page numbers removed.",
        "1 word hyphenated at line ends joined.",
    )


def test_page_boundaries_are_empty_markers_where_each_page_begins(article):
    html = read_upload(article, filename="sahel-reader.pdf").parsed.rendered.html
    assert html.startswith(f"<p>{mark(1)}Peace operations")
    # Page 2 begins mid-word: the word is whole, the marker after it.
    assert f"and its peacekeeping{mark(2)} role" in html
    assert f"<p>{mark(3)}A third question" in html
    assert html.count('class="page-mark"') == 3


def test_the_markers_survive_rendering_again_from_the_stored_source(article):
    from seminar.textformats import render_body

    parsed = read_upload(article, filename="sahel-reader.pdf").parsed
    assert render_body(parsed.source, format=parsed.format) == parsed.rendered


def test_page_labels_are_printed_page_numbers_when_the_pdf_has_them(article):
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(article)))
    writer.set_page_label(0, 2, style="/D", start=237)
    out = io.BytesIO()
    writer.write(out)
    html = read_pdf(out.getvalue()).html
    assert mark(237) in html and mark(238) in html and mark(239) in html


def test_a_single_page_keeps_its_lines_and_the_metadata_title():
    data = make_pdf(
        [[Line(72, 700, "One short page of text."), Line(72, 686, "And its second line.")]],
        title="Field notes",
    )
    imported = read_upload(data, filename="notes.pdf")
    assert imported.parsed.title == "Field notes"
    # Two lines one line-space apart, neither indented: one paragraph.
    assert imported.parsed.rendered.text == "One short page of text. And its second line."


def test_a_pdf_without_a_text_layer_is_refused_with_what_to_do():
    with pytest.raises(TextFormatError) as refused:
        read_upload(drawing_pdf(3), filename="scan.pdf")
    message = str(refused.value)
    assert "no text layer" in message and "OCR" in message


def test_a_password_protected_pdf_is_refused(article):
    with pytest.raises(TextFormatError, match="This PDF is password-protected"):
        read_upload(encrypted_pdf(article, "secret"), filename="locked.pdf")


def test_a_pdf_locked_only_against_changes_is_read(article):
    imported = read_upload(encrypted_pdf(article, ""), filename="restricted.pdf")
    assert imported.parsed.rendered.text == "\n".join(PARAGRAPHS)


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_a_truncated_pdf_is_refused_as_damaged(article, cut):
    with pytest.raises(TextFormatError, match="This PDF is damaged"):
        read_upload(article[: int(len(article) * cut)], filename="broken.pdf")


def test_what_is_not_a_pdf_is_refused_as_damaged():
    for data in (b"%PDF-1.7\n" + bytes(range(256)) * 40, b"PK\x03\x04 a zip, renamed"):
        with pytest.raises(TextFormatError, match="This PDF is damaged"):
            read_upload(data, filename="report.pdf")


def test_two_thousand_pages_are_refused_before_any_page_is_read():
    data = blank_pdf(2000)
    started = time.monotonic()
    with pytest.raises(limits.DocumentTooLarge) as refused:
        read_upload(data, filename="everything.pdf")
    assert time.monotonic() - started < 5
    assert str(refused.value).startswith(
        "This PDF has 2,000 pages; Seminar reads PDFs of up to 500 pages."
    )


def test_reading_stops_at_the_time_budget(article):
    with pytest.raises(TextFormatError, match="took longer than 20 seconds"):
        read_pdf(article, seconds=-1)


def test_a_pdf_over_the_size_limit_is_refused_by_its_size():
    data = b"%PDF-1.4\n" + b"0" * limits.MAX_DOCUMENT_BYTES
    with pytest.raises(limits.DocumentTooLarge, match="up to 20 MB"):
        read_upload(data, filename="huge.pdf")


def test_empty_pages_are_noted():
    data = make_pdf([[Line(72, 700, "Words on the first page.")], [], [Line(72, 700, "More.")]])
    imported = read_upload(data, filename="gaps.pdf")
    assert "1 page without text (images only?): 2." in imported.notes
