"""Importing readings: metadata, body HTML, canonical text, works cited and reader comments.

No Django here: the importer is pure Python and these tests need no settings or database.
They run with the suite, or alone without Django (the shared conftest imports models):
``pytest tests/seminar/test_textformats.py -p no:django --noconftest
-W ignore::pytest.PytestConfigWarning``.
"""

import datetime
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seminar.textformats import (
    FORMATS,
    MAX_BYTES,
    ReaderComment,
    TextFormatError,
    decode_upload,
    format_for_filename,
    parse_document,
    render_body,
)
from tests import texts
from tests.seminar.blog_source import blog_comments, blog_works_cited
from tests.seminar.textcontract import check_contract


def fixture(name):
    return texts.reading_text(name)


def parse_fixture(name):
    parsed = parse_document(fixture(name), format="text", filename=name)
    check_contract(parsed.rendered)
    assert render_body(parsed.source, format="text") == parsed.rendered
    return parsed


# The project's readings ------------------------------------------------------------------


def test_blog_post_with_works_cited_and_reader_comments():
    parsed = parse_fixture(texts.BLOG)

    assert parsed.title == "Regional Forces and the Lake Chad Basin"
    assert parsed.date == datetime.date(2014, 2, 11)
    assert parsed.byline == ""
    # Three indented body paragraphs between the title and "Works Cited".
    assert parsed.rendered.paragraphs == 3
    cited = parsed.rendered.works_cited
    assert len(cited) == 3
    assert list(cited) == blog_works_cited()  # each whole, the second with its indented line
    assert cited[1].endswith("Homepage. (accessed February 12, 2014).")
    assert cited[2].startswith("Okonkwo , Adaeze .")
    assert '<section class="works-cited"><h2>Works Cited</h2>\n<ul><li>' in parsed.rendered.html

    first, second, third = parsed.comments
    assert [c.number for c in parsed.comments] == [1, 2, 3]
    assert [c.author for c in parsed.comments] == ["Reader 1", "Reader 2", "Reader 3"]
    assert first.text.startswith("After yesterdays seminar I read this post twice.")
    assert first.text.endswith("the fighters won't stay away.")
    assert "(the sweet spot), but what is the evidence for that?" in first.text
    assert "very imporant" in second.text
    assert third.text.endswith("see the force as a puppet of the West.")
    assert [c.text for c in parsed.comments] == blog_comments()
    # The comments are the page's discussion, not part of the reading.
    assert "yesterdays seminar" not in parsed.rendered.text
    assert "yesterdays seminar" not in parsed.source
    # Curly apostrophes and the no-break-space indentation: kept, and collapsed, respectively.
    assert "Chad’s soldiers" in parsed.rendered.text
    assert "in sight. African and western donors" in parsed.rendered.text
    assert parsed.rendered.text.startswith("With the increase of foreign aid")


def test_think_tank_report_with_site_chrome():
    parsed = parse_fixture(texts.REPORT)

    assert parsed.title == "Niger Basin: Dialogue Before Deployment"
    assert parsed.byline == "Sahel Policy Forum"
    assert parsed.date == datetime.date(2014, 6, 3)
    # Seven report paragraphs, plus the site chrome an instructor may trim later: three
    # lines above the title ("Member Sign In", the coalition's name, "PDF Print E-mail")
    # and five below ("Browse Documents by Region:" and the four lines of the address).
    assert parsed.rendered.paragraphs == 15
    assert parsed.rendered.text.startswith("Member Sign In\n")
    assert "Dialogue Before Deployment" not in parsed.rendered.text
    assert "“liberated”" in parsed.rendered.text
    assert "the joint force — slow to assemble" in parsed.rendered.text
    assert "a UN mission – which" in parsed.rendered.text
    assert "will only be temporary. (…)" in parsed.rendered.text
    assert parsed.comments == ()
    assert parsed.rendered.works_cited == ()


