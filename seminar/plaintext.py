"""Plain-text readings: how an instructor's pasted lines become paragraphs, headings and lists.

Readings arrive as text copied from blogs, web pages and reports, so the layout conventions
are loose and this reader is forgiving rather than strict:

* Blank lines separate blocks; a line holding only spaces or no-break spaces counts as blank
  (sites use those as spacers). Indentation carries no meaning for paragraphs.
* Within a block, lines that look hard-wrapped (two or more, none over 80 characters, all but
  the last at least 45) join into one paragraph; otherwise every line is a block of its own,
  since many pages put one paragraph per line and no blank line between them.
* "1. item" / "2) item" lines make an ordered list, "- item", "* item" and "• item" a bullet
  list; a more deeply indented line continues the item above it.
* A short line standing alone that reads like a title (capital or digit first, no closing
  punctuation) and introduces prose, a list or another heading becomes a heading.
* A "Works Cited" line (or "References", "Bibliography", "Sources") starts the list of
  sources, which runs to the end; an indented line continues the entry above it.

The result is a raw tree for seminar.textblocks, which owns HTML and canonical text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from seminar.textblocks import WORKS_CITED_HEADING, Element, collapse_spaces

ORDERED_ITEM = re.compile(r"^\s*([0-9]{1,9})[.)]\s+(?=\S)")
BULLET_ITEM = re.compile(r"^\s*[-*•]\s+(?=\S)")

# Navigation text that scraped pages carry above or between the reading; such a line is
# never the reading's title nor a heading.
SITE_CHROME = frozenset(
    {"skip to content", "skip to main content", "skip to navigation", "menu", "search"}
    | {"member sign in", "sign in", "log in", "pdf print e-mail", "print e-mail"}
)
_CHROME_PREFIXES = ("see also", "read more:", "related:")

_CLOSING_PUNCTUATION = re.compile(r"[.,;:!?…][\"'”’»)\]]*$")
_HEADING_MAX = 100
_WRAP_MAX = 80
_WRAP_MIN = 45


def is_blank(line: str) -> bool:
    return not line.strip()


def is_chrome(line: str) -> bool:
    text = collapse_spaces(line).casefold()
    return text in SITE_CHROME or text.startswith(_CHROME_PREFIXES)


def works_cited_start(lines: list[str]) -> int | None:
    """Index of the last works-cited heading line that has at least one line after it."""
    seen_content = False
    for index in range(len(lines) - 1, -1, -1):
        if seen_content and WORKS_CITED_HEADING.fullmatch(lines[index]):
            return index
        seen_content = seen_content or not is_blank(lines[index])
    return None


def read_plain(text: str) -> list[Element]:
    """The raw block tree of a normalized plain-text body."""
    lines = text.split("\n")
    cited_at = works_cited_start(lines)
    body = lines if cited_at is None else lines[:cited_at]
    nodes = _elements(_blocks(body))
    if cited_at is not None:
        nodes.append(_works_cited(lines[cited_at], lines[cited_at + 1 :]))
    return nodes


@dataclass
class _Block:
    kind: str  # "line" (one source line), "para" (joined lines), "ordered" or "bullet"
    text: str
    number: int = 0


def _blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    group: list[str] = []
    for line in [*lines, ""]:
        if is_blank(line):
            blocks.extend(_group_blocks(group))
            group = []
        else:
            group.append(line)
    return blocks


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _group_blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    plain: list[str] = []
    item: _Block | None = None
    item_indent = 0
    for line in lines:
        ordered = ORDERED_ITEM.match(line)
        bullet = None if ordered else BULLET_ITEM.match(line)
        if ordered or bullet:
            blocks.extend(_plain_blocks(plain))
            plain = []
            match = ordered or bullet
            item = _Block(
                "ordered" if ordered else "bullet",
                line[match.end() :],
                int(ordered.group(1)) if ordered else 0,
            )
            item_indent = _indent(line)
            blocks.append(item)
        elif item is not None and _indent(line) > item_indent:
            item.text += " " + line
        else:
            item = None
            plain.append(line)
    blocks.extend(_plain_blocks(plain))
    return blocks


def _plain_blocks(lines: list[str]) -> list[_Block]:
    stripped = [collapse_spaces(line) for line in lines]
    hard_wrapped = (
        len(stripped) >= 2
        and all(len(line) <= _WRAP_MAX for line in stripped)
        and all(len(line) >= _WRAP_MIN for line in stripped[:-1])
    )
    if hard_wrapped:
        return [_Block("para", " ".join(stripped))]
    return [_Block("line", line) for line in stripped]


def _heading_candidate(block: _Block) -> bool:
    text = block.text
    return (
        block.kind == "line"
        and len(text) <= _HEADING_MAX
        and (text[:1].isupper() or text[:1].isdigit())
        and not _CLOSING_PUNCTUATION.search(text)
        and not is_chrome(text)
    )


def _is_prose(block: _Block) -> bool:
    if block.kind == "para":
        return True
    return (
        block.kind == "line"
        and not _heading_candidate(block)
        and (len(block.text) > _HEADING_MAX or bool(_CLOSING_PUNCTUATION.search(block.text)))
    )


def _elements(blocks: list[_Block]) -> list[Element]:
    # Decided back to front: a heading must introduce something, and what it introduces may
    # itself be a heading ("Part One" over "Chapter 1").
    heading = [False] * (len(blocks) + 1)
    for index in range(len(blocks) - 1, -1, -1):
        if _heading_candidate(blocks[index]) and index + 1 < len(blocks):
            following = blocks[index + 1]
            heading[index] = (
                following.kind in ("ordered", "bullet")
                or heading[index + 1]
                or _is_prose(following)
            )
    nodes: list[Element] = []
    previous: _Block | None = None
    for index, block in enumerate(blocks):
        if block.kind in ("ordered", "bullet"):
            continues = (
                previous is not None
                and previous.kind == block.kind
                and (block.kind == "bullet" or block.number == previous.number + 1)
            )
            if not continues:
                attrs = {}
                if block.kind == "ordered" and block.number != 1:
                    attrs["start"] = str(block.number)
                nodes.append(Element("ol" if block.kind == "ordered" else "ul", attrs))
            nodes[-1].children.append(Element("li", children=[block.text]))
        else:
            nodes.append(Element("h2" if heading[index] else "p", children=[block.text]))
        previous = block
    return nodes


def _works_cited(heading: str, lines: list[str]) -> Element:
    entries: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        if is_blank(line):
            current = None
        elif current is not None and _indent(line) > 0:
            current.append(line)
        else:
            current = [BULLET_ITEM.sub("", line, count=1)]
            entries.append(current)
    entry_list = Element("ul", children=[Element("li", children=[" ".join(e)]) for e in entries])
    return Element(
        "section", {"class": "works-cited"}, [Element("h2", children=[heading]), entry_list]
    )
