"""A reading's body as a block tree, and the single walk that gives both its HTML and its text.

The browser shows a reading's body as HTML inside a container; annotations point into the
body's *canonical text*, the exact ``textContent`` of that container, in code points (see
"Anchoring contract" in DESIGN.md). Both strings come out of one walk over one tree, so
they cannot disagree, and the tree is kept to a small content model that an HTML parser
rebuilds exactly as written:

* flow containers (the body, ``blockquote``, ``section``, ``figure``, ``figcaption``, ``li``)
  hold blocks and, in ``li``/``figure``/``figcaption``, bare inline runs; neighbouring
  items are separated by exactly one ``"\\n"`` text node, and nothing else sits between tags;
* phrasing blocks (``p``, ``h2``-``h6``, ``pre``) hold inline content only, because a block
  start tag inside them would make the parser close them early and reorder the text;
* lists hold only ``li``, a link never holds a link, and there are no tables (the parser
  moves stray table text around), no ``textarea`` and no other element outside the list
  below;
* a page boundary of a PDF is ``<span class="page-mark" data-page="12"></span>``, an empty
  inline element: it holds no text, so the canonical text does not see it, and the page
  number is drawn by the style sheet (generated content is not ``textContent``);
* whitespace inside a phrasing block is collapsed to single spaces and trimmed (a no-break
  space counts as whitespace), because that is what a reader sees and what a selection gives
  back; ``pre`` keeps its whitespace but loses leading newlines, since the parser drops the
  first one.

Input arrives as an arbitrary tree, from the sanitizer (HTML and Markdown) or from the
plain-text reader, and is normalized into this model before it is serialized.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown
import nh3

LINK_REL = "noopener noreferrer nofollow"
PAGE_MARK = "page-mark"  # the class of a page boundary's marker

# Headings that open a reading's list of sources, alone on their line.
WORKS_CITED_HEADING = re.compile(
    r"\s*(?:works\s+cited|references|bibliography|sources)\s*:?\s*", re.IGNORECASE
)

PHRASING_BLOCKS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "pre"})
HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
LISTS = frozenset({"ul", "ol"})
# The value says whether bare text in the container becomes a paragraph of its own.
FLOW_CONTAINERS = {
    "blockquote": True,
    "section": True,
    "figure": False,
    "figcaption": False,
    "li": False,
}
INLINE = frozenset(
    {"em", "strong", "i", "b", "u", "s", "sub", "sup", "code", "a", "cite", "q", "abbr", "span"}
    | {"br"}
)
VOID = frozenset({"br", "hr"})

# Structure the sanitizer keeps only so that it can become block boundaries here: without
# them, "<div>a</div><div>b</div>" would read "ab". None of them reaches the output.
_TRANSPARENT = frozenset(
    {"div", "article", "header", "footer", "main", "aside", "nav", "address", "hgroup"}
    | {"details", "center", "table", "thead", "tbody", "tfoot", "td", "th", "dl", "fieldset"}
)
_RENAMED = {"h1": "h2", "caption": "p", "dt": "p", "dd": "p", "summary": "p", "dir": "ul"}
_BLOCKISH = (
    PHRASING_BLOCKS
    | LISTS
    | frozenset(FLOW_CONTAINERS)
    | _TRANSPARENT
    | frozenset(_RENAMED)
    | {"hr", "tr"}
)

_NH3_TAGS = INLINE | _BLOCKISH
_NH3_DROP_WITH_CONTENT = frozenset(
    {"script", "style", "template", "title", "iframe", "object", "embed", "applet"}
    | {"noembed", "noframes", "noscript", "frameset", "svg", "math"}
)
_NH3_ATTRIBUTES = {"a": {"href"}, "abbr": {"title"}, "ol": {"start"}, "span": {"data-page"}}
_NH3_ATTRIBUTE_VALUES = {"span": {"class": {PAGE_MARK}}}
# A page label as PDFs print them: "12", "xiv", "A-3".
_PAGE_LABEL = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-]{0,15}")
_URL_SCHEMES = {"http", "https", "mailto"}
_SAFE_HREF = re.compile(r"(?:https?|mailto):", re.IGNORECASE)
# "md_in_html" is the one part of "extra" left out: it re-parses raw HTML blocks as Markdown.
_MARKDOWN_EXTENSIONS = ["abbr", "attr_list", "def_list", "fenced_code", "footnotes", "tables"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff]")
_SPACE = re.compile(r"[ \t\n\f\u00a0]+")
# Keeps the recursive walks far from Python's recursion limit on pathological nesting.
_MAX_DEPTH = 64


class Element:
    """An element of the body tree; children are strings (text) and elements."""

    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict[str, str] | None = None, children=None):
        self.tag = tag
        self.attrs = attrs or {}
        self.children = list(children or ())

    def __repr__(self) -> str:
        return f"Element({self.tag!r}, {self.attrs!r}, {self.children!r})"


class Run:
    """Inline content standing directly in a flow container, such as a list item's text."""

    __slots__ = ("nodes",)

    def __init__(self, nodes):
        self.nodes = list(nodes)


