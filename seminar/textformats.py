"""Importing readings: an instructor's file or pasted source becomes a reading.

A reading is hosted the way a class blog hosts a post: a date line, a title, perhaps a byline,
the body, a works-cited list, and numbered reader comments under it. Instructors bring the
source as plain text, Markdown or HTML; this module finds the metadata, takes the comments
off the end, and renders what is left as a sanitized HTML body together with its canonical
text, the string every annotation offset counts into (DESIGN.md, "Anchoring contract").

The parts:

* ``decode_upload`` turns an uploaded text file into text, or says what is wrong with it
  (``seminar.documents`` reads the other kinds: PDF, .docx, EPUB, and tells encodings);
* ``parse_document`` splits a source into title, date, byline, body and reader comments;
  its ``source`` is the body alone, in the original format, so an instructor edits the body
  and ``render_body`` renders it again identically;
* ``render_body`` gives the ``Rendered`` body: HTML, canonical text, works cited and the
  paragraph count. How the text follows from the HTML lives in ``seminar.textblocks``; how
  plain-text lines become blocks in ``seminar.plaintext``.

Nothing here imports Django, so importing and rendering can be tested and benchmarked alone.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from seminar.plaintext import ORDERED_ITEM, is_blank, is_chrome, read_plain, works_cited_start
from seminar.textblocks import (
    Rendered,
    collapse_spaces,
    normalize,
    render_html,
    render_markdown,
    render_tree,
)

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "ParsedReading",
    "ReaderComment",
    "Rendered",
    "TextFormatError",
    "decode_upload",
    "format_for_filename",
    "parse_document",
    "render_body",
    "title_from_filename",
]

MAX_BYTES = 5 * 1024 * 1024
FORMATS = ("text", "markdown", "html")

_EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
_TITLE_MAX = 120
_HEADER_LINES = 8
_BYLINE_WORDS = 5


class TextFormatError(ValueError):
    """A message a person can act on, e.g. 'The file is empty.'"""


class _EmptyBody(TextFormatError):
    pass


@dataclass(frozen=True)
class ReaderComment:
    number: int  # 1, 2, 3 as in the source
    author: str  # "Reader 1", "Reader 2", ...
    text: str  # the comment's text, whitespace-collapsed, intact otherwise


@dataclass(frozen=True)
class ParsedReading:
    title: str  # "" if none could be found
    date: datetime.date | None
    byline: str  # "" if none
    format: str  # one of FORMATS
    # The body in its own format, without title/date/byline lines and reader comments;
    # render_body(source, format=format) gives `rendered` again.
    source: str
    rendered: Rendered
    comments: tuple[ReaderComment, ...]


def decode_upload(data: bytes, *, filename: str = "") -> str:
    """The text of an uploaded file, or a TextFormatError saying why there is none."""
    # Imported here: seminar.documents builds on this module.
    from seminar.documents.encodings import decode_text

    return decode_text(data, filename=filename).text


def format_for_filename(filename: str) -> str:
    name = _basename(filename)
    extension = "." + name.rsplit(".", 1)[1].lower() if "." in name else ""
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    raise TextFormatError(
        f'Seminar cannot read "{name}". Upload a plain text (.txt, .text),'
        " Markdown (.md, .markdown), HTML (.html, .htm), PDF (.pdf), Word (.docx)"
        " or EPUB (.epub) file."
    )


def render_body(source: str, *, format: str) -> Rendered:
    """Render a body in `format`: sanitized HTML and its canonical text."""
    _check_format(format)
    text = normalize(source)
    if format == "text":
        rendered = render_tree(read_plain(text))
    elif format == "markdown":
        rendered = render_markdown(text)
    else:
        rendered = render_html(text)
    if not rendered.text.strip():
        if format == "text":
            raise _EmptyBody("There is no text to show.")
        raise _EmptyBody("There is no text to show after removing unsafe HTML.")
    return rendered


def parse_document(source: str, *, format: str, filename: str = "") -> ParsedReading:
    """Split a source into the reading's metadata, body and reader comments."""
    _check_format(format)
    text = normalize(source)
    if format == "text":
        head = _text_head(text)
    elif format == "markdown":
        head = _markdown_head(text)
    else:
        head = _html_head(text)
    body, comments = head.body, head.comments
    try:
        rendered = render_body(body, format=format)
    except _EmptyBody:
        if body == text:
            raise
        # Only metadata lines (or only comments): they are all the reading there is.
        body, comments = text, ()
        rendered = render_body(body, format=format)
    return ParsedReading(
        title=head.title or title_from_filename(filename),
        date=head.date,
        byline=head.byline,
        format=format,
        source=body,
        rendered=rendered,
        comments=comments,
    )