def test_news_report_with_bare_headings_and_no_title_line():
    parsed = parse_fixture(texts.NEWS)

    assert parsed.title == "Regional force drawdown 2025"  # from the file name
    assert parsed.date is None
    # One paragraph per line and no blank lines: 19 lines, two of them section headings.
    assert parsed.rendered.paragraphs == 17
    html = parsed.rendered.html
    assert "<h2>Insurgency Across the Niger Basin</h2>" in html
    assert "<h2>What the Drawdown Means for Regional Peacekeeping</h2>" in html
    assert "In Timbuktu (تمبكتو), where" in parsed.rendered.text  # right-to-left, kept as is
    assert parse_document(fixture(texts.NEWS), format="text").title == ""


def test_course_material_with_numbered_headings():
    parsed = parse_fixture(texts.COURSE)

    assert parsed.title == "Peace Operations in the Sahel, Part III"
    assert parsed.date is None
    # 5 paragraphs under "4: Regional response", 4 under "5: Challenges" (the last one cut
    # off mid-sentence), 3 under "6: Conclusion", and the closing signature line.
    assert parsed.rendered.paragraphs == 13
    assert parsed.rendered.text.startswith("4: Regional response\nWhen the fighting")
    html = parsed.rendered.html
    assert "<h2>5: Challenges</h2>" in html and "<h2>6: Conclusion</h2>" in html
    assert "in the way of the people they came to</p>" in html
    assert html.endswith("<p>Colonel Aminata Diallo</p>")
    assert "Se\u0301gou" in parsed.rendered.text  # a combining accent, not normalized away
    assert "Peace Operations in the Sahel, Part III" not in parsed.rendered.text


def test_long_web_article_with_lists_and_chrome():
    parsed = parse_fixture(texts.ARTICLE)

    assert parsed.title == (
        "Understanding Military Coups in the Sahel and What They Mean for Stability"
    )
    assert parsed.date is None
    # 22 prose paragraphs (the "📣 Please Note" disclaimer among them), the two lines that
    # introduce the lists, and the chrome: "Skip to content" and three "See also" lines.
    # The 6 section headings and the 6 list items are not paragraphs.
    assert parsed.rendered.paragraphs == 27
    html = parsed.rendered.html
    assert html.startswith("<p>Skip to content</p>\n<p>📣 Please Note:")
    assert html.count("<h2>") == 6
    assert html.count("<ol>") == 2
    assert "<ol><li>Protecting civilians and UN personnel</li>\n<li>Supporting" in html
    assert "<p>See also A Short Guide to Military Rule in West Africa" in html
    assert "President Modibo Sangaré" in parsed.rendered.text


@pytest.mark.parametrize("name", texts.ALL)
def test_every_reading_keeps_the_canonical_text_contract(name):
    parsed = parse_fixture(name)
    # Every line of the body survives in the text, whitespace collapsed; list numbers are
    # drawn by the browser, outside textContent.
    for line in parsed.source.split("\n"):
        words = re.sub(r"^\s*[0-9]+\.\s", "", line).split()
        assert " ".join(words) in parsed.rendered.text


# Uploads ----------------------------------------------------------------------------------


def test_decode_upload_reads_utf8_and_drops_the_byte_order_mark():
    assert decode_upload("Mali’s “sweet spot” 🙂".encode()) == "Mali’s “sweet spot” 🙂"
    assert decode_upload(b"\xef\xbb\xbfHello") == "Hello"
    assert decode_upload("Hello".encode("utf-16")) == "Hello"
    # Not UTF-8: the encoding is guessed (tests/seminar/test_documents_encodings.py).
    assert decode_upload(b"caf\xe9 au lait") == "café au lait"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b" \n\t\r\n", "The file is empty."),
        ("\u00a0\n".encode(), "The file is empty."),
        (b"\xef\xbb\xbf", "The file is empty."),
        (b"x" * (MAX_BYTES + 1), "The file is larger than 5 MB."),
        (b"PK\x03\x04\x00\x00text", "This looks like a binary file, not text."),
        (b"abc\x01\x02\x03\x04\x05\x06\x07\x08", "This looks like a binary file, not text."),
        (
            b"\xff\xfeA\x00\x00\xd8",
            "The file starts as UTF-16 LE text but is not valid UTF-16 LE."
            " Save it as UTF-8 and try again.",
        ),
    ],
)
def test_decode_upload_refuses_what_is_not_a_text_file(data, message):
    with pytest.raises(TextFormatError) as raised:
        decode_upload(data, filename="reading.txt")
    assert str(raised.value) == message


