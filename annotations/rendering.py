"""Markdown that people write in comments and critiques, rendered to safe HTML.

Markdown is rendered first, then nh3 keeps only harmless tags and attributes: user HTML is
never trusted, and links open with rel="noopener noreferrer nofollow".
"""

import re

import markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import LINK_RE, LinkInlineProcessor
from markdown.treeprocessors import Treeprocessor

MAX_TEXT_CHARS = 10_000

ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "del",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

# What a browser ignores in a URL's scheme ("java\tscript:" is "javascript:").
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


def _allowed_href(href):
    """A relative URL or one whose scheme is in URL_SCHEMES."""
    m = _SCHEME.match(_IGNORED_IN_SCHEME.sub("", href or ""))
    return m is None or m.group(1).lower() in URL_SCHEMES


def _unlink(el):
    # An element nh3 does not allow: it drops the tag and keeps the words inside it.
    el.tag = "span"
    el.attrib.clear()


class _LinkProcessor(LinkInlineProcessor):
    """Inline links; one with a disallowed scheme becomes its plain text.

    Markdown reads `[js](javascript:alert("x"))` as a link to `javascript:alert(` titled
    "x", leaving a stray ")": a refused link ends at its balanced closing parenthesis.
    """

    def handleMatch(self, m, data):
        el, start, end = super().handleMatch(m, data)
        if el is None or _allowed_href(el.get("href")):
            return el, start, end
        _unlink(el)
        _, opening, _ = self.getText(data, m.end(0))  # where the "(" of the link is
        depth = 0
        for pos in range(opening, len(data)):
            depth += {"(": 1, ")": -1}.get(data[pos], 0)
            if depth == 0:
                return el, start, pos + 1
        return el, start, end


class _UnlinkTreeprocessor(Treeprocessor):
    """Reference links (`[text][ref]`) with a disallowed scheme become their plain text."""

    def run(self, root):
        for el in root.iter("a"):
            if not _allowed_href(el.get("href")):
                _unlink(el)


class _SafeLinks(Extension):
    def extendMarkdown(self, md):
        md.inlinePatterns.register(_LinkProcessor(LINK_RE, md), "link", 160)
        md.treeprocessors.register(_UnlinkTreeprocessor(md), "unlink", 0)


def render_markdown(text):
    html = markdown.markdown(text, extensions=["sane_lists", _SafeLinks()], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
