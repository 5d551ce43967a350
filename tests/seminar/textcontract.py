"""The anchoring contract checked without a browser: `text` is the textContent of `html`.

A stand-in for the browser's parser, strict enough that HTML passing it builds the same tree
in Chromium (tests/browser/test_reading_page.py asserts the equality there). Used by the
importer's tests and by the corpus suite. No Django here.
"""

from html.parser import HTMLParser

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
        allowed["span"] = {"class", "data-page"}  # a page boundary's empty marker
        assert set(attrs) <= allowed.get(tag, set()), (tag, attrs)
        if tag == "a":
            assert attrs["href"].lower().startswith(("http:", "https:", "mailto:"))
            assert attrs["rel"] == "noopener noreferrer nofollow"
            assert "a" not in self.stack
        if tag == "section":
            assert attrs == {"class": "works-cited"}
        if tag == "span" and attrs:
            assert attrs["class"] == "page-mark" and attrs["data-page"], attrs
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
