"""Importing readings: metadata, body HTML, canonical text, works cited and reader comments.

No Django here: the importer is pure Python and these tests need no settings or database.
They run with the suite, or alone without Django (the shared conftest imports models):
``pytest tests/seminar/test_textformats.py -p no:django --noconftest
-W ignore::pytest.PytestConfigWarning``.
"""

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

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
from tests.seminar.blog_seed import blog_comments, blog_works_cited

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEED_NAMES = sorted(path.name for path in SEEDS.glob("*.txt"))

PHRASING = {"p", "h2", "h3", "h4", "h5", "h6", "pre"}
INLINE = {"em", "strong", "i", "b", "u", "s", "sub", "sup", "code", "br", "a", "cite", "q"}
INLINE |= {"abbr", "span"}
BLOCKS = PHRASING | {"ul", "ol", "li", "blockquote", "hr", "figure", "figcaption", "section"}
VOID = {"br", "hr"}


class _TextContent(HTMLParser):
    """What a browser's textContent gives for HTML that the parser need not restructure."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def reference_text(html):
    parser = _TextContent()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


class _ContentModel(HTMLParser):
    """Fails on anything that would make a browser's parser build a different tree.

    Allowed tags and attributes only; nothing block-level inside a paragraph or heading (the
    parser would close it early); li only in lists and lists holding only li; no link in a
    link; between blocks exactly one newline; no newline right after <pre> (it is dropped).
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.after_pre = False

    def handle_starttag(self, tag, attrs):
        assert tag in BLOCKS | INLINE, tag
        attrs = dict(attrs)
        allowed = {"a": {"href", "rel"}, "abbr": {"title"}, "ol": {"start"}, "section": {"class"}}
        assert set(attrs) <= allowed.get(tag, set()), (tag, attrs)
        if tag == "a":
            assert attrs["href"].lower().startswith(("http:", "https:", "mailto:"))
            assert attrs["rel"] == "noopener noreferrer nofollow"
            assert "a" not in self.stack
        if tag == "section":
            assert attrs == {"class": "works-cited"}
        if tag in BLOCKS:
            assert not PHRASING.intersection(self.stack), (tag, self.stack)
            assert not INLINE.intersection(self.stack), (tag, self.stack)
        parent = self.stack[-1] if self.stack else None
        assert (tag == "li") == (parent in ("ul", "ol")), (tag, parent)
        self.after_pre = tag == "pre"
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack.pop() == tag
        self.after_pre = False

    def handle_data(self, data):
        assert not (self.after_pre and data.startswith("\n"))
        self.after_pre = False
        parent = self.stack[-1] if self.stack else None
        if parent is None or parent in ("ul", "ol", "section", "blockquote"):
            assert data == "\n", (parent, data)


def check_contract(rendered):
    """The anchoring contract: `text` is exactly the textContent of `html`."""
    assert reference_text(rendered.html) == rendered.text
    checker = _ContentModel()
    checker.feed(rendered.html)
    checker.close()
    assert checker.stack == []
    assert rendered.paragraphs == rendered.html.count("<p>")


def seed(name):
    return (SEEDS / name).read_text(encoding="utf-8")


def parse_seed(name):
    parsed = parse_document(seed(name), format="text", filename=name)
    check_contract(parsed.rendered)
    assert render_body(parsed.source, format="text") == parsed.rendered
    return parsed


# The seeds --------------------------------------------------------------------------------


def test_blog_post_with_works_cited_and_reader_comments():
    parsed = parse_seed("2013-03-04-mali-security-blog.txt")

    assert parsed.title == "International Involvement and Mali's Security"
    assert parsed.date == datetime.date(2013, 3, 4)
    assert parsed.byline == ""
    # Three indented body paragraphs between the title and "Works Cited".
    assert parsed.rendered.paragraphs == 3
    cited = parsed.rendered.works_cited
    assert len(cited) == 3
    assert list(cited) == blog_works_cited()  # each whole, the second with its indented line
    assert cited[2].startswith("Chrisafis , Angelique .")
    assert '<section class="works-cited"><h2>Works Cited</h2>\n<ul><li>' in parsed.rendered.html

    first, second, third = parsed.comments
    assert [c.number for c in parsed.comments] == [1, 2, 3]
    assert [c.author for c in parsed.comments] == ["Reader 1", "Reader 2", "Reader 3"]
    assert first.text.startswith(
        "After yesterdays class, I found this blog particular interesting."
    )
    assert first.text.endswith("the Ji'Hadists will return.")
    assert "(sweet spot), what is your evidence for this?" in first.text
    assert "very imporant" in second.text
    assert third.text.endswith("puppet nation of the West.")
    assert [c.text for c in parsed.comments] == blog_comments()
    # The comments are the page's discussion, not part of the reading.
    assert "yesterdays class" not in parsed.rendered.text
    assert "yesterdays class" not in parsed.source
    # Curly apostrophes and the no-break-space indentation: kept, and collapsed, respectively.
    assert "Chad’s armed forces" in parsed.rendered.text
    assert "in sight. African and western nations" in parsed.rendered.text
    assert parsed.rendered.text.startswith("With the increase of foreign aid")