@dataclass(frozen=True)
class Rendered:
    html: str  # sanitized body HTML
    text: str  # canonical text == textContent of a <div> whose innerHTML is `html`
    works_cited: tuple[str, ...]
    paragraphs: int  # number of <p> elements in the body (works-cited entries are not <p>)


def normalize(text: str) -> str:
    """Line ends to "\\n"; C0 controls other than tab and newline (and lone surrogates) dropped.

    Browsers drop NUL and rewrite CR themselves, so keeping either would make the stored text
    differ from what the page holds; the other controls are invisible noise from copy-paste.
    """
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def collapse_spaces(text: str) -> str:
    return _SPACE.sub(" ", text).strip(" ")


def render_html(source: str) -> Rendered:
    """Sanitize untrusted HTML and render it; `source` must already be normalized."""
    cleaned = nh3.clean(
        source,
        tags=set(_NH3_TAGS),
        clean_content_tags=set(_NH3_DROP_WITH_CONTENT),
        attributes=_NH3_ATTRIBUTES,
        tag_attribute_values=_NH3_ATTRIBUTE_VALUES,
        url_schemes=_URL_SCHEMES,
        url_relative="deny",
        link_rel=LINK_REL,
        strip_comments=True,
    )
    builder = _TreeBuilder()
    builder.feed(cleaned)
    builder.close()
    return render_tree(builder.root.children)


def render_markdown(source: str) -> Rendered:
    """Render Markdown, then treat the result as untrusted HTML (Markdown passes raw HTML on)."""
    return render_html(markdown.markdown(source, extensions=_MARKDOWN_EXTENSIONS))


def render_tree(nodes: list) -> Rendered:
    """Normalize an arbitrary tree into the content model and serialize it."""
    items = _finish(_flow(nodes, wrap=True))
    html, text = _serialize(items)
    return Rendered(
        html=html, text=text, works_cited=_works_cited(items), paragraphs=_count_p(items)
    )


