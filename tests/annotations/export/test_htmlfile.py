"""The HTML archive: highlights at the stored offsets, every thread, nothing to load."""

import re

from annotations.export import htmlfile
from annotations.export.htmlfile import mark_body, mark_text
from annotations.export.snapshot import Options, Scope

BODY = '<p>Hello <em>world</em> &amp; <a href="https://example.org">more</a></p>\n<p>Again 🙂 x</p>'
TEXT = "Hello world & more\nAgain 🙂 x"


def h(start, end, number=1, kind="critique", pk=None):
    return (start, end, number, kind, pk or number)


def marked(html):
    if not isinstance(html, str):
        html = "".join(html)
    return re.findall(r"<mark[^>]*>(.*?)</mark>", html)


def test_marks_land_on_the_stored_offsets_in_code_points():
    out = "".join(mark_body(BODY, TEXT, [h(6, 11), h(27, 28, 2, "question")]))
    assert marked(out) == ["world", "x"]
    assert '<em><span id="passage-1"></span><mark class="hl hl-critique"' in out
    assert 'href="#annotation-2">[2]</a></sup></p>' in out
    assert "&amp;" in out and 'href="https://example.org"' in out


def test_overlapping_passages_split_into_segments():
    out = "".join(mark_body(BODY, TEXT, [h(0, 11, 1), h(6, 18, 2, "evidence")]))
    assert marked(out) == ["Hello ", "world", " &amp; ", "more"]
    assert out.count("hl-overlap") == 1 and "hl-mixed" in out
    # A link cannot hold a link: the reference after "more" is plain text there.
    assert '<sup class="ref">[2]</sup></a>' in out


def test_a_passage_across_paragraphs_leaves_the_break_unmarked():
    out = "".join(mark_body(BODY, TEXT, [h(14, 24)]))
    assert marked(out) == ["more", "Again"]
    assert "</p>\n<p>" in out


def test_text_that_does_not_add_up_falls_back_to_the_plain_text():
    assert mark_body(BODY, TEXT + "!", [h(0, 5)]) is None
    assert marked(mark_text(TEXT, [h(0, 5)])) == ["Hello"]
    assert "".join(mark_text(TEXT, [])).count("<p>") == 2


def test_the_archive_reads_like_the_post_and_loads_nothing(discussion):
    d = discussion
    page = htmlfile.render(Scope(d.seminar, reading=d.reading))
    assert page.startswith("<!doctype html>")
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    assert f'<meta http-equiv="Content-Security-Policy" content="{csp}">' in page
    assert "<style>" in page and "@media print" in page
    assert not re.search(r"<script|<link|<img|<iframe|\ssrc=|@import|url\(", page)
    assert "Tuesday, February 11, 2014" in page and d.reading.title.replace("'", "&#x27;") in page
    assert "Works Cited" in page
    # Five passage threads on three stretches of text (two pairs share their words).
    assert page.count('<mark class="hl') == 3 and page.count('class="hl hl-mixed hl-overlap"') == 2
    assert page.count('<sup class="ref">') == 5 and "5 annotations on passages" in page
    assert "Partly is doing a lot of work there." in page  # a reply to a reply
    assert "Passages no longer in the text" in page
    assert "3 comments" in page and "Reader 1" in page
    assert "This post was deleted" in page  # the tombstone keeps its reply
    assert "This blog is rubbish." not in page and "My own note." not in page
    assert "Score 3/4: Sharp; cite more." in page


def test_evidence_and_pseudonyms_show_when_asked(discussion):
    d = discussion
    options = Options(include_hidden=True, pseudonyms=True)
    page = htmlfile.render(Scope(d.seminar, options, reading=d.reading))
    assert "This blog is rubbish." in page and "Hidden by a moderator: Be civil." in page
    assert "Lena Ortiz" not in page and "Jonas Weber" in page
    assert "Students appear under their seminar pseudonyms." in page


def test_highlights_are_read_as_the_text_goes():
    """A sweep: a highlight is read when the text reaches it and let go where it ends, so a
    reading with thousands of passages holds only those over the current words."""
    text = "abcdefghij" * 3
    read = []

    def highlights():
        for n in range(1, 11):
            read.append(n)
            yield h(2 * n, 2 * n + 1, n)

    pieces = iter(mark_body(f"<p>{text}</p>", text, highlights()))
    assert next(pieces) == "<p>" and read == [1]
    assert next(pieces) == "ab" and read == [1]  # text before the first passage
    assert marked(next(pieces)) == ["c"] and read == [1, 2]
    rest = "".join(pieces)
    assert read == list(range(1, 11)) and len(marked(rest)) == 9
    assert rest.endswith(f'href="#annotation-10">[10]</a></sup>{text[21:]}</p>')