def test_think_tank_report_with_site_chrome():
    parsed = parse_seed("crisis-group-2013-security-dialogue-reform.txt")

    assert parsed.title == "Mali: Security, Dialogue and Meaningful Reform"
    assert parsed.byline == "International Crisis Group"
    assert parsed.date == datetime.date(2013, 4, 11)
    # Seven report paragraphs, plus the site chrome an instructor may trim later: three
    # lines above the title ("Member Sign In", the coalition's name, "PDF Print E-mail")
    # and two blocks below ("Browse Documents by Region:" and the address block).
    assert parsed.rendered.paragraphs == 12
    assert parsed.rendered.text.startswith("Member Sign In\n")
    assert "Meaningful Reform" not in parsed.rendered.text
    assert "“liberated”" in parsed.rendered.text
    assert "mission – which" in parsed.rendered.text
    assert "will only be temporary. (…)" in parsed.rendered.text
    assert parsed.comments == ()
    assert parsed.rendered.works_cited == ()


def test_news_report_with_bare_headings_and_no_title_line():
    parsed = parse_seed("minusma-withdrawal-2024.txt")

    assert parsed.title == "Minusma withdrawal 2024"  # from the file name
    assert parsed.date is None
    # One paragraph per line and no blank lines: 23 lines, two of them section headings.
    assert parsed.rendered.paragraphs == 21
    html = parsed.rendered.html
    assert "<h2>The Complexities of Jihadist Insurgency in the Sahel Region</h2>" in html
    assert "<h2>MINUSMA’s Departure from Mali Marks Uncertain Future for Peacekeeping" in html
    assert parse_document(seed("minusma-withdrawal-2024.txt"), format="text").title == ""


def test_course_material_with_numbered_headings():
    parsed = parse_seed("international-peace-operations-part-2.txt")

    assert parsed.title == "International Peace Operations Part II"
    assert parsed.date is None
    # 5 paragraphs under "5: International response", 4 under "6: Challenges", 3 under
    # "7: Conclusion", and the closing signature line.
    assert parsed.rendered.paragraphs == 13
    assert parsed.rendered.text.startswith("5: International response\nAfter the campaign")
    html = parsed.rendered.html
    assert "<h2>6: Challenges</h2>" in html and "<h2>7: Conclusion</h2>" in html
    assert html.endswith("<p>General Jean Bosco Kazura</p>")
    assert "International Peace Operations Part II" not in parsed.rendered.text


def test_long_web_article_with_lists_and_chrome():
    parsed = parse_seed("military-interventions-in-mali.txt")

    assert parsed.title == "Analyzing Military Interventions in Mali and Their Impact on Stability"
    assert parsed.date is None
    # 42 prose paragraphs (the "📣 Please Note" disclaimer among them), "Key aspects of
    # MINUSMA’s role include:", and the chrome: "Skip to content" and three "See also" lines.
    # The 12 section headings and the 6 list items are not paragraphs.
    assert parsed.rendered.paragraphs == 47
    html = parsed.rendered.html
    assert html.startswith("<p>Skip to content</p>\n<p>📣 Please Note:")
    assert html.count("<h2>") == 12
    assert html.count("<ol>") == 2
    assert "<ol><li>Protecting civilians and UN personnel</li>\n<li>Supporting" in html
    assert "<p>See also An In-Depth Pakistani Military Coups Overview" in html
    assert "President Moussa Traoré" in parsed.rendered.text


@pytest.mark.parametrize("name", SEED_NAMES)
def test_every_seed_keeps_the_canonical_text_contract(name):
    parsed = parse_seed(name)
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
            b"caf\xe9 au lait",
            "The file is not valid UTF-8 text (bad byte at position 3)."
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