class _TreeBuilder(HTMLParser):
    """Rebuilds the sanitizer's (always well-formed) output as a tree of Elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root")
        self._stack = [self.root]
        self._ignored = 0

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs})
        if tag in VOID:
            self._stack[-1].children.append(element)
        elif len(self._stack) > _MAX_DEPTH:
            self._ignored += 1
        else:
            self._stack[-1].children.append(element)
            self._stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self._stack[-1].children.append(Element(tag, {n: v or "" for n, v in attrs}))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self._ignored:
            self._ignored -= 1
            return
        for depth in range(len(self._stack) - 1, 0, -1):
            if self._stack[depth].tag == tag:
                del self._stack[depth:]
                return

    def handle_data(self, data):
        self._stack[-1].children.append(data)


def _block_tag(element: Element) -> str | None:
    """The tag an element stands for in the model, or None for inline (or unknown) ones."""
    tag = _RENAMED.get(element.tag, element.tag)
    if tag == "section" and element.attrs.get("class") != "works-cited":
        return "div"
    return tag if tag in _BLOCKISH else None


def _has_block(element: Element) -> bool:
    return any(
        isinstance(child, Element) and (_block_tag(child) or _has_block(child))
        for child in element.children
    )


def _flow(nodes: list, *, wrap: bool) -> list:
    """Normalize the content of a flow container into a list of blocks and Runs."""
    items: list = []
    run: list = []

    def flush():
        if run:
            items.append(Element("p", children=run) if wrap else Run(run))
            run.clear()

    def visit(node):
        if isinstance(node, str):
            run.append(node)
            return
        tag = _block_tag(node)
        if tag is None:
            if _has_block(node):
                # An inline element around blocks gives up its formatting: kept, it would
                # put blocks inside a paragraph once it sits in one.
                for child in node.children:
                    visit(child)
            else:
                run.extend(_inline(node, in_link=False))
            return
        flush()
        if tag in _TRANSPARENT:
            for child in node.children:
                visit(child)
            flush()
        elif tag == "tr":
            # A table row reads best as one paragraph, its cells separated by a space.
            cells = []
            for cell in node.children:
                cells.extend(cell.children if isinstance(cell, Element) else [cell])
                cells.append(" ")
            visit(Element("p", children=cells))
        elif tag in PHRASING_BLOCKS:
            for item in _flow(node.children, wrap=False):
                items.append(Element(tag, children=item.nodes) if isinstance(item, Run) else item)
        elif tag in LISTS:
            items.append(_list(tag, node))
        elif tag == "li":
            if items and isinstance(items[-1], Element) and items[-1].tag in LISTS:
                items[-1].children.append(Element("li", children=_flow(node.children, wrap=False)))
            else:
                items.append(_list("ul", Element("ul", children=[node])))
        elif tag in FLOW_CONTAINERS:
            attrs = {"class": "works-cited"} if tag == "section" else {}
            items.append(Element(tag, attrs, _flow(node.children, wrap=FLOW_CONTAINERS[tag])))
        elif tag == "hr":
            items.append(Element("hr"))

    for node in nodes:
        visit(node)
    flush()
    return items


def _list(tag: str, node: Element) -> Element:
    attrs = {}
    start = node.attrs.get("start", "").strip()
    if tag == "ol" and re.fullmatch(r"-?[0-9]{1,9}", start) and int(start) != 1:
        attrs["start"] = str(int(start))
    items: list[Element] = []
    stray: list = []

    def flush_stray():
        # Content outside any <li> still has to be inside one to stay in the list.
        if stray:
            items.append(Element("li", children=_flow(stray, wrap=False)))
            stray.clear()

    for child in node.children:
        if isinstance(child, Element) and child.tag == "li":
            flush_stray()
            items.append(Element("li", children=_flow(child.children, wrap=False)))
        else:
            stray.append(child)
    flush_stray()
    return Element(tag, attrs, items)


def _inline(node: Element, *, in_link: bool) -> list:
    """Clean an inline element (known to hold no blocks): the list that stands in its place."""
    tag = node.tag
    attrs: dict[str, str] = {}
    if tag == "a":
        href = node.attrs.get("href", "").strip()
        if in_link or not _SAFE_HREF.match(href):
            tag = ""  # unwrapped: a link without a safe target is just its text
        else:
            attrs = {"href": href, "rel": LINK_REL}
    elif tag == "abbr" and node.attrs.get("title"):
        attrs = {"title": node.attrs["title"]}
    elif _is_page_mark(node):
        return [Element("span", {"class": PAGE_MARK, "data-page": node.attrs["data-page"]})]
    if tag == "br":
        return [Element("br")]
    children: list = []
    for child in node.children:
        if isinstance(child, str):
            children.append(child)
        else:
            children.extend(_inline(child, in_link=in_link or tag == "a"))
    if tag not in INLINE:
        return children
    return [Element(tag, attrs, children)]


def _is_page_mark(node: Element) -> bool:
    # Only an empty one: a "marker" holding text would hide that text from the reader.
    return (
        node.tag == "span"
        and not node.children
        and node.attrs.get("class") == PAGE_MARK
        and bool(_PAGE_LABEL.fullmatch(node.attrs.get("data-page", "")))
    )


def _finish(items: list) -> list:
    """Settle whitespace in every block and drop blocks left without text."""
    done = []
    for item in items:
        if isinstance(item, Run):
            nodes = _collapse(item.nodes)
            if nodes:
                done.append(Run(nodes))
        elif item.tag == "hr":
            done.append(item)
        elif item.tag in PHRASING_BLOCKS:
            nodes = _trim_pre(item.children) if item.tag == "pre" else _collapse(item.children)
            if nodes:
                done.append(Element(item.tag, item.attrs, nodes))
        else:
            children = _finish(item.children)
            if children:
                done.append(Element(item.tag, item.attrs, children))
    return done


def _collapse(nodes: list) -> list:
    """Collapse whitespace across the inline content of one block, trimming both ends."""
    after_space = True  # at the block's start, as after a space: leading whitespace goes

    def walk(nodes):
        nonlocal after_space
        out = []
        for node in nodes:
            if isinstance(node, str):
                text = _SPACE.sub(" ", node)
                if after_space and text.startswith(" "):
                    text = text[1:]
                if text:
                    out.append(text)
                    after_space = text.endswith(" ")
            elif node.tag == "br" or _is_page_mark(node):
                out.append(node)
            else:
                children = walk(node.children)
                if children:
                    out.append(Element(node.tag, node.attrs, children))
        return out

    collapsed = walk(nodes)
    _strip_end(collapsed, " ")
    return collapsed if _has_text(collapsed) else []


def _trim_pre(nodes: list) -> list:
    trimmed = _copy(nodes)
    _strip_start(trimmed, "\n")
    _strip_end(trimmed, " \t\n")
    return trimmed if _has_text(trimmed) else []


def _copy(nodes: list) -> list:
    return [n if isinstance(n, str) else Element(n.tag, n.attrs, _copy(n.children)) for n in nodes]


def _strip_end(nodes: list, chars: str) -> bool:
    """Strip `chars` (and <br>) from the end of the inline content; True once text remains."""
    while nodes:
        last = nodes[-1]
        if isinstance(last, str):
            nodes[-1] = last.rstrip(chars)
            if nodes[-1]:
                return True
        elif last.tag != "br" and _strip_end(last.children, chars):
            return True
        nodes.pop()
    return False


def _strip_start(nodes: list, chars: str) -> bool:
    while nodes:
        first = nodes[0]
        if isinstance(first, str):
            nodes[0] = first.lstrip(chars)
            if nodes[0]:
                return True
        elif first.tag == "br" or _strip_start(first.children, chars):
            return True
        del nodes[0]
    return False


def _has_text(nodes: list) -> bool:
    return any((node if isinstance(node, str) else _has_text(node.children)) for node in nodes)


def _escape(text: str, *, quote: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def _serialize(items: list) -> tuple[str, str]:
    html: list[str] = []
    text: list[str] = []

    def put_text(data: str):
        html.append(_escape(data))
        text.append(data)

    def flow(items):
        for index, item in enumerate(items):
            if index:
                put_text("\n")
            if isinstance(item, Run):
                inline(item.nodes)
            else:
                element(item)

    def inline(nodes):
        for node in nodes:
            if isinstance(node, str):
                put_text(node)
            else:
                element(node)

    def element(el: Element):
        attrs = "".join(
            f' {name}="{_escape(value, quote=True)}"' for name, value in el.attrs.items()
        )
        html.append(f"<{el.tag}{attrs}>")
        if el.tag in VOID:
            return
        if el.tag in FLOW_CONTAINERS or el.tag in LISTS:
            flow(el.children)
        else:
            inline(el.children)
        html.append(f"</{el.tag}>")

    flow(items)
    return "".join(html), "".join(text)


def _works_cited(items: list) -> tuple[str, ...]:
    """Entries of the last list that directly follows a "Works Cited"-like heading."""
    found: tuple[str, ...] = ()
    for index, item in enumerate(items):
        if not isinstance(item, Element):
            continue
        if item.tag in FLOW_CONTAINERS:
            found = _works_cited(item.children) or found
        following = items[index + 1] if index + 1 < len(items) else None
        if (
            item.tag in HEADINGS
            and isinstance(following, Element)
            and following.tag in LISTS
            and WORKS_CITED_HEADING.fullmatch(_serialize([item])[1])
        ):
            found = tuple(collapse_spaces(_serialize([li])[1]) for li in following.children)
    return found


def _count_p(items: list) -> int:
    count = 0
    for item in items:
        if isinstance(item, Element):
            if item.tag == "p":
                count += 1
            elif item.tag not in PHRASING_BLOCKS:
                count += _count_p(item.children)
    return count
