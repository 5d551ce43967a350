"""Markdown that people write in comments and critiques, rendered to safe HTML.

Markdown is rendered first, then nh3 keeps only harmless tags and attributes: user HTML is
never trusted, and links open with rel="noopener noreferrer nofollow".

A mention of a member, written "@[member:<membership id>]" (annotations/mentions.py), is
stored as an empty chip, `<span class="mention" data-member="12"></span>`, that the presenter
fills with the name each viewer may see (`fill_mentions`): the stored HTML names nobody. Only
this module writes that markup; nh3 lets no one else write a class or a data attribute.

Python-Markdown looks for the "]" of every "[" (and the ")" of every "](") by scanning on to
the end of the text, so an unbroken run of brackets costs the square of its length: 10,000
"[" kept a worker busy for over half a minute. The link patterns here find each closing
bracket in one pass over the text instead, with the same results.
"""

import html
import re
import secrets
import threading
from collections.abc import Mapping
from functools import lru_cache
from xml.etree import ElementTree

import markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import (
    IMAGE_LINK_RE,
    IMAGE_REFERENCE_RE,
    LINK_RE,
    REFERENCE_RE,
    ImageInlineProcessor,
    ImageReferenceInlineProcessor,
    InlineProcessor,
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortImageReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
)
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

# A mention as written (docs/api.md); the id is the Membership's, never the user's, so the
# same person cannot be matched across seminars that show different names.
MENTION = re.compile(r"@\[member:(\d{1,12})\]")
CHIP = re.compile(r'<span class="mention" data-member="(\d+)"></span>')
FORMER_MEMBER = "Former member"

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


@lru_cache(maxsize=8)
def _pairs(data, opening, closing):
    """{index of an opening bracket: index of the one that closes it}, nesting counted."""
    pairs, stack = {}, []
    for pos, char in enumerate(data):
        if char == opening:
            stack.append(pos)
        elif char == closing and stack:
            pairs[stack.pop()] = pos
    return pairs


class _LinearBrackets:
    """getText and getLink of Python-Markdown's link patterns, from the text's bracket pairs.

    Every pattern asks about the same text many times over (each "[" in it, then again from
    the next pattern), hence the cache of pairs.
    """

    def getText(self, data, index):
        # `index` is just after a "[": the text runs to the "]" that closes it.
        if index == 0 or data[index - 1] != "[":
            return super().getText(data, index)
        close = _pairs(data, "[", "]").get(index - 1)
        if close is None:
            return data[index:], len(data), False
        return data[index:close], close + 1, True

    def getLink(self, data, index):
        # A quote may start a title, whose parentheses do not count: those cases (and the
        # "<href>" form) are Python-Markdown's own to read.
        opening = self.RE_LINK.match(data, pos=index)
        if not opening or opening.group(1):
            return super().getLink(data, index)
        close = _pairs(data, "(", ")").get(index)
        end = len(data) if close is None else close
        if data.find("'", index, end) >= 0 or data.find('"', index, end) >= 0:
            return super().getLink(data, index)
        if close is None:
            return "", None, index, False
        return self.unescape(data[opening.end() : close]).strip(), None, close + 1, True


class _LinkProcessor(_LinearBrackets, LinkInlineProcessor):
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


def _linear(processor):
    return type(processor.__name__, (_LinearBrackets, processor), {})


class _SafeLinks(Extension):
    def extendMarkdown(self, md):
        # Python-Markdown's own names and priorities, so each replaces its original.
        patterns = md.inlinePatterns
        patterns.register(_linear(ReferenceInlineProcessor)(REFERENCE_RE, md), "reference", 170)
        patterns.register(_LinkProcessor(LINK_RE, md), "link", 160)
        patterns.register(_linear(ImageInlineProcessor)(IMAGE_LINK_RE, md), "image_link", 150)
        patterns.register(
            _linear(ImageReferenceInlineProcessor)(IMAGE_REFERENCE_RE, md), "image_reference", 140
        )
        patterns.register(
            _linear(ShortReferenceInlineProcessor)(REFERENCE_RE, md), "short_reference", 130
        )
        patterns.register(
            _linear(ShortImageReferenceInlineProcessor)(IMAGE_REFERENCE_RE, md),
            "short_image_ref",
            125,
        )
        md.treeprocessors.register(_UnlinkTreeprocessor(md), "unlink", 0)