def test_decode_upload_accepts_exactly_five_megabytes():
    assert len(decode_upload(b"x" * MAX_BYTES)) == MAX_BYTES


def test_format_follows_the_file_extension():
    assert format_for_filename("notes.TXT") == "text"
    assert format_for_filename("a.text") == "text"
    assert format_for_filename("post.md") == "markdown"
    assert format_for_filename("post.markdown") == "markdown"
    assert format_for_filename("C:\\Users\\me\\page.HTM") == "html"
    assert format_for_filename("page.html") == "html"
    for name in ("report.pdf", "essay.docx", "README", ""):
        with pytest.raises(TextFormatError, match=r"\.txt.*\.md.*\.html"):
            format_for_filename(name)


def test_unknown_format_and_empty_body_are_refused():
    with pytest.raises(TextFormatError, match="Unknown format"):
        render_body("Hello", format="docx")
    with pytest.raises(TextFormatError, match="Unknown format"):
        parse_document("Hello", format="rtf")
    with pytest.raises(TextFormatError, match="no text to show after removing unsafe HTML"):
        render_body("<script>alert(1)</script><img src=x onerror=alert(1)>", format="html")
    with pytest.raises(TextFormatError, match="no text to show"):
        render_body(" \u00a0\n\x00", format="text")


# Rendering --------------------------------------------------------------------------------


def test_unsafe_html_is_removed_and_its_text_kept():
    html = (
        '<p onclick="steal()">text</p><script>alert(1)</script><style>p{}</style>'
        '<iframe src="https://evil.example/"></iframe><img src=x onerror="alert(1)">'
        '<p><a href="javascript:alert(1)">click</a> <a href="https://example.org/" '
        'target="_blank" style="color:red">safe</a></p><textarea>typed</textarea>'
    )
    rendered = render_body(html, format="html")
    check_contract(rendered)
    assert rendered.text == "text\nclick safe\ntyped"
    for unsafe in ("script", "alert", "style", "iframe", "img", "onclick", "onerror"):
        assert unsafe not in rendered.html
    assert "javascript" not in rendered.html
    assert (
        '<a href="https://example.org/" rel="noopener noreferrer nofollow">safe</a>'
        in rendered.html
    )


def test_blocks_are_separated_by_one_newline():
    rendered = render_body(
        "<h1>Intro</h1><p>One   two.</p><ul><li>a</li><li>b</li></ul>", format="html"
    )
    assert rendered.html == "<h2>Intro</h2>\n<p>One two.</p>\n<ul><li>a</li>\n<li>b</li></ul>"
    assert rendered.text == "Intro\nOne two.\na\nb"
    assert rendered.paragraphs == 1