def _check_format(format: str) -> None:
    if format not in FORMATS:
        raise TextFormatError(f"Unknown format {format!r}: use one of {', '.join(FORMATS)}.")


def _basename(filename: str) -> str:
    return filename.replace("\\", "/").rsplit("/", 1)[-1]


def title_from_filename(filename: str) -> str:
    """A title made from a file name: "minusma-withdrawal-2024.txt" -> "Minusma withdrawal 2024"."""
    name = _basename(filename)
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    words = " ".join(re.split(r"[-_\s]+", stem)).strip()
    return words[:1].upper() + words[1:]


# Dates -----------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_DAY = r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?"
_MONTH = r"(?P<month>[a-z]+)\.?"
_YEAR = r"(?P<year>[0-9]{4})"
_DATE_LINES = [
    re.compile(rf"{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR}", re.IGNORECASE),
    re.compile(rf"{_WEEKDAY}{_DAY}\s+{_MONTH},?\s+{_YEAR}", re.IGNORECASE),
    re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})"),
]


def _parse_date(line: str) -> datetime.date | None:
    """The date a line consists of ("Monday, March 4, 2013", "11 April 2013", ...), if any."""
    text = collapse_spaces(line)
    if len(text) > 40:
        return None
    for pattern in _DATE_LINES:
        match = pattern.fullmatch(text)
        if match:
            month = match["month"]
            number = int(month) if month.isdigit() else _MONTHS.get(month.lower())
            try:
                return datetime.date(int(match["year"]), number or 0, int(match["day"]))
            except ValueError:
                return None
    return None


# Headers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Head:
    title: str
    date: datetime.date | None
    byline: str
    body: str
    comments: tuple[ReaderComment, ...] = ()


def _text_head(text: str) -> _Head:
    lines = text.split("\n")
    filled = [index for index, line in enumerate(lines) if not is_blank(line)]
    removed: set[int] = set()
    title_at = None
    byline = ""
    date = _parse_date(lines[filled[0]]) if filled else None
    blog = date is not None
    if blog:
        # The blog layout: the post's date line, then its title.
        removed.add(filled[0])
        if len(filled) > 1 and len(collapse_spaces(lines[filled[1]])) <= _TITLE_MAX:
            title_at = filled[1]
    else:
        # Pages and reports: above the first paragraph, some site chrome and then
        # "title [byline] date" or just the title.
        header = []
        for index in filled[:_HEADER_LINES]:
            if len(collapse_spaces(lines[index])) > _TITLE_MAX:
                break
            header.append(index)
        dated = [(k, d) for k, index in enumerate(header) if (d := _parse_date(lines[index]))]
        if dated:
            at, date = dated[0]
            removed.add(header[at])
            if at >= 2 and _is_byline(lines[header[at - 1]]):
                byline = collapse_spaces(lines[header[at - 1]])
                removed.add(header[at - 1])
                title_at = header[at - 2]
            else:
                title_at = header[at - 1]
        else:
            title_at = next((index for index in header if not is_chrome(lines[index])), None)
    title = ""
    if title_at is not None:
        title = collapse_spaces(lines[title_at])
        removed.add(title_at)
        rest = [index for index in filled if index > title_at and index not in removed]
        if rest and collapse_spaces(lines[rest[0]]).casefold() == title.casefold():
            removed.add(rest[0])  # pages often repeat the title at the top of the article
    body = [line for index, line in enumerate(lines) if index not in removed]
    body, comments = _split_comments(body, blog=blog)
    return _Head(title, date, byline, "\n".join(_trim_blank(body)), comments)


def _is_byline(line: str) -> bool:
    text = collapse_spaces(line)
    return (
        0 < len(text.split()) <= _BYLINE_WORDS
        and ":" not in text
        and not any(char.isdigit() for char in text)
    )


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and is_blank(lines[start]):
        start += 1
    while end > start and is_blank(lines[end - 1]):
        end -= 1
    return lines[start:end]