class _MentionProcessor(InlineProcessor):
    """A mention becomes `<data value="<nonce>:<id>">`: nh3 keeps that value only with this
    render's nonce (`md.mention_nonce`), so a `<data>` (or a chip) typed into the text never
    passes for one."""

    def handleMatch(self, m, data):
        el = ElementTree.Element("data")
        el.set("value", f"{self.md.mention_nonce}:{int(m.group(1))}")
        return el, m.start(0), m.end(0)


class _Mentions(Extension):
    def extendMarkdown(self, md):
        # Above reference links (170): "[member:1]" must not become a link someone defined;
        # below code spans (190): a mention in `code` stays the words typed.
        md.inlinePatterns.register(_MentionProcessor(MENTION.pattern, md), "mention", 175)


def _paragraphs(text, nonce):
    """The text as written, in paragraphs: for what Markdown cannot parse."""
    blocks = (block.strip() for block in text.split("\n\n"))
    marker = rf'<data value="{nonce}:\1"></data>'
    return "".join(
        f"<p>{MENTION.sub(marker, html.escape(block)).replace(chr(10), '<br>')}</p>"
        for block in blocks
        if block
    )


_renderers = threading.local()
_NONCED = re.compile(r"([0-9a-f]{16}):([0-9]+)")
_CHIP_DATA = re.compile(r'<data value="([0-9a-f]{16}):([0-9]+)"></data>')


def _ours(value, nonce):
    """A `<data>` value this render wrote: "<nonce>:<digits>"."""
    m = _NONCED.fullmatch(value)
    return m is not None and m.group(1) == nonce


def _markdown():
    """This thread's Markdown converter: making one (its extensions, patterns and parsers)
    cost six times as much as converting a critique with it, on every post."""
    md = getattr(_renderers, "md", None)
    if md is None:
        md = markdown.Markdown(
            extensions=["sane_lists", _SafeLinks(), _Mentions()], output_format="html"
        )
        _renderers.md = md
    return md


def render_markdown(text):
    nonce = secrets.token_hex(8)
    md = _markdown()
    md.mention_nonce = nonce
    try:
        rendered = md.reset().convert(text)
    except RecursionError:
        # Lists nested a thousand deep ("* * * * …") go past Python's stack. The converter
        # stopped halfway: the next text gets a new one.
        _renderers.md = None
        rendered = _paragraphs(text, nonce)
    # Patterns made once, not per nonce: compiling two for each post cost as much as the
    # rest of the rendering.
    cleaned = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS | {"data"},
        attributes={**ALLOWED_ATTRIBUTES, "data": {"value"}},
        attribute_filter=lambda tag, attr, value: (
            value if tag != "data" or _ours(value, nonce) else None
        ),
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    cleaned = _CHIP_DATA.sub(
        lambda m: (
            f'<span class="mention" data-member="{m.group(2)}"></span>'
            if m.group(1) == nonce
            else m.group(0)
        ),
        cleaned,
    )
    # A <data> someone typed, stripped of its value by nh3: its words stay, not the tag.
    return re.sub(r"</?data>", "", cleaned)


def mentioned_ids(text):
    """The membership ids a text mentions, in the order first written."""
    return list(dict.fromkeys(int(m.group(1)) for m in MENTION.finditer(text or "")))


def fill_mentions(html_text, names: Mapping[int, str]):
    """The stored HTML with each chip holding "@Name", `names` being {membership id: the
    name this viewer sees}; a member who left is a former member."""
    if 'class="mention"' not in html_text:
        return html_text
    return CHIP.sub(
        lambda m: (
            '<span class="mention">@'
            + html.escape(names.get(int(m.group(1)), FORMER_MEMBER))
            + "</span>"
        ),
        html_text,
    )


def mention_text(text, names: Mapping[int, str]):
    """The text as written, each mention "@Name" as this reader sees it: for excerpts and
    the plain formats (CSV, Markdown), which must show neither a token nor a hidden name."""
    if "@[member:" not in text:
        return text
    return MENTION.sub(lambda m: "@" + names.get(int(m.group(1)), FORMER_MEMBER), text)