@pytest.mark.parametrize(
    ("source", "format", "text"),
    [
        ("Caf\u00e9 &amp; cr\u00e8me &lt;3 &mdash; &#128578; e\u0301", "html", None),
        (
            "<p>“Quoted” — it’s…\u00a0 fine 🙂 e\u0301 &nbsp;</p>",
            "html",
            "“Quoted” — it’s… fine 🙂 e\u0301",
        ),
        (
            "A & B < C > D \"q\" 'a' 🙂 👩🏽‍🔬 e\u0301",
            "markdown",
            "A & B < C > D \"q\" 'a' 🙂 👩🏽‍🔬 e\u0301",
        ),
        ("*em* and **strong** &amp; `<code>`\n\n> quoted\n> text", "markdown", None),
        # Markdown expands tabs; the leading blank line would be dropped by the browser.
        ("```\n\n  indented\n\tcode\n\n```", "markdown", "  indented\n    code"),
        ("<pre><code>\n\tcode\n</code></pre>", "html", "\tcode"),
        (
            "<pre>\n\nkeep   this\n  spacing</pre><p>a <br> b</p>",
            "html",
            "keep   this\n  spacing\na b",
        ),
        ("<table><tr><td>Year</td><td>Event</td></tr><tr><td>2013</td></tr></table>", "html", None),
        ("<p>a<div>b</div>c</p><span><p>d</p></span><li>e</li><ul>f<li>g</li></ul>", "html", None),
        (
            "<b>bold<p>para</p></b><a href='https://x.org'>one<a href='https://y.org'>two</a></a>",
            "html",
            None,
        ),
        ("<ol start='3'><li>three</li></ol><p><button><p>nested</p></button></p>", "html", None),
        (
            "| a | b |\n|---|---|\n| 1 | 2 |\n\nTerm\n:   definition\n\nNote[^1]\n\n[^1]: foot",
            "markdown",
            None,
        ),
    ],
)
def test_tricky_markup_keeps_the_contract(source, format, text):
    rendered = render_body(source, format=format)
    check_contract(rendered)
    if text is not None:
        assert rendered.text == text


def test_html_entities_become_the_characters_they_name():
    rendered = render_body("<p>Caf&eacute; &amp; cr&egrave;me &lt;3 &#128578;</p>", format="html")
    assert rendered.text == "Café & crème <3 🙂"
    assert rendered.html == "<p>Café &amp; crème &lt;3 🙂</p>"


def test_tables_become_paragraphs_in_reading_order():
    rendered = render_body(
        "<table><tr><th>Year</th><th>Event</th></tr><tr><td>2013</td><td>Serval</td></tr></table>",
        format="html",
    )
    assert rendered.html == "<p>Year Event</p>\n<p>2013 Serval</p>"


def test_plain_text_lists_wrapped_paragraphs_and_headings():
    source = (
        "Background\n\n"
        "This paragraph was wrapped by an email client at a fixed width of\n"
        "about seventy characters, so its lines should be joined again into\n"
        "one paragraph.\n\n"
        "  3. third\n  4. fourth\n     continued\n"
        "- bullet one\n• bullet two\n\n"
        "Line one\nLine two"
    )
    rendered = render_body(source, format="text")
    check_contract(rendered)
    assert rendered.html == (
        "<h2>Background</h2>\n"
        "<p>This paragraph was wrapped by an email client at a fixed width of about seventy"
        " characters, so its lines should be joined again into one paragraph.</p>\n"
        '<ol start="3"><li>third</li>\n<li>fourth continued</li></ol>\n'
        "<ul><li>bullet one</li>\n<li>bullet two</li></ul>\n"
        "<p>Line one</p>\n<p>Line two</p>"
    )


def test_plain_text_is_escaped_not_interpreted():
    rendered = render_body("<script>alert('x')</script> & <b>not bold</b>", format="text")
    assert rendered.text == "<script>alert('x')</script> & <b>not bold</b>"
    assert "<script>" not in rendered.html
    check_contract(rendered)


def test_a_numbered_list_ending_an_ordinary_text_is_not_comments():
    source = "Title line here\n\nA first paragraph of the reading, long enough.\n\n1. one\n2. two"
    parsed = parse_document(source, format="text")
    assert parsed.comments == ()
    assert "<ol><li>one</li>\n<li>two</li></ol>" in parsed.rendered.html


def test_numbered_items_after_works_cited_are_comments():
    source = (
        "A paragraph.\n\nReferences:\nSmith, J. A book.\n\n1. First comment\ngoes on.\n\n2. Second."
    )
    parsed = parse_document(source, format="text")
    assert parsed.comments == (
        ReaderComment(1, "Reader 1", "First comment goes on."),
        ReaderComment(2, "Reader 2", "Second."),
    )
    assert parsed.rendered.works_cited == ("Smith, J. A book.",)
    assert render_body(parsed.source, format="text") == parsed.rendered