def _split_comments(lines: list[str], *, blog: bool) -> tuple[list[str], tuple[ReaderComment, ...]]:
    """Take the numbered reader comments (1, 2, ... k) off the end of a text body.

    They are comments only under a blog post or after a works-cited list; elsewhere a
    numbered list at the end is part of the reading.
    """
    items: list[tuple[int, int, list[str]]] = []  # (line index, number, lines), in order
    end = len(lines)
    while end and is_blank(lines[end - 1]):
        end -= 1
    while end:
        start = end
        while start and not is_blank(lines[start - 1]):
            start -= 1
        group = _numbered_items(lines, start, end)
        if group is None:
            break
        items[:0] = group
        end = start
        while end and is_blank(lines[end - 1]):
            end -= 1
    numbers = [number for _, number, _ in items]
    for first in range(len(items)):
        if numbers[first:] == list(range(1, len(items) - first + 1)):
            cut = items[first][0]
            if blog or works_cited_start(lines[:cut]) is not None:
                comments = tuple(
                    ReaderComment(number, f"Reader {number}", collapse_spaces(" ".join(text)))
                    for _, number, text in items[first:]
                )
                return lines[:cut], comments
            break
    return lines, ()


def _numbered_items(lines: list[str], start: int, end: int):
    """The numbered items making up lines[start:end], or None if it does not open with one."""
    items: list[tuple[int, int, list[str]]] = []
    for index in range(start, end):
        match = ORDERED_ITEM.match(lines[index])
        if match:
            items.append((index, int(match.group(1)), [lines[index][match.end() :]]))
        elif items:
            items[-1][2].append(lines[index])
        else:
            return None
    return items


_ATX_TITLE = re.compile(r" {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*")
_SETEXT_TITLE_RULE = re.compile(r" {0,3}=+[ \t]*")


def _markdown_head(text: str) -> _Head:
    lines = text.split("\n")
    filled = [index for index, line in enumerate(lines) if not is_blank(line)]
    removed: set[int] = set()
    title = ""
    date = None
    position = 0
    if filled and (date := _parse_date(lines[filled[0]])):
        removed.add(filled[0])
        position = 1
    if position < len(filled):
        at = filled[position]
        atx = _ATX_TITLE.fullmatch(lines[at])
        if atx:
            title = _markdown_title(atx.group(1))
            removed.add(at)
        elif at + 1 < len(lines) and _SETEXT_TITLE_RULE.fullmatch(lines[at + 1]):
            title = _markdown_title(lines[at])
            removed.update((at, at + 1))
        following = [index for index in filled if index > max(removed, default=-1)]
        if title and date is None and following and (date := _parse_date(lines[following[0]])):
            removed.add(following[0])
    body = [line for index, line in enumerate(lines) if index not in removed]
    return _Head(title, date, "", "\n".join(_trim_blank(body)))


def _markdown_title(source: str) -> str:
    # Rendered as a heading so that "# *The* Title" reads "The Title", and "# 1. Intro"
    # does not turn into a list.
    return collapse_spaces(render_markdown("# " + source).text) or collapse_spaces(source)


def _html_head(text: str) -> _Head:
    finder = _TitleFinder(text)
    finder.feed(text)
    finder.close()
    heading = collapse_spaces("".join(finder.heading_text))
    if heading and finder.heading_span:
        start, end = finder.heading_span
        return _Head(heading, None, "", text[:start] + text[end:])
    return _Head(heading or collapse_spaces("".join(finder.title_text)), None, "", text)


class _TitleFinder(HTMLParser):
    """Finds the first <h1> (its text and where it stands in the source) and the <title>."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self._source = source
        self._line_starts = [0, *(match.end() for match in re.finditer("\n", source))]
        self._heading_start: int | None = None
        self._in_title = False
        self.heading_span: tuple[int, int] | None = None
        self.heading_text: list[str] = []
        self.title_text: list[str] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _in_heading(self) -> bool:
        return self._heading_start is not None and self.heading_span is None

    def handle_starttag(self, tag, attrs):
        if tag == "h1" and self._heading_start is None:
            self._heading_start = self._offset()
        elif tag == "title" and not self.title_text:
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "h1" and self._in_heading():
            end = self._source.find(">", self._offset())
            self.heading_span = (self._heading_start, len(self._source) if end < 0 else end + 1)
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_heading():
            self.heading_text.append(data)
        if self._in_title:
            self.title_text.append(data)