def test_a_text_that_is_only_a_title_keeps_it_as_the_body():
    parsed = parse_document("Just a title", format="text")
    assert parsed.title == "Just a title"
    assert parsed.rendered.text == "Just a title"


def test_markdown_title_date_and_works_cited():
    source = (
        "# The *Sahel* in 2024\n\nMarch 4, 2013\n\nBody text.\n\n## Works cited\n\n"
        "- Smith, *A book*.\n- Jones, an article.\n"
    )
    parsed = parse_document(source, format="markdown")
    assert parsed.title == "The Sahel in 2024"
    assert parsed.date == datetime.date(2013, 3, 4)
    assert parsed.source.startswith("Body text.")
    assert parsed.rendered.works_cited == ("Smith, A book.", "Jones, an article.")
    assert parsed.rendered.paragraphs == 1
    assert render_body(parsed.source, format="markdown") == parsed.rendered
    check_contract(parsed.rendered)


def test_html_title_from_h1_or_title_element():
    page = (
        "<html><head><title>Tab</title></head><body>\n<h1>The <em>Real</em>\nTitle</h1><p>Body</p>"
    )
    parsed = parse_document(page, format="html")
    assert parsed.title == "The Real Title"
    assert "<h1>" not in parsed.source and "Body" in parsed.source
    assert parsed.rendered.text == "Body"
    assert render_body(parsed.source, format="html") == parsed.rendered
    assert parse_document("<title>Tab</title><p>Body</p>", format="html").title == "Tab"
    assert parse_document("<p>Body</p>", format="html", filename="my_page.html").title == "My page"


@pytest.mark.parametrize(
    "line",
    ["Monday, March 4, 2013", "March 4, 2013", "4 March 2013", "2013-03-04", "Mon. 4th Mar 2013"],
)
def test_date_lines(line):
    parsed = parse_document(f"{line}\n\nA title\n\nThe body.", format="text")
    assert parsed.date == datetime.date(2013, 3, 4)
    assert parsed.title == "A title"


# Properties -------------------------------------------------------------------------------

html_soup = st.lists(
    st.sampled_from(
        ["<p>", "</p>", "<ul>", "</ul>", "<ol start=2>", "<li>", "</li>", "<b>", "</b>", "<em>"]
        + ["<a href='https://x.org'>", "</a>", "<table>", "<tr>", "<td>", "</td>", "<pre>"]
        + ["</pre>", "<br>", "<hr>", "<h1>", "<h3>", "</h3>", "<div>", "</div>", "<blockquote>"]
        + ["<script>", "</script>", "<button>", "<section>", "<figure>", "<figcaption>"]
        + [" ", "\n", "\n\n", "\u00a0", "a", "é", "🙂", "&amp;", "&lt;", "x y", "<!-- c -->"]
    ),
    max_size=30,
).map("".join)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.text(), format=st.sampled_from(FORMATS))
def test_any_text_renders_to_html_whose_text_content_is_text(source, format):
    try:
        rendered = render_body(source, format=format)
    except TextFormatError:
        return
    check_contract(rendered)


@settings(deadline=None)
@given(source=html_soup)
def test_any_tag_soup_renders_to_html_whose_text_content_is_text(source):
    try:
        rendered = render_body(source, format="html")
    except TextFormatError:
        return
    check_contract(rendered)


@settings(deadline=None)
@given(source=st.text(alphabet=st.sampled_from(list("ab1. -*\n\u00a0\t:Z"))))
def test_any_plain_text_layout_parses_consistently(source):
    try:
        parsed = parse_document(source, format="text")
    except TextFormatError:
        return
    check_contract(parsed.rendered)
    assert render_body(parsed.source, format="text") == parsed.rendered
